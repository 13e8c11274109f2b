#pragma once
/// @file Accounts, keys and audit entries: plain structs shared by the layers.
///
/// Timestamps travel as ISO 8601 UTC strings formatted by PostgreSQL: the domain never does
/// arithmetic on them, so it does not need a date library.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "domain/rate_limit.hpp"

namespace gw::domain {

using UserId = std::int64_t;

/// What `POST /status` reports about a key. kRevoked is an administrator's decision about the
/// account; kInactive means the key was superseded by a renewal.
enum class KeyState { kActive, kInactive, kRevoked };
std::string_view ToString(KeyState state);

/// The authenticated caller, resolved from an API key by the with_api_key wrapper.
struct Principal {
  UserId user_id = 0;
  std::string email;
  bool is_admin = false;
  std::string key_prefix;  //!< safe to log
  std::string plan = "free";
  PlanLimits limits;  //!< the plan's limits with the user's overrides applied
};

/// One row of the key lookup: everything authentication needs, read with one indexed query.
struct KeyLookup {
  UserId user_id = 0;
  std::string email;
  bool is_admin = false;
  bool account_active = false;  //!< false once an administrator revoked the account
  bool key_current = false;     //!< false once the key was superseded by a renewal
  std::string plan = "free";
  PlanLimits limits;  //!< the plan's limits with the user's overrides applied
};

struct AccountStatus {
  std::string email;
  KeyState key_state = KeyState::kActive;
  bool is_admin = false;
  std::string created_at;
  std::optional<std::string> last_renewed_at;
  std::int64_t usage_count = 0;
  std::string plan = "free";
  PlanLimits limits;                          //!< the plan's limits with the user's overrides applied
  std::optional<std::string> key_prefix;      //!< the current key's; absent only if the account has none
  std::optional<std::string> key_created_at;  //!< when the current key was issued
};

/// Per-user replacements of a plan's limits. An empty one means the plan's value applies; a
/// value (0 = unlimited, like the plan's own) replaces it for this user only.
struct LimitOverrides {
  std::optional<std::int64_t> requests_per_minute;
  std::optional<std::int64_t> burst;
  std::optional<std::int64_t> upload_bytes_per_day;

  bool operator==(const LimitOverrides&) const = default;
};

/// An administrator's change of one user's plan: the plan, and exactly these overrides (an
/// empty one removes any override of that limit the user had).
struct PlanChange {
  std::string plan;
  LimitOverrides overrides;
};

/// A user's plan as it stands after a change.
struct PlanAssignment {
  std::string email;
  std::string plan;
  PlanLimits limits;  //!< what applies now: the plan's limits with the overrides applied
  LimitOverrides overrides;
};

/// One plan as the database defines it.
struct Plan {
  std::string name;
  PlanLimits limits;
  std::optional<std::string> description;
};

/// Stored credentials for password login (renewal).
struct Credentials {
  UserId user_id = 0;
  std::string password_hash;  //!< empty for accounts created without a password
  bool account_active = false;
};

/// Who did something and from where: written into every audit row.
struct AuditContext {
  std::string request_id;
  std::string client_address;
  std::optional<UserId> actor_user_id;  //!< the caller, when known (an admin acting on a user)
};

/// Free-form key/value details of an audit entry, stored as a JSON object.
using AuditDetails = std::vector<std::pair<std::string, std::string>>;

struct NewAccount {
  std::string email;          //!< normalised
  std::string password_hash;  //!< PHC string, may be empty for CLI-created admins
  std::string key_hash;       //!< HMAC of the new key
  std::string key_prefix;     //!< public prefix of the new key
  bool is_admin = false;
};

struct AuditEntry {
  std::int64_t id = 0;
  std::optional<std::string> user_email;   //!< the account the action concerned
  std::optional<std::string> actor_email;  //!< who performed it, when different or known
  std::string action;
  std::string details_json;
  std::string request_id;
  std::string client_address;
  std::string created_at;
};

struct AuditQuery {
  std::optional<std::string> user_email;
  std::optional<std::string> action;
  std::optional<std::string> since;  //!< ISO 8601, validated
  std::optional<std::string> until;  //!< ISO 8601, validated
  int page = 1;
  int limit = 20;
};

/// A browser session the cookie wrapper resolved (domain/sessions.hpp): set next to the Principal.
struct SessionInfo {
  std::int64_t id = 0;
  std::string csrf_token;  //!< derived from the cookie token, never stored
  std::string expires_at;  //!< ISO 8601 UTC: the absolute end
};

/// A session to store: only the HMAC of its cookie token. It belongs to one API key: `key_hash`
/// when the sign-in was by key (it must still be current), else the user's current key.
struct NewSession {
  std::string token_hash;
  UserId user_id = 0;
  std::string key_hash;  //!< empty: the user's current key
  std::int64_t ttl_seconds = 0;
  std::string method;  //!< "password" or "api_key": the sign_in audit row says which
};

/// One row of the session lookup: the session's state and its key's, read with one indexed query.
/// The database's clock decides expiry, so every host agrees.
struct SessionLookup {
  std::int64_t session_id = 0;
  KeyLookup key;           //!< the user, the account's state and whether the session's key is current
  std::string key_prefix;  //!< the session's key's public prefix (logs)
  std::string expires_at;
  bool ended = false;      //!< signed out, or ended by a renewal or revocation
  bool expired = false;    //!< past expires_at
  bool idle = false;       //!< not seen for the idle timeout
  bool touch_due = false;  //!< last_seen_at is more than a minute old
};

/// GET /admin/users: which accounts to list (deleted ones never are), by email.
struct UserQuery {
  std::optional<std::string> email_contains;  //!< case-insensitive substring, matched literally
  std::optional<bool> active;                 //!< true: active accounts only, false: revoked only
  int page = 1;
  int limit = 20;
};

/// One account as the administrators' user list shows it.
struct UserSummary {
  std::string email;
  bool active = true;  //!< false once an administrator revoked the account
  bool is_admin = false;
  std::string plan;
  std::string created_at;
  std::optional<std::string> last_renewed_at;
  std::optional<std::string> revoked_at;
  std::optional<std::string> key_prefix;  //!< the current key's
  std::int64_t usage_count = 0;
};

template <typename T>
struct Page {
  std::vector<T> items;
  /// Every matching row when `total_exact`; otherwise a lower bound: a filtered count that no
  /// counter answers stops after a bounded number of rows (persistence/pg_paged_list.hpp).
  std::int64_t total = 0;
  bool total_exact = true;
  int page = 1;
  int limit = 20;
};

}  // namespace gw::domain
