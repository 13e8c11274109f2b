// GET /tasks?state=&page=&limit=: the caller's tasks, newest first, paged like GET /files.
#include <nlohmann/json.hpp>

#include "fcgi/http/context.hpp"
#include "fcgi/http/handlers/handlers.hpp"
#include "fcgi/http/pagination.hpp"
#include "fcgi/http/task_json.hpp"

namespace gw::web::handlers {

Handler GetTasks() {
  return [](Request& request, Context& context) {
    const Paging paging = ParsePaging(request);
    auto state = request.QueryParam("state");
    if (state && state->empty()) state.reset();  // "?state=" filters nothing, as in GET /files
    const auto page = domain::ListTasks(context.jobs, *request.principal, state, paging.page, paging.limit);
    nlohmann::json items = nlohmann::json::array();
    for (const auto& job : page.items) items.push_back(TaskToJson(job));
    return PagedJsonResponse("Tasks", items, request, page.total, paging, page.total_exact);
  };
}

}  // namespace gw::web::handlers
