// POST /pin/{cid}: keep the caller's file (local store: synchronous).
#include <nlohmann/json.hpp>

#include "fcgi/context.hpp"
#include "fcgi/handlers/handlers.hpp"

namespace gw::web::handlers {

Handler PostPinCid(domain::ContentService& content) {
  return [&content](Request& request, Context& context) {
    const std::string cid = domain::CanonicalCid(request.PathParam("cid"));
    content.Pin(context.files, *request.principal, cid, AuditContextOf(request));
    return JsonSuccess(200, "Pinned", {{"cid", cid}, {"pinned", true}});
  };
}

}  // namespace gw::web::handlers
