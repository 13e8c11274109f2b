// DELETE /session (the cookie + X-CSRF-Token) -> signs out: the session ends, the cookie is dropped.
#include <nlohmann/json.hpp>

#include "domain/error.hpp"
#include "fcgi/http/context.hpp"
#include "fcgi/http/handlers/handlers.hpp"
#include "fcgi/http/session_cookie.hpp"

namespace gw::web::handlers {

Handler DeleteSession(domain::AccountService& accounts) {
  return [&accounts](Request& request, Context& context) {
    if (!request.session) throw domain::Error(domain::ErrorCode::kMissingApiKey, kNeedsSessionCookie);
    accounts.EndSession(*context.sessions, *request.principal, *request.session, AuditContextOf(request));
    Response response = JsonSuccess(200, "Signed out", {{"signed_out", true}});
    ClearSessionCookie(response);
    return response;
  };
}

}  // namespace gw::web::handlers
