#include "domain/sessions.hpp"

#include <algorithm>
#include <array>

#include "domain/accounts.hpp"
#include "domain/api_key.hpp"
#include "domain/error.hpp"

namespace gw::domain {
namespace {

// Distinct HMAC inputs for the stored hash and the CSRF token: neither can be computed from
// the other without the pepper.
constexpr std::string_view kStoredLabel = "gw-session:";
constexpr std::string_view kCsrfLabel = "gw-csrf:";

SessionView ViewOf(const ResolvedSession& resolved) {
  return SessionView{resolved.principal.email, resolved.principal.is_admin, KeyState::kActive,
                     resolved.session.expires_at, resolved.session.csrf_token};
}

}  // namespace

bool IsWellFormedSessionToken(std::string_view token) {
  return token.size() == kSessionTokenLength && std::all_of(token.begin(), token.end(), [](char c) {
           return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
         });
}

std::string HashSessionToken(const KeyHasher& hasher, std::string_view token) {
  return hasher.Hash(std::string(kStoredLabel) + std::string(token));
}

std::string HashSessionToken(std::string_view pepper, std::string_view token) {
  return HashSessionToken(KeyHasher(pepper), token);
}

std::string SessionCsrfToken(const KeyHasher& hasher, std::string_view token) {
  return hasher.Hash(std::string(kCsrfLabel) + std::string(token));
}

std::string SessionCsrfToken(std::string_view pepper, std::string_view token) {
  return SessionCsrfToken(KeyHasher(pepper), token);
}

StartedSession AccountService::StartSession(AccountRepository& accounts, SessionRepository& sessions,
                                            const SignIn& sign_in, const AuditContext& audit) {
  NewSession session;
  session.ttl_seconds = session_settings_.ttl_seconds;
  if (sign_in.by_api_key) {
    // The usual key checks and codes (missing, invalid, inactive, revoked).
    const Principal principal = Authenticate(accounts, sign_in.api_key);
    session.user_id = principal.user_id;
    session.key_hash = key_hasher_.Hash(sign_in.api_key);
    session.method = "api_key";
  } else {
    session.user_id = VerifyCredentials(accounts, sign_in.email, sign_in.password).user_id;
    session.method = "password";
  }
  std::array<unsigned char, kSessionTokenRandomBytes> bytes{};
  random_.Fill(bytes);
  const std::string token = Base64UrlEncode(bytes);
  session.token_hash = HashSessionToken(key_hasher_, token);
  AuditContext sign_in_audit = audit;
  sign_in_audit.actor_user_id = session.user_id;
  // nullopt: the key was renewed or the account revoked between the check above and the insert
  if (!sessions.Create(session, sign_in_audit)) {
    throw Error(sign_in.by_api_key ? ErrorCode::kApiKeyInactive : ErrorCode::kAccountRevoked);
  }
  return StartedSession{token, ViewOf(ResolveSession(sessions, token, /*count=*/false))};
}

ResolvedSession AccountService::ResolveSession(SessionRepository& sessions, std::string_view token, bool count) {
  if (!IsWellFormedSessionToken(token)) throw Error(ErrorCode::kSessionExpired);
  const auto found = sessions.Find(HashSessionToken(key_hasher_, token), session_settings_.idle_seconds);
  if (!found) throw Error(ErrorCode::kSessionExpired);
  // Revocation also ends the sessions, but the browser is told why (the UI says so), even after
  // a reactivation left the session ended.
  if (!found->key.account_active) throw Error(ErrorCode::kApiKeyRevoked);
  if (found->ended || found->expired || found->idle || !found->key.key_current) {
    throw Error(ErrorCode::kSessionExpired);
  }
  if (found->touch_due) sessions.Touch(found->session_id);
  if (count) usage_.Add(found->key.user_id);
  const KeyLookup& key = found->key;
  return ResolvedSession{Principal{key.user_id, key.email, key.is_admin, found->key_prefix, key.plan, key.limits},
                         SessionInfo{found->session_id, SessionCsrfToken(key_hasher_, token), found->expires_at}};
}

SessionView SessionViewOf(const Principal& principal, const SessionInfo& session) {
  return ViewOf(ResolvedSession{principal, session});
}

void AccountService::EndSession(SessionRepository& sessions, const Principal& principal, const SessionInfo& session,
                                const AuditContext& audit) {
  AuditContext sign_out_audit = audit;
  sign_out_audit.actor_user_id = principal.user_id;
  if (!sessions.End(session.id, principal.user_id, sign_out_audit)) throw Error(ErrorCode::kSessionExpired);
}

bool CsrfTokenMatches(const SessionInfo& session, std::string_view presented) {
  return !session.csrf_token.empty() && ConstantTimeEquals(session.csrf_token, presented);
}

}  // namespace gw::domain
