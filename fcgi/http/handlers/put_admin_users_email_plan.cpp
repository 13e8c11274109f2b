// PUT /admin/users/{email}/plan {plan, overrides?} (admin): puts the account on a plan with
// exactly the given overrides (`overrides` absent: none). Every worker applies the new limits
// within a second.
#include <nlohmann/json.hpp>

#include "fcgi/http/context.hpp"
#include "fcgi/http/handlers/handlers.hpp"
#include "fcgi/http/plan_json.hpp"

namespace gw::web::handlers {

Handler PutAdminUsersEmailPlan(domain::AccountService& accounts) {
  return [&accounts](Request& request, Context& context) {
    const auto& body = request.Json();
    domain::PlanChange change;
    change.plan = body.at("plan").get<std::string>();
    change.overrides = OverridesFromJson(body.value("overrides", nlohmann::json()));
    const auto assignment = accounts.SetPlan(context.accounts, *request.principal, request.PathParam("email"), change,
                                             AuditContextOf(request));
    return JsonSuccess(200, "Plan changed",
                       {{"email", assignment.email},
                        {"plan", assignment.plan},
                        {"limits", LimitsToJson(assignment.limits)},
                        {"overrides", OverridesToJson(assignment.overrides)}});
  };
}

}  // namespace gw::web::handlers
