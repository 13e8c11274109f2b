// POST /unpin/{cid}: release the caller's pin (the file stays listed until deleted).
#include <nlohmann/json.hpp>

#include "fcgi/context.hpp"
#include "fcgi/handlers/handlers.hpp"

namespace gw::web::handlers {

Handler PostUnpinCid(domain::ContentService& content) {
  return [&content](Request& request, Context& context) {
    const std::string cid = domain::CanonicalCid(request.PathParam("cid"));
    content.Unpin(context.files, *request.principal, cid, AuditContextOf(request));
    return JsonSuccess(200, "Unpinned", {{"cid", cid}, {"pinned", false}});
  };
}

}  // namespace gw::web::handlers
