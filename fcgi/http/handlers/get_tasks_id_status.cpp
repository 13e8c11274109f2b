// GET /tasks/{id}/status: one task of the caller (an admin may read anyone's). Not audited:
// clients poll it, and it changes nothing.
#include <nlohmann/json.hpp>

#include "fcgi/http/context.hpp"
#include "fcgi/http/handlers/handlers.hpp"
#include "fcgi/http/task_json.hpp"

namespace gw::web::handlers {

Handler GetTasksIdStatus() {
  return [](Request& request, Context& context) {
    const auto job = domain::FindTask(context.jobs, *request.principal, request.PathParam("id"));
    return JsonSuccess(200, "Task", TaskToJson(job));
  };
}

}  // namespace gw::web::handlers
