// POST /session {email, password} | {api_key} -> a browser session: the cookie and its CSRF token.
#include <nlohmann/json.hpp>

#include "domain/error.hpp"
#include "fcgi/http/context.hpp"
#include "fcgi/http/handlers/handlers.hpp"
#include "fcgi/http/session_cookie.hpp"

namespace gw::web::handlers {
namespace {

/// Exactly one way to sign in; anything else names the field that is missing or too many.
domain::SignIn SignInOf(const nlohmann::json& body) {
  const bool email = body.contains("email"), password = body.contains("password"), key = body.contains("api_key");
  const char* message = "Send either 'email' and 'password', or 'api_key'";
  domain::SignIn sign_in;
  if (key) {
    if (email || password) throw domain::FieldError("api_key", message);
    sign_in.by_api_key = true;
    sign_in.api_key = body.at("api_key").get<std::string>();
    return sign_in;
  }
  if (!email) throw domain::FieldError("email", message);
  if (!password) throw domain::FieldError("password", message);
  sign_in.email = body.at("email").get<std::string>();
  sign_in.password = body.at("password").get<std::string>();
  return sign_in;
}

}  // namespace

nlohmann::json SessionJson(const domain::SessionView& view) {
  return {{"email", view.email},
          {"is_admin", view.is_admin},
          {"state", domain::ToString(view.state)},
          {"expires_at", view.expires_at},
          {"csrf_token", view.csrf_token}};
}

Handler PostSession(domain::AccountService& accounts) {
  return [&accounts](Request& request, Context& context) {
    if (context.sessions == nullptr) throw domain::Error(domain::ErrorCode::kInternal, {}, {}, "no session repository");
    const auto started =
        accounts.StartSession(context.accounts, *context.sessions, SignInOf(request.Json()), AuditContextOf(request));
    Response response = JsonSuccess(201, "Signed in", SessionJson(started.view));
    SetSessionCookie(response, started.token, accounts.Sessions().ttl_seconds);
    return response;
  };
}

}  // namespace gw::web::handlers
