#include "persistence/pg_audit_repository.hpp"

#include <pqxx/pqxx>
#include <string>

#include "domain/error.hpp"
#include "persistence/pg_field.hpp"
#include "persistence/pg_paged_list.hpp"

namespace gw::persistence {
namespace {

using domain::Error;
using domain::ErrorCode;

constexpr const char* kList = "audit_list";
constexpr const char* kListReversed = "audit_list_reversed";
constexpr const char* kCount = "audit_count";
constexpr const char* kCounter = "audit_counter";
constexpr const char* kCounterByEmail = "audit_counter_by_email";

// One statement for every filter combination: a NULL parameter disables its filter.
constexpr const char* kFilter =
    " FROM audit_log a"
    " LEFT JOIN users u ON u.id = a.user_id"
    " LEFT JOIN users actor ON actor.id = a.actor_user_id"
    " WHERE ($1::text IS NULL OR u.email = $1::text)"
    " AND ($2::text IS NULL OR a.action = $2::text)"
    " AND ($3::text IS NULL OR a.created_at >= $3::text::timestamptz)"
    " AND ($4::text IS NULL OR a.created_at <= $4::text::timestamptz)";

domain::AuditEntry ReadEntry(const pqxx::row& row) {
  domain::AuditEntry entry;
  entry.id = row[0].as<std::int64_t>();
  entry.user_email = Nullable<std::string>(row[1]);
  entry.actor_email = Nullable<std::string>(row[2]);
  entry.action = row[3].as<std::string>();
  entry.details_json = row[4].as<std::string>();
  entry.request_id = row[5].as<std::string>();
  entry.client_address = row[6].as<std::string>();
  entry.created_at = row[7].as<std::string>();
  return entry;
}

std::string EntryColumns() {
  return "SELECT a.id, u.email, actor.email, a.action, a.details::text, a.request_id, a.client_address, " +
         IsoUtc("a.created_at");
}

}  // namespace

std::vector<PreparedStatement> PgAuditRepository::Statements() {
  return {
      // Paged as persistence/pg_paged_list.hpp describes.
      {kList, EntryColumns() + kFilter + " ORDER BY a.created_at DESC, a.id DESC LIMIT $5 OFFSET $6"},
      {kListReversed, EntryColumns() + kFilter + " ORDER BY a.created_at, a.id LIMIT $5 OFFSET $6"},
      {kCount, BoundedCountStatement(kFilter, 5)},
      {kCounter, CounterSql()},
      // The rows of every account that had this email ($1): a deleted account frees its email.
      {kCounterByEmail,
       "SELECT COALESCE(sum(c.n), 0)::bigint FROM list_counts c JOIN users u ON u.id = c.owner "
       "WHERE c.list = 'audit' AND u.email = $1"},
  };
}

domain::Page<domain::AuditEntry> PgAuditRepository::List(const domain::AuditQuery& query) {
  const auto window = MakePageWindow(query.page, query.limit);
  return connection_.Run([&](pqxx::connection_base& connection) {
    try {
      SnapshotRead txn(connection);
      // The counters answer the whole log and one account's; other filters are counted.
      const bool by_time_or_action = query.action || query.since || query.until;
      const auto total = by_time_or_action  ? CountAtMost(txn, window, kCount, NullableParam(query.user_email),
                                                          NullableParam(query.action), NullableParam(query.since),
                                                          NullableParam(query.until))
                         : query.user_email ? ReadCounter(txn, kCounterByEmail, *query.user_email)
                                            : ReadCounter(txn, kCounter, "audit", 0);
      auto page = ReadPage<domain::AuditEntry>(txn, window, total, kList, kListReversed, ReadEntry,
                                               NullableParam(query.user_email), NullableParam(query.action),
                                               NullableParam(query.since), NullableParam(query.until));
      txn.commit();
      return page;
    } catch (const pqxx::sql_error& e) {
      // Class 22 (data exception): PostgreSQL could not read `since` or `until` as a timestamp.
      if (e.sqlstate().rfind("22", 0) != 0) throw;
      throw Error(ErrorCode::kInvalidQuery, "since/until is not a valid timestamp", {}, e.what());
    }
  });
}

}  // namespace gw::persistence
