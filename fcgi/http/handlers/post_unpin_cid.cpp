// POST /unpin/{cid}: release the caller's pin (the file stays listed until deleted): at once
// (200) with the local store, as a task (202) when the store pins remotely.
#include <nlohmann/json.hpp>

#include "fcgi/http/context.hpp"
#include "fcgi/http/handlers/handlers.hpp"
#include "fcgi/http/task_json.hpp"

namespace gw::web::handlers {

Handler PostUnpinCid(domain::ContentService& content) {
  return [&content](Request& request, Context& context) {
    // The answer names the file by its CID as recorded (CIDv0 "Qm..." for a unixfs-v0-2015 upload).
    const auto change =
        content.Unpin(context.files, *request.principal, request.PathParam("cid"), AuditContextOf(request));
    if (change.task_id)
      return TaskAccepted("Unpin requested; a task applies it", *change.task_id, {{"cid", change.cid}});
    return JsonSuccess(200, "Unpinned", {{"cid", change.cid}, {"pinned", false}});
  };
}

}  // namespace gw::web::handlers
