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

  /// Marks the user's current keys superseded, stores the new one, sets last_renewed_at, ends
  /// the user's browser sessions and audits "renew". Caches everywhere are told to forget the
  /// user's old keys.
  virtual void ReplaceKey(UserId user_id, std::string_view key_hash, std::string_view key_prefix,
                          const AuditContext& audit) = 0;

  /// Revokes (active=false; this ends its browser sessions) or reactivates an account by email
  /// and audits it. Returns false when no live account has that email. Caches everywhere are
  /// told to forget its keys.
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

/// Browser sessions (migrations/V005__sessions.sql). Renewal and revocation end a user's
/// sessions inside their own transactions (AccountRepository::ReplaceKey, SetAccountActive).
class SessionRepository {
 public:
  virtual ~SessionRepository() = default;
  /// Stores the session and audits "sign_in" (details: method), in one transaction. Returns its
  /// expires_at, or nullopt (nothing stored) when the key is no longer current or the account
  /// was revoked meanwhile.
  virtual std::optional<std::string> Create(const NewSession& session, const AuditContext& audit) = 0;
  /// The session whose token has this HMAC, judged against `idle_seconds`; nullopt when unknown.
  virtual std::optional<SessionLookup> Find(std::string_view token_hash, std::int64_t idle_seconds) = 0;
  /// Sets last_seen_at to now.
  virtual void Touch(std::int64_t session_id) = 0;
  /// Ends the session (sign-out) and audits "sign_out"; false when it had already ended.
  virtual bool End(std::int64_t session_id, UserId user_id, const AuditContext& audit) = 0;
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
