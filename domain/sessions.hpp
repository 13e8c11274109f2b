#pragma once
/// @file Browser sessions: the cookie token, its CSRF token and the session settings.
///
/// A browser signs in once (email + password, or an API key) and then sends the cookie
/// `__Host-gw_session` instead of X-API-Key. The token is 32 random bytes (unpadded base64url);
/// the database keeps only its HMAC under the key pepper, like API keys. The CSRF token is a
/// second HMAC of the token (another label), so it is never stored and a database dump yields
/// neither. The use cases themselves are AccountService's (StartSession, ResolveSession,
/// EndSession in domain/sessions.cpp): signing in is authenticating an account.

#include <cstdint>
#include <string>
#include <string_view>

#include "domain/account.hpp"
#include "domain/api_key.hpp"

namespace gw::domain {

inline constexpr std::size_t kSessionTokenRandomBytes = 32;
inline constexpr std::size_t kSessionTokenLength = 43;  //!< unpadded base64url of 32 bytes
/// last_seen_at is written at most this often per session (the idle timeout's resolution).
inline constexpr std::int64_t kSessionTouchSeconds = 60;

/// GW_SESSION_TTL_SECONDS and GW_SESSION_IDLE_SECONDS.
struct SessionSettings {
  std::int64_t ttl_seconds = 28'800;  //!< absolute lifetime (8 h)
  std::int64_t idle_seconds = 1'800;  //!< ends after this long without a request (30 min)
};

/// How a browser signs in: exactly one of email + password or api_key (POST /session).
struct SignIn {
  std::string email;
  std::string password;
  std::string api_key;
  bool by_api_key = false;
};

/// What POST and GET /session report about the caller's session.
struct SessionView {
  std::string email;
  bool is_admin = false;
  KeyState state = KeyState::kActive;
  std::string expires_at;
  std::string csrf_token;
};

/// A new session: the cookie's token (given to the browser once, never stored) and its view.
struct StartedSession {
  std::string token;
  SessionView view;
};

/// A cookie resolved: who is calling, and which session.
struct ResolvedSession {
  Principal principal;
  SessionInfo session;
};

/// True when `token` has the exact shape of a token we issue; checked before any lookup.
bool IsWellFormedSessionToken(std::string_view token);

/// The stored form of a token: lower-case hex HMAC-SHA256 under the pepper.
std::string HashSessionToken(std::string_view pepper, std::string_view token);
std::string HashSessionToken(const KeyHasher& hasher, std::string_view token);

/// The session's CSRF token: an HMAC of its cookie token under the pepper with another label,
/// so that it is fixed for the session, recoverable by GET /session, and useless without the cookie.
std::string SessionCsrfToken(std::string_view pepper, std::string_view token);
std::string SessionCsrfToken(const KeyHasher& hasher, std::string_view token);

/// Compares a presented X-CSRF-Token with the session's in constant time.
bool CsrfTokenMatches(const SessionInfo& session, std::string_view presented);

/// The view of a resolved session (GET /session).
SessionView SessionViewOf(const Principal& principal, const SessionInfo& session);

}  // namespace gw::domain
