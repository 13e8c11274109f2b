#include "persistence/pg_account_repository.hpp"

#include <cstdint>
#include <optional>
#include <pqxx/pqxx>
#include <string>

#include "domain/error.hpp"
#include "persistence/audit_writer.hpp"
#include "persistence/pg_field.hpp"

namespace gw::persistence {
namespace {

using domain::Error;
using domain::ErrorCode;

// Named in migrations/V001__accounts.sql; a violation of any other unique index is a bug.
constexpr const char* kEmailIndex = "users_email_live_key";

constexpr const char* kInsertUser = "acc_insert_user";
constexpr const char* kInsertKey = "acc_insert_key";
constexpr const char* kNotify = "acc_notify";
constexpr const char* kFindCredentials = "acc_find_credentials";
constexpr const char* kTouchRenewed = "acc_touch_renewed";
constexpr const char* kSupersedeKeys = "acc_supersede_keys";
constexpr const char* kSetActive = "acc_set_active";
constexpr const char* kFindByKeyHash = "acc_find_by_key_hash";
constexpr const char* kFindStatus = "acc_find_status";
constexpr const char* kFindStatusByEmail = "acc_find_status_by_email";
constexpr const char* kLockPlan = "acc_lock_plan";
constexpr const char* kLockUserByEmail = "acc_lock_user_by_email";
constexpr const char* kUpdatePlan = "acc_update_plan";
constexpr const char* kListPlans = "acc_list_plans";
constexpr const char* kEndSessions = "acc_end_sessions";

// A user's effective limits (users u JOIN plans p): an override, where set, replaces the plan's.
constexpr const char* kEffectiveLimits =
    "COALESCE(u.requests_per_minute_override, p.requests_per_minute), COALESCE(u.burst_override, p.burst), "
    "COALESCE(u.upload_bytes_per_day_override, p.upload_bytes_per_day)";

// The current key joins by api_keys_one_current_per_user (at most one row).
std::string StatusSelect(const std::string& where) {
  return "SELECT u.email, u.is_active, u.is_admin, " + IsoUtc("u.created_at") + ", " + IsoUtc("u.last_renewed_at") +
         ", u.usage_count, u.plan, " + kEffectiveLimits + ", k.key_prefix, " + IsoUtc("k.created_at") +
         " FROM users u JOIN plans p ON p.name = u.plan "
         "LEFT JOIN api_keys k ON k.user_id = u.id AND k.is_current WHERE " +
         where + " AND NOT u.is_deleted";
}

/// Three columns from `first` on: requests per minute, burst, upload bytes per day.
domain::PlanLimits ReadLimits(const pqxx::row& row, pqxx::row::size_type first) {
  return domain::PlanLimits{row[first].as<std::int64_t>(), row[first + 1].as<std::int64_t>(),
                            row[first + 2].as<std::int64_t>()};
}

std::optional<std::string> OptionalText(const std::optional<std::int64_t>& value) {
  if (!value) return std::nullopt;
  return std::to_string(*value);
}

/// The audit details of a plan change: overrides that are set, by name; absent ones are none.
domain::AuditDetails PlanChangeDetails(std::string_view email, const std::string& previous_plan,
                                       const domain::PlanChange& change) {
  domain::AuditDetails details{{"email", std::string(email)}, {"plan", change.plan}, {"previous_plan", previous_plan}};
  const auto add = [&details](const char* name, const std::optional<std::int64_t>& value) {
    if (value) details.emplace_back(std::string(name) + "_override", std::to_string(*value));
  };
  add("requests_per_minute", change.overrides.requests_per_minute);
  add("burst", change.overrides.burst);
  add("upload_bytes_per_day", change.overrides.upload_bytes_per_day);
  return details;
}

void NotifyKeyChange(pqxx::work& txn, domain::UserId user_id) {
  ExpectRows(txn.exec_prepared(kNotify, std::to_string(user_id)).size(), 1, 1, kNotify);
}

std::optional<domain::AccountStatus> ReadStatus(const pqxx::result& result, const char* statement) {
  ExpectRows(result.size(), 0, 1, statement);
  if (result.empty()) return std::nullopt;
  const auto row = result[0];
  domain::AccountStatus status;
  status.email = row[0].as<std::string>();
  // A status lookup is by user, whose current key is active unless the account is revoked.
  status.key_state = row[1].as<bool>() ? domain::KeyState::kActive : domain::KeyState::kRevoked;
  status.is_admin = row[2].as<bool>();
  status.created_at = row[3].as<std::string>();
  if (!row[4].is_null()) status.last_renewed_at = row[4].as<std::string>();
  status.usage_count = row[5].as<std::int64_t>();
  status.plan = row[6].as<std::string>();
  status.limits = ReadLimits(row, 7);
  if (!row[10].is_null()) status.key_prefix = row[10].as<std::string>();
  if (!row[11].is_null()) status.key_created_at = row[11].as<std::string>();
  return status;
}

}  // namespace

std::vector<PreparedStatement> PgAccountRepository::Statements() {
  std::vector<PreparedStatement> statements = UserListStatements();
  const std::vector<PreparedStatement> own{
      // Administrators start on 'unlimited', everyone else on the column's default 'free'
      // (migrations/V004__plans.sql says why).
      {kInsertUser,
       "INSERT INTO users (email, password_hash, is_admin, plan) "
       "VALUES ($1, $2, $3, CASE WHEN $3 THEN 'unlimited' ELSE 'free' END) RETURNING id"},
      {kInsertKey, "INSERT INTO api_keys (user_id, key_hash, key_prefix) VALUES ($1, $2, $3)"},
      {kNotify, std::string("SELECT pg_notify('") + kKeyChangesChannel + "', $1)"},
      {kFindCredentials, "SELECT id, password_hash, is_active FROM users WHERE email = $1 AND NOT is_deleted"},
      // Locks the user row, so concurrent renewals of one user serialise here.
      {kTouchRenewed,
       "UPDATE users SET last_renewed_at = now(), updated_at = now() WHERE id = $1 AND NOT is_deleted "
       "RETURNING email"},
      {kSupersedeKeys,
       "UPDATE api_keys SET is_current = false, superseded_at = now() WHERE user_id = $1 AND is_current"},
      // revoked_at keeps the first revocation time when an inactive account is revoked again.
      {kSetActive,
       "UPDATE users SET is_active = $2, updated_at = now(), "
       "revoked_at = CASE WHEN $2 THEN NULL WHEN is_active THEN now() ELSE revoked_at END "
       "WHERE email = $1 AND NOT is_deleted RETURNING id"},
      {kFindByKeyHash, std::string("SELECT u.id, u.email, u.is_admin, u.is_active, k.is_current, u.plan, ") +
                           kEffectiveLimits +
                           " FROM api_keys k JOIN users u ON u.id = k.user_id JOIN plans p ON p.name = u.plan "
                           "WHERE k.key_hash = $1 AND NOT u.is_deleted"},
      {kFindStatus, StatusSelect("u.id = $1")},
      {kFindStatusByEmail, StatusSelect("u.email = $1")},
      // KEY SHARE: the plan cannot be deleted or renamed before the change commits.
      {kLockPlan, "SELECT name FROM plans WHERE name = $1 FOR KEY SHARE"},
      // Locks the user row, so concurrent plan changes of one user serialise here and each
      // audits the plan it really replaced.
      {kLockUserByEmail, "SELECT id, plan FROM users WHERE email = $1 AND NOT is_deleted FOR UPDATE"},
      {kUpdatePlan,
       std::string("UPDATE users u SET plan = p.name, requests_per_minute_override = $3, burst_override = $4, "
                   "upload_bytes_per_day_override = $5, updated_at = now() FROM plans p "
                   "WHERE u.id = $1 AND p.name = $2 RETURNING ") +
           kEffectiveLimits + ", u.requests_per_minute_override, u.burst_override, u.upload_bytes_per_day_override"},
      // Browser sessions belong to a key: a renewal or a revocation ends them (migrations/V005).
      {kEndSessions, "UPDATE sessions SET ended_at = now() WHERE user_id = $1 AND ended_at IS NULL"},
      {kListPlans,
       "SELECT name, requests_per_minute, burst, upload_bytes_per_day, description FROM plans ORDER BY name"},
  };
  statements.insert(statements.end(), own.begin(), own.end());
  return statements;
}

domain::UserId PgAccountRepository::CreateAccount(const domain::NewAccount& account, std::string_view action,
                                                  const domain::AuditContext& audit) {
  return connection_.Run([&](pqxx::connection_base& connection) {
    try {
      pqxx::work txn(connection);
      const auto user = txn.exec_prepared(kInsertUser, account.email, account.password_hash, account.is_admin);
      ExpectRows(user.size(), 1, 1, kInsertUser);
      const auto user_id = user[0][0].as<domain::UserId>();
      ExpectRows(txn.exec_prepared(kInsertKey, user_id, account.key_hash, account.key_prefix).affected_rows(), 1, 1,
                 kInsertKey);
      AuditWriter::Write(txn, user_id, action, audit,
                         {{"email", account.email},
                          {"key_prefix", account.key_prefix},
                          {"is_admin", account.is_admin ? "true" : "false"}});
      txn.commit();
      return user_id;
    } catch (const pqxx::unique_violation& e) {
      if (std::string_view(e.what()).find(kEmailIndex) != std::string_view::npos) {
        throw Error(ErrorCode::kEmailTaken, {}, {{"email", account.email}});
      }
      throw;
    }
  });
}

std::optional<domain::Credentials> PgAccountRepository::FindCredentials(std::string_view email) {
  return connection_.Run([&](pqxx::connection_base& connection) -> std::optional<domain::Credentials> {
    pqxx::nontransaction txn(connection);
    const auto result = txn.exec_prepared(kFindCredentials, std::string(email));
    ExpectRows(result.size(), 0, 1, kFindCredentials);
    if (result.empty()) return std::nullopt;
    const auto row = result[0];
    return domain::Credentials{row[0].as<domain::UserId>(), row[1].as<std::string>(), row[2].as<bool>()};
  });
}

void PgAccountRepository::ReplaceKey(domain::UserId user_id, std::string_view key_hash, std::string_view key_prefix,
                                     const domain::AuditContext& audit) {
  connection_.Run([&](pqxx::connection_base& connection) {
    pqxx::work txn(connection);
    const auto user = txn.exec_prepared(kTouchRenewed, user_id);
    ExpectRows(user.size(), 0, 1, kTouchRenewed);
    if (user.empty()) {
      throw Error(ErrorCode::kNotFound, {}, {}, "ReplaceKey: no live user " + std::to_string(user_id));
    }
    const auto superseded = txn.exec_prepared(kSupersedeKeys, user_id).affected_rows();
    txn.exec_prepared(kEndSessions, user_id);
    ExpectRows(txn.exec_prepared(kInsertKey, user_id, std::string(key_hash), std::string(key_prefix)).affected_rows(),
               1, 1, kInsertKey);
    AuditWriter::Write(txn, user_id, "renew", audit,
                       {{"email", user[0][0].as<std::string>()},
                        {"key_prefix", std::string(key_prefix)},
                        {"superseded_keys", std::to_string(superseded)}});
    NotifyKeyChange(txn, user_id);
    txn.commit();
  });
}

bool PgAccountRepository::SetAccountActive(std::string_view email, bool active, const domain::AuditContext& audit) {
  return connection_.Run([&](pqxx::connection_base& connection) {
    pqxx::work txn(connection);
    const auto user = txn.exec_prepared(kSetActive, std::string(email), active);
    ExpectRows(user.size(), 0, 1, kSetActive);
    if (user.empty()) return false;
    const auto user_id = user[0][0].as<domain::UserId>();
    if (!active) txn.exec_prepared(kEndSessions, user_id);
    AuditWriter::Write(txn, user_id, active ? "reactivate" : "revoke", audit, {{"email", std::string(email)}});
    NotifyKeyChange(txn, user_id);
    txn.commit();
    return true;
  });
}

std::optional<domain::KeyLookup> PgAccountRepository::FindByKeyHash(std::string_view key_hash) {
  return connection_.Run([&](pqxx::connection_base& connection) -> std::optional<domain::KeyLookup> {
    pqxx::nontransaction txn(connection);
    const auto result = txn.exec_prepared(kFindByKeyHash, std::string(key_hash));
    ExpectRows(result.size(), 0, 1, kFindByKeyHash);
    if (result.empty()) return std::nullopt;
    const auto row = result[0];
    return domain::KeyLookup{row[0].as<domain::UserId>(), row[1].as<std::string>(), row[2].as<bool>(),
                             row[3].as<bool>(),           row[4].as<bool>(),        row[5].as<std::string>(),
                             ReadLimits(row, 6)};
  });
}

std::optional<domain::PlanAssignment> PgAccountRepository::SetPlan(std::string_view email,
                                                                   const domain::PlanChange& change,
                                                                   const domain::AuditContext& audit) {
  return connection_.Run([&](pqxx::connection_base& connection) -> std::optional<domain::PlanAssignment> {
    pqxx::work txn(connection);
    const auto plan = txn.exec_prepared(kLockPlan, change.plan);
    ExpectRows(plan.size(), 0, 1, kLockPlan);
    if (plan.empty()) throw Error(ErrorCode::kUnknownPlan, {}, {{"plan", change.plan}});
    const auto user = txn.exec_prepared(kLockUserByEmail, std::string(email));
    ExpectRows(user.size(), 0, 1, kLockUserByEmail);
    if (user.empty()) return std::nullopt;
    const auto user_id = user[0][0].as<domain::UserId>();
    const auto previous_plan = user[0][1].as<std::string>();

    const auto requests_per_minute = OptionalText(change.overrides.requests_per_minute);
    const auto burst = OptionalText(change.overrides.burst);
    const auto upload_bytes_per_day = OptionalText(change.overrides.upload_bytes_per_day);
    const auto updated = txn.exec_prepared(kUpdatePlan, user_id, change.plan, NullableParam(requests_per_minute),
                                           NullableParam(burst), NullableParam(upload_bytes_per_day));
    ExpectRows(updated.size(), 1, 1, kUpdatePlan);
    const auto row = updated[0];
    domain::PlanAssignment assignment{
        std::string(email), change.plan, ReadLimits(row, 0),
        domain::LimitOverrides{Nullable<std::int64_t>(row[3]), Nullable<std::int64_t>(row[4]),
                               Nullable<std::int64_t>(row[5])}};
    AuditWriter::Write(txn, user_id, "plan_change", audit, PlanChangeDetails(email, previous_plan, change));
    NotifyKeyChange(txn, user_id);
    txn.commit();
    return assignment;
  });
}

std::vector<domain::Plan> PgAccountRepository::ListPlans() {
  return connection_.Run([&](pqxx::connection_base& connection) {
    pqxx::nontransaction txn(connection);
    std::vector<domain::Plan> plans;
    for (const auto& row : txn.exec_prepared(kListPlans)) {
      domain::Plan plan{row[0].as<std::string>(), ReadLimits(row, 1), std::nullopt};
      if (!row[4].is_null()) plan.description = row[4].as<std::string>();
      plans.push_back(std::move(plan));
    }
    return plans;
  });
}

std::optional<domain::AccountStatus> PgAccountRepository::FindStatus(domain::UserId user_id) {
  return connection_.Run([&](pqxx::connection_base& connection) {
    pqxx::nontransaction txn(connection);
    return ReadStatus(txn.exec_prepared(kFindStatus, user_id), kFindStatus);
  });
}

std::optional<domain::AccountStatus> PgAccountRepository::FindStatusByEmail(std::string_view email) {
  return connection_.Run([&](pqxx::connection_base& connection) {
    pqxx::nontransaction txn(connection);
    return ReadStatus(txn.exec_prepared(kFindStatusByEmail, std::string(email)), kFindStatusByEmail);
  });
}

}  // namespace gw::persistence
