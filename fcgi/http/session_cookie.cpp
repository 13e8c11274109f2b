#include "fcgi/http/session_cookie.hpp"

#include "domain/error.hpp"
#include "domain/sessions.hpp"

namespace gw::web {
namespace {

constexpr std::string_view kAttributes = "; Path=/; Secure; HttpOnly; SameSite=Strict; Max-Age=";

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

bool IsSafeMethod(std::string_view method) { return method == "GET" || method == "HEAD" || method == "OPTIONS"; }

}  // namespace

std::optional<std::string_view> SessionCookieOf(const Request& request) {
  const auto header = request.Header("Cookie");
  if (!header) return std::nullopt;
  std::string_view rest = *header;
  while (!rest.empty()) {
    const auto end = rest.find(';');
    const std::string_view pair = Trim(rest.substr(0, end));
    rest = end == std::string_view::npos ? std::string_view{} : rest.substr(end + 1);
    const auto equals = pair.find('=');
    if (equals == std::string_view::npos || Trim(pair.substr(0, equals)) != kSessionCookieName) continue;
    const std::string_view value = Trim(pair.substr(equals + 1));
    if (!value.empty()) return value;
  }
  return std::nullopt;
}

void SetSessionCookie(Response& response, std::string_view token, std::int64_t max_age_seconds) {
  response.SetHeader("Set-Cookie", std::string(kSessionCookieName) + "=" + std::string(token) +
                                       std::string(kAttributes) + std::to_string(max_age_seconds));
}

void ClearSessionCookie(Response& response) {
  response.SetHeader("Set-Cookie", std::string(kSessionCookieName) + "=" + std::string(kAttributes) + "0");
}

void CheckCsrf(const Request& request, const domain::SessionInfo& session) {
  if (IsSafeMethod(request.method)) return;
  const auto token = request.Header("X-CSRF-Token");
  if (!token || !domain::CsrfTokenMatches(session, *token)) throw domain::Error(domain::ErrorCode::kCsrfFailed);
  if (const auto origin = request.Header("Origin")) {
    // nginx passes the Host header with its port as REQUEST_HOST (fastcgi-app.conf); HTTP_HOST
    // may have lost the port on the way.
    std::string_view host = request.Param("REQUEST_HOST");
    if (host.empty()) host = request.Header("Host").value_or(std::string_view{});
    if (host.empty() || *origin != "https://" + std::string(host)) throw domain::Error(domain::ErrorCode::kCsrfFailed);
  }
}

}  // namespace gw::web
