#pragma once
/// @file domain::SessionRepository on PostgreSQL (the sessions table of migrations/V005__sessions.sql).
///
/// Expiry is judged by the database's clock in the lookup itself, so every host agrees.

#include <optional>
#include <string_view>
#include <vector>

#include "domain/ports.hpp"
#include "persistence/pg_connection.hpp"

namespace gw::persistence {

class PgSessionRepository final : public domain::SessionRepository {
 public:
  /// `connection` must have been created with Statements() and AuditWriter::Statements().
  explicit PgSessionRepository(PgConnection& connection) : connection_(connection) {}

  static std::vector<PreparedStatement> Statements();

  std::optional<std::string> Create(const domain::NewSession& session, const domain::AuditContext& audit) override;
  std::optional<domain::SessionLookup> Find(std::string_view token_hash, std::int64_t idle_seconds) override;
  void Touch(std::int64_t session_id) override;
  bool End(std::int64_t session_id, domain::UserId user_id, const domain::AuditContext& audit) override;

 private:
  PgConnection& connection_;
};

}  // namespace gw::persistence
