#pragma once
/// @file domain::AccountRepository on PostgreSQL.
///
/// Each mutating method is one transaction holding the change, its audit_log row and (for key,
/// activation and plan changes) the NOTIFY that tells every process to forget cached lookups; NOTIFY
/// is delivered on commit only, so nobody forgets too early or hears about a rolled-back change.

#include <optional>
#include <string_view>
#include <vector>

#include "domain/ports.hpp"
#include "persistence/pg_connection.hpp"

namespace gw::persistence {

/// The NOTIFY channel carrying the id of a user whose keys, activation or plan changed.
inline constexpr const char* kKeyChangesChannel = "gw_key_changes";

class PgAccountRepository final : public domain::AccountRepository {
 public:
  /// `connection` must have been created with Statements() and AuditWriter::Statements().
  explicit PgAccountRepository(PgConnection& connection) : connection_(connection) {}

  static std::vector<PreparedStatement> Statements();

  domain::UserId CreateAccount(const domain::NewAccount& account, std::string_view action,
                               const domain::AuditContext& audit) override;
  std::optional<domain::Credentials> FindCredentials(std::string_view email) override;
  void ReplaceKey(domain::UserId user_id, std::string_view key_hash, std::string_view key_prefix,
                  const domain::AuditContext& audit) override;
  bool SetAccountActive(std::string_view email, bool active, const domain::AuditContext& audit) override;
  std::optional<domain::PlanAssignment> SetPlan(std::string_view email, const domain::PlanChange& change,
                                                const domain::AuditContext& audit) override;
  std::vector<domain::Plan> ListPlans() override;
  domain::Page<domain::UserSummary> ListUsers(const domain::UserQuery& query) override;
  std::optional<domain::KeyLookup> FindByKeyHash(std::string_view key_hash) override;
  std::optional<domain::AccountStatus> FindStatus(domain::UserId user_id) override;
  std::optional<domain::AccountStatus> FindStatusByEmail(std::string_view email) override;

 private:
  /// The statements of ListUsers (pg_account_repository_users.cpp); part of Statements().
  static std::vector<PreparedStatement> UserListStatements();

  PgConnection& connection_;
};

}  // namespace gw::persistence
