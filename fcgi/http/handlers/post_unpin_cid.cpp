// POST /unpin/{cid}: release the caller's pin (the file stays listed until deleted): at once
// (200) with the local store, as a task (202) when the store pins remotely.
#include <nlohmann/json.hpp>

#include "fcgi/http/context.hpp"
#include "fcgi/http/handlers/handlers.hpp"
#include "fcgi/http/task_json.hpp"

namespace gw::web::handlers {

Handler PostUnpinCid(domain::ContentService& content) {
  return [&content](Request& request, Context& context) {
    const std::string cid = domain::CanonicalCid(request.PathParam("cid"));
    const auto task = content.Unpin(context.files, *request.principal, cid, AuditContextOf(request));
    if (task) return TaskAccepted("Unpin requested; a task applies it", *task, {{"cid", cid}});
    return JsonSuccess(200, "Unpinned", {{"cid", cid}, {"pinned", false}});
  };
}

}  // namespace gw::web::handlers
