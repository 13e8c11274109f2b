// POST /revoke {email} (admin): the account's key stops working on every worker within a second.
#include <nlohmann/json.hpp>

#include "fcgi/http/context.hpp"
#include "fcgi/http/handlers/handlers.hpp"

namespace gw::web::handlers {

Handler PostRevoke(domain::AccountService& accounts) {
  return [&accounts](Request& request, Context& context) {
    const std::string email = request.Json().at("email").get<std::string>();
    accounts.Revoke(context.accounts, *request.principal, email, AuditContextOf(request));
    return JsonSuccess(200, "API key revoked", {{"email", email}, {"state", "revoked"}});
  };
}

}  // namespace gw::web::handlers
