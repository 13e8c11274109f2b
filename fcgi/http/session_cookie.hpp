#pragma once
/// @file The browser session's cookie and its CSRF rules (docs/api.md, "Sessions").
///
/// The cookie is `__Host-gw_session`: the __Host- prefix makes browsers accept it only with
/// Secure, Path=/ and no Domain, so no subdomain can plant or widen it. SameSite=Strict keeps
/// browsers from sending it with cross-site requests at all; the X-CSRF-Token and Origin
/// checks are the second line for the requests that change something.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "domain/account.hpp"
#include "fcgi/http/http_request.hpp"
#include "fcgi/http/http_response.hpp"

namespace gw::web {

inline constexpr std::string_view kSessionCookieName = "__Host-gw_session";

/// The session cookie's value, when the request carries a non-empty one (the first of repeats).
std::optional<std::string_view> SessionCookieOf(const Request& request);

/// Set-Cookie for a new session living `max_age_seconds`.
void SetSessionCookie(Response& response, std::string_view token, std::int64_t max_age_seconds);

/// Set-Cookie that makes the browser drop the cookie (sign-out).
void ClearSessionCookie(Response& response);

/// A cookie-authenticated request that is not GET, HEAD or OPTIONS must carry X-CSRF-Token equal
/// to the session's (compared in constant time), and an Origin header, when present, equal to
/// https://<Host> (the Host header as the client sent it: nginx's REQUEST_HOST, else HTTP_HOST).
/// Throws kCsrfFailed otherwise.
void CheckCsrf(const Request& request, const domain::SessionInfo& session);

}  // namespace gw::web
