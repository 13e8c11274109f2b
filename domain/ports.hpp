#pragma once
/// @file Ports: what the domain needs from the outside world. persistence/ implements them.
///
/// Every mutating method is one database transaction that also writes its audit row, so an
/// action and its audit entry exist together or not at all. Implementations translate their
/// driver's exceptions into domain::Error (e.g. a unique violation on email -> kEmailTaken).

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "domain/account.hpp"

namespace gw::domain {

class AccountRepository {
 public:
  virtual ~AccountRepository() = default;

  /// Inserts the user and its first key, audits `action` ("register" or "admin_create").
  /// Throws Error(kEmailTaken) when a live account already has that email.
  virtual UserId CreateAccount(const NewAccount& account, std::string_view action, const AuditContext& audit) = 0;

  virtual std::optional<Credentials> FindCredentials(std::string_view email) = 0;

  /// Marks the user's current keys superseded, stores the new one, sets last_renewed_at and
  /// audits "renew". Caches everywhere are told to forget the user's old keys.
  virtual void ReplaceKey(UserId user_id, std::string_view key_hash, std::string_view key_prefix,
                          const AuditContext& audit) = 0;

  /// Revokes (active=false) or reactivates an account by email and audits it. Returns false
  /// when no live account has that email. Caches everywhere are told to forget its keys.
  virtual bool SetAccountActive(std::string_view email, bool active, const AuditContext& audit) = 0;

  /// Puts the live account with `email` on `change.plan` with exactly `change.overrides`, audits
  /// "plan_change" and tells caches everywhere to forget the user's keys, so that the new limits
  /// apply within a second. Returns nullopt when no live account has that email; throws
  /// Error(kUnknownPlan) when no plan has that name. Either way nothing changes then.
  virtual std::optional<PlanAssignment> SetPlan(std::string_view email, const PlanChange& change,
                                                const AuditContext& audit) = 0;
  /// Every plan, by name.
  virtual std::vector<Plan> ListPlans() = 0;
  /// One page of the live accounts matching `query`, by email, with the total that match.
  virtual Page<UserSummary> ListUsers(const UserQuery& query) = 0;

  virtual std::optional<KeyLookup> FindByKeyHash(std::string_view key_hash) = 0;
  virtual std::optional<AccountStatus> FindStatus(UserId user_id) = 0;
  virtual std::optional<AccountStatus> FindStatusByEmail(std::string_view email) = 0;
};

class AuditRepository {
 public:
  virtual ~AuditRepository() = default;
  virtual Page<AuditEntry> List(const AuditQuery& query) = 0;
};

/// Cryptographically secure random bytes (OpenSSL's RAND_bytes in production).
class RandomSource {
 public:
  virtual ~RandomSource() = default;
  virtual void Fill(std::span<unsigned char> out) = 0;
};

}  // namespace gw::domain
