#pragma once
/// @file The account use cases: register, renew, revoke, reactivate, plans, status, authenticate.
///
/// Pure logic over the ports: validation, hashing and the rules of who may do what. Each use
/// case takes the repository of the calling thread (one database connection per thread).

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "domain/account.hpp"
#include "domain/api_key.hpp"
#include "domain/key_cache.hpp"
#include "domain/password.hpp"
#include "domain/ports.hpp"
#include "domain/sessions.hpp"
#include "domain/usage_counter.hpp"

namespace gw::domain {

struct IssuedKey {
  std::string email;
  std::string api_key;  //!< shown once, never stored
};

class AccountService {
 public:
  AccountService(std::string key_pepper, RandomSource& random, KeyCache& key_cache, UsageCounter& usage,
                 PasswordHashParams password_params = {}, SessionSettings session_settings = {});

  IssuedKey Register(AccountRepository& repo, std::string_view email, std::string_view password,
                     const AuditContext& audit);
  /// Creates an administrator (CLI). With an empty password the account cannot renew by password.
  IssuedKey CreateAdmin(AccountRepository& repo, std::string_view email, std::string_view password,
                        const AuditContext& audit);
  IssuedKey Renew(AccountRepository& repo, std::string_view email, std::string_view password,
                  const AuditContext& audit);
  void Revoke(AccountRepository& repo, const Principal& admin, std::string_view email, const AuditContext& audit);
  void Reactivate(AccountRepository& repo, const Principal& admin, std::string_view email, const AuditContext& audit);
  /// Puts the account with `email` on a plan with exactly the overrides of `change` (admins
  /// only). Throws kForbidden, kValidationFailed (field "plan" or "overrides.<limit>"),
  /// kUnknownPlan or kUserNotFound.
  PlanAssignment SetPlan(AccountRepository& repo, const Principal& admin, std::string_view email,
                         const PlanChange& change, const AuditContext& audit);
  /// Every plan (admins only).
  std::vector<Plan> ListPlans(AccountRepository& repo, const Principal& admin);
  /// The caller's own status, or (admins only) another account's when `email` is given.
  AccountStatus Status(AccountRepository& repo, const Principal& caller, std::optional<std::string_view> email);

  /// Resolves an X-API-Key header value to the caller, counting the request. Throws
  /// kMissingApiKey, kInvalidApiKey, kApiKeyInactive or kApiKeyRevoked.
  Principal Authenticate(AccountRepository& repo, std::string_view raw_key);

  /// The account whose email and password these are. Unknown emails cost the same time as known
  /// ones (a dummy hash is verified). Throws kValidationFailed (email shape),
  /// kInvalidCredentials or kAccountRevoked.
  Credentials VerifyCredentials(AccountRepository& repo, std::string_view email, std::string_view password);

  // Browser sessions (domain/sessions.cpp).
  /// Signs in by password or API key: stores a new session bound to the account's current key
  /// and audits "sign_in". Throws what VerifyCredentials or Authenticate throw.
  StartedSession StartSession(AccountRepository& accounts, SessionRepository& sessions, const SignIn& sign_in,
                              const AuditContext& audit);
  /// Resolves a cookie token to the caller (counting the request when `count`). Throws
  /// kSessionExpired (unknown, expired, idle, ended or its key renewed) or kApiKeyRevoked.
  ResolvedSession ResolveSession(SessionRepository& sessions, std::string_view token, bool count = true);
  /// Signs out: ends the session and audits "sign_out". Throws kSessionExpired when it had ended.
  void EndSession(SessionRepository& sessions, const Principal& principal, const SessionInfo& session,
                  const AuditContext& audit);
  const SessionSettings& Sessions() const { return session_settings_; }

 private:
  IssuedKey Create(AccountRepository& repo, std::string_view email, std::string_view password, bool is_admin,
                   const AuditContext& audit);
  std::string NewKey();
  std::string NewPasswordHash(std::string_view password);
  void SetActive(AccountRepository& repo, const Principal& admin, std::string_view email, bool active,
                 const AuditContext& audit);

  const KeyHasher key_hasher_;  //!< HMAC under the server's pepper, its pad states computed once
  RandomSource& random_;
  KeyCache& key_cache_;
  UsageCounter& usage_;
  const PasswordHashParams password_params_;
  const std::string dummy_password_hash_;  //!< verified against when the email is unknown
  const SessionSettings session_settings_;
};

}  // namespace gw::domain
