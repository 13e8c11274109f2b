// POST /pin/{cid}: keep the caller's file: at once (200) with the local store, as a task (202)
// when the store pins remotely.
#include <nlohmann/json.hpp>

#include "fcgi/http/context.hpp"
#include "fcgi/http/handlers/handlers.hpp"
#include "fcgi/http/task_json.hpp"

namespace gw::web::handlers {

Handler PostPinCid(domain::ContentService& content) {
  return [&content](Request& request, Context& context) {
    const std::string cid = domain::CanonicalCid(request.PathParam("cid"));
    const auto task = content.Pin(context.files, *request.principal, cid, AuditContextOf(request));
    if (task) return TaskAccepted("Pin requested; a task applies it", *task, {{"cid", cid}});
    return JsonSuccess(200, "Pinned", {{"cid", cid}, {"pinned", true}});
  };
}

}  // namespace gw::web::handlers
