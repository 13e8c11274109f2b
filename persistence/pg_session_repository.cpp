#include "persistence/pg_session_repository.hpp"

#include <pqxx/pqxx>
#include <string>

#include "domain/sessions.hpp"
#include "persistence/audit_writer.hpp"

namespace gw::persistence {
namespace {

constexpr const char* kInsert = "ses_insert";
constexpr const char* kFind = "ses_find";
constexpr const char* kTouch = "ses_touch";
constexpr const char* kEnd = "ses_end";

}  // namespace

std::vector<PreparedStatement> PgSessionRepository::Statements() {
  const std::string touch_seconds = std::to_string(domain::kSessionTouchSeconds);
  return {
      // Bound to the key that is current now ($3: that very key, when signing in with one), of
      // an active account: nothing is inserted when a renewal or revocation came first.
      {kInsert,
       "INSERT INTO sessions (token_hash, user_id, api_key_id, expires_at) "
       "SELECT $1, k.user_id, k.id, now() + make_interval(secs => $4::bigint) "
       "FROM api_keys k JOIN users u ON u.id = k.user_id "
       "WHERE k.user_id = $2 AND k.is_current AND ($3 = '' OR k.key_hash = $3) AND u.is_active AND NOT u.is_deleted "
       "RETURNING " +
           IsoUtc("expires_at")},
      {kFind,
       "SELECT s.id, u.id, u.email, u.is_admin, u.is_active, k.is_current, u.plan, "
       "COALESCE(u.requests_per_minute_override, p.requests_per_minute), COALESCE(u.burst_override, p.burst), "
       "COALESCE(u.upload_bytes_per_day_override, p.upload_bytes_per_day), k.key_prefix, " +
           IsoUtc("s.expires_at") +
           ", s.ended_at IS NOT NULL, s.expires_at <= now(), "
           "s.last_seen_at <= now() - make_interval(secs => $2::bigint), "
           "s.last_seen_at <= now() - interval '" +
           touch_seconds +
           " seconds' "
           "FROM sessions s JOIN api_keys k ON k.id = s.api_key_id JOIN users u ON u.id = s.user_id "
           "JOIN plans p ON p.name = u.plan WHERE s.token_hash = $1 AND NOT u.is_deleted"},
      // The condition keeps concurrent requests of one session from all writing.
      {kTouch, "UPDATE sessions SET last_seen_at = now() WHERE id = $1 AND last_seen_at <= now() - interval '" +
                   touch_seconds + " seconds'"},
      {kEnd, "UPDATE sessions SET ended_at = now() WHERE id = $1 AND user_id = $2 AND ended_at IS NULL"},
  };
}

std::optional<std::string> PgSessionRepository::Create(const domain::NewSession& session,
                                                       const domain::AuditContext& audit) {
  return connection_.Run([&](pqxx::connection_base& connection) -> std::optional<std::string> {
    pqxx::work txn(connection);
    const auto inserted =
        txn.exec_prepared(kInsert, session.token_hash, session.user_id, session.key_hash, session.ttl_seconds);
    ExpectRows(inserted.size(), 0, 1, kInsert);
    if (inserted.empty()) return std::nullopt;
    AuditWriter::Write(txn, session.user_id, "sign_in", audit, {{"method", session.method}});
    txn.commit();
    return inserted[0][0].as<std::string>();
  });
}

std::optional<domain::SessionLookup> PgSessionRepository::Find(std::string_view token_hash, std::int64_t idle_seconds) {
  return connection_.Run([&](pqxx::connection_base& connection) -> std::optional<domain::SessionLookup> {
    pqxx::nontransaction txn(connection);
    const auto result = txn.exec_prepared(kFind, std::string(token_hash), idle_seconds);
    ExpectRows(result.size(), 0, 1, kFind);
    if (result.empty()) return std::nullopt;
    const auto row = result[0];
    domain::SessionLookup found;
    found.session_id = row[0].as<std::int64_t>();
    found.key = domain::KeyLookup{
        row[1].as<domain::UserId>(),
        row[2].as<std::string>(),
        row[3].as<bool>(),
        row[4].as<bool>(),
        row[5].as<bool>(),
        row[6].as<std::string>(),
        domain::PlanLimits{row[7].as<std::int64_t>(), row[8].as<std::int64_t>(), row[9].as<std::int64_t>()}};
    found.key_prefix = row[10].as<std::string>();
    found.expires_at = row[11].as<std::string>();
    found.ended = row[12].as<bool>();
    found.expired = row[13].as<bool>();
    found.idle = row[14].as<bool>();
    found.touch_due = row[15].as<bool>();
    return found;
  });
}

void PgSessionRepository::Touch(std::int64_t session_id) {
  connection_.Run([&](pqxx::connection_base& connection) {
    pqxx::nontransaction txn(connection);
    ExpectRows(txn.exec_prepared(kTouch, session_id).affected_rows(), 0, 1, kTouch);
  });
}

bool PgSessionRepository::End(std::int64_t session_id, domain::UserId user_id, const domain::AuditContext& audit) {
  return connection_.Run([&](pqxx::connection_base& connection) {
    pqxx::work txn(connection);
    const auto ended = txn.exec_prepared(kEnd, session_id, user_id).affected_rows();
    ExpectRows(ended, 0, 1, kEnd);
    if (ended == 0) return false;
    AuditWriter::Write(txn, user_id, "sign_out", audit, {});
    txn.commit();
    return true;
  });
}

}  // namespace gw::persistence
