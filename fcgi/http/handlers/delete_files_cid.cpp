// DELETE /files/{cid}: the caller no longer holds the file (soft delete and unpin). The bytes
// stay while anyone else holds or pins them; `gw gc` removes unreferenced content.
#include <nlohmann/json.hpp>

#include "fcgi/http/context.hpp"
#include "fcgi/http/handlers/handlers.hpp"

namespace gw::web::handlers {

Handler DeleteFilesCid(domain::ContentService& content) {
  return [&content](Request& request, Context& context) {
    const auto cid =
        content.Delete(context.files, *request.principal, request.PathParam("cid"), AuditContextOf(request));
    return JsonSuccess(200, "File deleted", {{"cid", cid}, {"deleted", true}});
  };
}

}  // namespace gw::web::handlers
