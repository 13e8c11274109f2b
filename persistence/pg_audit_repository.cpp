#include "persistence/pg_audit_repository.hpp"

#include <pqxx/pqxx>
#include <string>

#include "domain/error.hpp"

namespace gw::persistence {
namespace {

using domain::Error;
using domain::ErrorCode;

constexpr const char* kList = "audit_list";
constexpr const char* kCount = "audit_count";

// One statement for every filter combination: a NULL parameter disables its filter.
constexpr const char* kFilter =
    " FROM audit_log a"
    " LEFT JOIN users u ON u.id = a.user_id"
    " LEFT JOIN users actor ON actor.id = a.actor_user_id"
    " WHERE ($1::text IS NULL OR u.email = $1::text)"
    " AND ($2::text IS NULL OR a.action = $2::text)"
    " AND ($3::text IS NULL OR a.created_at >= $3::text::timestamptz)"
    " AND ($4::text IS NULL OR a.created_at <= $4::text::timestamptz)";

std::optional<std::string> Text(const pqxx::field& field) {
  if (field.is_null()) return std::nullopt;
  return field.as<std::string>();
}

domain::AuditEntry ReadEntry(const pqxx::row& row) {
  domain::AuditEntry entry;
  entry.id = row[0].as<std::int64_t>();
  entry.user_email = Text(row[1]);
  entry.actor_email = Text(row[2]);
  entry.action = row[3].as<std::string>();
  entry.details_json = row[4].as<std::string>();
  entry.request_id = row[5].as<std::string>();
  entry.client_address = row[6].as<std::string>();
  entry.created_at = row[7].as<std::string>();
  return entry;
}

}  // namespace

std::vector<PreparedStatement> PgAuditRepository::Statements() {
  return {
      // count(*) OVER () gives the total with the page, in one round trip.
      {kList, std::string("SELECT a.id, u.email, actor.email, a.action, a.details::text, a.request_id, "
                          "a.client_address, ") +
                  IsoUtc("a.created_at") + ", count(*) OVER ()" + kFilter +
                  " ORDER BY a.created_at DESC, a.id DESC LIMIT $5 OFFSET $6"},
      // Only needed for a page past the end, which has no row to carry the total.
      {kCount, std::string("SELECT count(*)") + kFilter},
  };
}

domain::Page<domain::AuditEntry> PgAuditRepository::List(const domain::AuditQuery& query) {
  if (query.page < 1 || query.limit < 1) {
    throw Error(ErrorCode::kInvalidQuery, "page and limit must be positive");
  }
  const std::int64_t offset = static_cast<std::int64_t>(query.page - 1) * query.limit;
  return connection_.Run([&](pqxx::connection_base& connection) {
    try {
      pqxx::nontransaction txn(connection);
      const auto email = NullableParam(query.user_email);
      const auto action = NullableParam(query.action);
      const auto since = NullableParam(query.since);
      const auto until = NullableParam(query.until);
      const auto result = txn.exec_prepared(kList, email, action, since, until, query.limit, offset);
      ExpectRows(result.size(), 0, static_cast<std::size_t>(query.limit), kList);
      domain::Page<domain::AuditEntry> page;
      page.page = query.page;
      page.limit = query.limit;
      page.items.reserve(result.size());
      for (const auto& row : result) page.items.push_back(ReadEntry(row));
      if (!result.empty()) {
        page.total = result[0][8].as<std::int64_t>();
      } else if (offset > 0) {
        const auto count = txn.exec_prepared(kCount, email, action, since, until);
        ExpectRows(count.size(), 1, 1, kCount);
        page.total = count[0][0].as<std::int64_t>();
      }
      return page;
    } catch (const pqxx::sql_error& e) {
      // Class 22 (data exception): PostgreSQL could not read `since` or `until` as a timestamp.
      if (e.sqlstate().rfind("22", 0) != 0) throw;
      throw Error(ErrorCode::kInvalidQuery, "since/until is not a valid timestamp", {}, e.what());
    }
  });
}

}  // namespace gw::persistence
