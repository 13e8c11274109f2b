#include "domain/accounts.hpp"

#include <array>

#include "domain/api_key.hpp"
#include "domain/email.hpp"
#include "domain/error.hpp"

namespace gw::domain {
namespace {

constexpr std::size_t kSaltBytes = 16;

std::string DummyHash(RandomSource& random, const PasswordHashParams& params) {
  std::array<unsigned char, kSaltBytes> salt{};
  random.Fill(salt);
  return HashPassword("not-a-real-password-0123456789", salt, params);
}

void RequireNonNegative(const std::optional<std::int64_t>& value, const char* name) {
  if (value && *value < 0) {
    const std::string field = std::string("overrides.") + name;
    throw FieldError(field, "'" + field + "' must be 0 (unlimited) or more, or null (the plan's value)");
  }
}

}  // namespace

std::string_view ToString(KeyState state) {
  switch (state) {
    case KeyState::kActive: return "active";
    case KeyState::kInactive: return "inactive";
    case KeyState::kRevoked: return "revoked";
  }
  return "unknown";
}

AccountService::AccountService(std::string key_pepper, RandomSource& random, KeyCache& key_cache, UsageCounter& usage,
                               PasswordHashParams password_params, SessionSettings session_settings)
    : key_hasher_(key_pepper),
      random_(random),
      key_cache_(key_cache),
      usage_(usage),
      password_params_(password_params),
      dummy_password_hash_(DummyHash(random, password_params)),
      session_settings_(session_settings) {}

std::string AccountService::NewKey() {
  std::array<unsigned char, kApiKeyRandomBytes> bytes{};
  random_.Fill(bytes);
  return FormatApiKey(bytes);
}

std::string AccountService::NewPasswordHash(std::string_view password) {
  std::array<unsigned char, kSaltBytes> salt{};
  random_.Fill(salt);
  return HashPassword(password, salt, password_params_);
}

IssuedKey AccountService::Create(AccountRepository& repo, std::string_view raw_email, std::string_view password,
                                 bool is_admin, const AuditContext& audit) {
  NewAccount account;
  account.email = RequireValidEmail(raw_email);
  if (!is_admin || !password.empty()) {
    CheckPasswordPolicy(password, account.email);
    account.password_hash = NewPasswordHash(password);
  }
  const std::string key = NewKey();
  account.key_hash = key_hasher_.Hash(key);
  account.key_prefix = std::string(PublicKeyPrefix(key));
  account.is_admin = is_admin;
  repo.CreateAccount(account, is_admin ? "admin_create" : "register", audit);
  return {account.email, key};
}

IssuedKey AccountService::Register(AccountRepository& repo, std::string_view email, std::string_view password,
                                   const AuditContext& audit) {
  return Create(repo, email, password, false, audit);
}

IssuedKey AccountService::CreateAdmin(AccountRepository& repo, std::string_view email, std::string_view password,
                                      const AuditContext& audit) {
  return Create(repo, email, password, true, audit);
}

Credentials AccountService::VerifyCredentials(AccountRepository& repo, std::string_view raw_email,
                                              std::string_view password) {
  // An invalid email shape is a client mistake worth naming; an unknown one is not (no oracle).
  const std::string email = RequireValidEmail(raw_email);
  const auto credentials = repo.FindCredentials(email);
  // Verify against a dummy hash when the account is unknown, so that response time does not
  // tell whether an email is registered.
  const bool password_ok = VerifyPassword(password, credentials ? credentials->password_hash : dummy_password_hash_);
  if (!credentials || !password_ok) throw Error(ErrorCode::kInvalidCredentials);
  if (!credentials->account_active) throw Error(ErrorCode::kAccountRevoked);
  return *credentials;
}

IssuedKey AccountService::Renew(AccountRepository& repo, std::string_view raw_email, std::string_view password,
                                const AuditContext& audit) {
  const Credentials credentials = VerifyCredentials(repo, raw_email, password);
  const std::string email = RequireValidEmail(raw_email);
  const std::string key = NewKey();
  AuditContext renew_audit = audit;
  renew_audit.actor_user_id = credentials.user_id;
  // The account's browser sessions end in the same transaction (they belong to the old key).
  repo.ReplaceKey(credentials.user_id, key_hasher_.Hash(key), PublicKeyPrefix(key), renew_audit);
  key_cache_.ForgetUser(credentials.user_id);
  return {email, key};
}

void AccountService::SetActive(AccountRepository& repo, const Principal& admin, std::string_view raw_email, bool active,
                               const AuditContext& audit) {
  if (!admin.is_admin) throw Error(ErrorCode::kForbidden);
  const std::string email = RequireValidEmail(raw_email);
  if (active == false && email == admin.email) {
    throw FieldError("email", "an administrator cannot revoke their own key");
  }
  AuditContext admin_audit = audit;
  admin_audit.actor_user_id = admin.user_id;
  if (!repo.SetAccountActive(email, active, admin_audit)) {
    throw Error(ErrorCode::kUserNotFound, {}, {{"email", email}});
  }
}

void AccountService::Revoke(AccountRepository& repo, const Principal& admin, std::string_view email,
                            const AuditContext& audit) {
  SetActive(repo, admin, email, false, audit);
}

void AccountService::Reactivate(AccountRepository& repo, const Principal& admin, std::string_view email,
                                const AuditContext& audit) {
  SetActive(repo, admin, email, true, audit);
}

PlanAssignment AccountService::SetPlan(AccountRepository& repo, const Principal& admin, std::string_view raw_email,
                                       const PlanChange& change, const AuditContext& audit) {
  if (!admin.is_admin) throw Error(ErrorCode::kForbidden);
  const std::string email = RequireValidEmail(raw_email);
  if (change.plan.empty()) throw FieldError("plan", "'plan' must name a plan");
  RequireNonNegative(change.overrides.requests_per_minute, "requests_per_minute");
  RequireNonNegative(change.overrides.burst, "burst");
  RequireNonNegative(change.overrides.upload_bytes_per_day, "upload_bytes_per_day");
  AuditContext admin_audit = audit;
  admin_audit.actor_user_id = admin.user_id;
  auto assignment = repo.SetPlan(email, change, admin_audit);
  if (!assignment) throw Error(ErrorCode::kUserNotFound, {}, {{"email", email}});
  return *assignment;
}

std::vector<Plan> AccountService::ListPlans(AccountRepository& repo, const Principal& admin) {
  if (!admin.is_admin) throw Error(ErrorCode::kForbidden);
  return repo.ListPlans();
}

AccountStatus AccountService::Status(AccountRepository& repo, const Principal& caller,
                                     std::optional<std::string_view> raw_email) {
  if (raw_email) {
    const std::string email = RequireValidEmail(*raw_email);
    if (email != caller.email && !caller.is_admin) throw Error(ErrorCode::kForbidden);
    if (email != caller.email) {
      auto status = repo.FindStatusByEmail(email);
      if (!status) throw Error(ErrorCode::kUserNotFound, {}, {{"email", email}});
      return *status;
    }
  }
  // The caller's own status is polled often: serve it from a snapshot at most a second old
  // (renewal and revocation drop it everywhere at once, see KeyCache::ForgetUser) and bring its
  // request count up to date with what this process counted since.
  auto snapshot = key_cache_.FindStatus(caller.user_id);
  if (!snapshot) {
    auto status = repo.FindStatus(caller.user_id);
    if (!status) throw Error(ErrorCode::kInvalidApiKey);  // deleted between auth and now
    snapshot = KeyCache::StatusSnapshot{*status, usage_.Flushed(caller.user_id)};
    key_cache_.StoreStatus(caller.user_id, *snapshot);
  }
  AccountStatus status = snapshot->status;
  status.usage_count += usage_.Flushed(caller.user_id) - snapshot->flushed_at_read + usage_.Pending(caller.user_id);
  return status;
}

Principal AccountService::Authenticate(AccountRepository& repo, std::string_view raw_key) {
  if (raw_key.empty()) throw Error(ErrorCode::kMissingApiKey);
  if (!IsWellFormedApiKey(raw_key)) throw Error(ErrorCode::kInvalidApiKey);
  const std::string key_hash = key_hasher_.Hash(raw_key);
  std::optional<KeyLookup> lookup = key_cache_.Find(key_hash);
  if (!lookup) {
    lookup = repo.FindByKeyHash(key_hash);
    if (!lookup) throw Error(ErrorCode::kInvalidApiKey);
    key_cache_.Store(key_hash, *lookup);
  }
  if (!lookup->account_active) throw Error(ErrorCode::kApiKeyRevoked);
  if (!lookup->key_current) throw Error(ErrorCode::kApiKeyInactive);
  usage_.Add(lookup->user_id);
  return Principal{lookup->user_id, lookup->email, lookup->is_admin, std::string(PublicKeyPrefix(raw_key)),
                   lookup->plan,    lookup->limits};
}

}  // namespace gw::domain
