// POST /reactivate {email} (admin): the account's current key works again.
#include <nlohmann/json.hpp>

#include "fcgi/http/context.hpp"
#include "fcgi/http/handlers/handlers.hpp"

namespace gw::web::handlers {

Handler PostReactivate(domain::AccountService& accounts) {
  return [&accounts](Request& request, Context& context) {
    const std::string email = request.Json().at("email").get<std::string>();
    accounts.Reactivate(context.accounts, *request.principal, email, AuditContextOf(request));
    return JsonSuccess(200, "API key reactivated", {{"email", email}, {"state", "active"}});
  };
}

}  // namespace gw::web::handlers
