// PgFileRepository::DailyUsage: a user's rows of usage_daily (migrations/V006__usage_daily.sql).
#include <pqxx/pqxx>
#include <string>

#include "persistence/audit_writer.hpp"
#include "persistence/pg_file_repository.hpp"

namespace gw::persistence {
namespace {

constexpr const char* kDaily = "files_usage_daily";

}  // namespace

std::vector<PreparedStatement> PgFileRepository::UsageStatements() {
  return {
      // Today is the database's UTC date, the one the writers stamp rows with. The first row is
      // always there (today's, with NULLs when it has no usage yet), so today comes with the
      // days in one statement; the primary key (user_id, day) bounds the read to `days` rows.
      {kDaily,
       "WITH today AS (SELECT (now() AT TIME ZONE 'UTC')::date AS day) "
       "SELECT to_char(t.day, 'YYYY-MM-DD'), to_char(d.day, 'YYYY-MM-DD'), d.uploads, d.bytes, d.requests "
       "FROM today t LEFT JOIN usage_daily d ON d.user_id = $1 AND d.day > t.day - $2::int AND d.day <= t.day "
       "ORDER BY d.day"},
  };
}

domain::RecordedUsage PgFileRepository::DailyUsage(domain::UserId user, int days, const domain::AuditContext& audit) {
  return connection_.Run([&](pqxx::connection_base& connection) {
    pqxx::work txn(connection);
    const auto result = txn.exec_prepared(kDaily, user, days);
    ExpectRows(result.size(), 1, static_cast<std::size_t>(days > 1 ? days : 1), kDaily);
    domain::RecordedUsage recorded;
    recorded.today = result[0][0].as<std::string>();
    for (const auto& row : result) {
      if (row[1].is_null()) continue;
      recorded.days.push_back(domain::DayUsage{row[1].as<std::string>(), row[2].as<std::int64_t>(),
                                               row[3].as<std::int64_t>(), row[4].as<std::int64_t>()});
    }
    AuditWriter::Write(txn, user, "usage", audit, {{"days", std::to_string(days)}});
    txn.commit();
    return recorded;
  });
}

}  // namespace gw::persistence
