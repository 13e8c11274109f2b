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

}  // namespace

std::vector<PreparedStatement> PgAuditRepository::Statements() {
  return {
      // Paged as persistence/pg_paged_list.hpp describes.
      {kList, std::string("SELECT a.id, u.email, actor.email, a.action, a.details::text, a.request_id, "
                          "a.client_address, ") +
                  IsoUtc("a.created_at") + PageTotalColumn() + kFilter +
                  " ORDER BY a.created_at DESC, a.id DESC LIMIT $5 OFFSET $6"},
      {kCount, std::string("SELECT count(*)") + kFilter},
  };
}

domain::Page<domain::AuditEntry> PgAuditRepository::List(const domain::AuditQuery& query) {
  const auto window = MakePageWindow(query.page, query.limit);
  return connection_.Run([&](pqxx::connection_base& connection) {
    try {
      pqxx::nontransaction txn(connection);
      return ReadPage<domain::AuditEntry>(txn, window, kList, kCount, ReadEntry, NullableParam(query.user_email),
                                          NullableParam(query.action), NullableParam(query.since),
                                          NullableParam(query.until));
    } catch (const pqxx::sql_error& e) {
      // Class 22 (data exception): PostgreSQL could not read `since` or `until` as a timestamp.
      if (e.sqlstate().rfind("22", 0) != 0) throw;
      throw Error(ErrorCode::kInvalidQuery, "since/until is not a valid timestamp", {}, e.what());
    }
  });
}

}  // namespace gw::persistence
