// GET /session (the cookie) -> who is signed in, until when, and the CSRF token (a reloaded page
// recovers it here).
#include <nlohmann/json.hpp>

#include "domain/error.hpp"
#include "fcgi/http/context.hpp"
#include "fcgi/http/handlers/handlers.hpp"

namespace gw::web::handlers {

Handler GetSession() {
  return [](Request& request, Context&) {
    // WithApiKey let an X-API-Key through; this route is about the cookie only.
    if (!request.session) throw domain::Error(domain::ErrorCode::kMissingApiKey, kNeedsSessionCookie);
    return JsonSuccess(200, "Signed in", SessionJson(domain::SessionViewOf(*request.principal, *request.session)));
  };
}

}  // namespace gw::web::handlers
