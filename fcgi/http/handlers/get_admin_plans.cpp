// GET /admin/plans (admin): every plan with its limits, by name.
#include <nlohmann/json.hpp>

#include "fcgi/http/context.hpp"
#include "fcgi/http/handlers/handlers.hpp"
#include "fcgi/http/plan_json.hpp"

namespace gw::web::handlers {

Handler GetAdminPlans(domain::AccountService& accounts) {
  return [&accounts](Request& request, Context& context) {
    nlohmann::json data = nlohmann::json::array();
    for (const auto& plan : accounts.ListPlans(context.accounts, *request.principal)) data.push_back(PlanToJson(plan));
    return JsonSuccess(200, "Plans", data);
  };
}

}  // namespace gw::web::handlers
