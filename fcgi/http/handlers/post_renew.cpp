// POST /renew {email, password} -> a new key; the previous key stops working at once.
#include <nlohmann/json.hpp>

#include "fcgi/http/context.hpp"
#include "fcgi/http/handlers/handlers.hpp"

namespace gw::web::handlers {

Handler PostRenew(domain::AccountService& accounts) {
  return [&accounts](Request& request, Context& context) {
    const auto& body = request.Json();
    const auto issued = accounts.Renew(context.accounts, body.at("email").get<std::string>(),
                                       body.at("password").get<std::string>(), AuditContextOf(request));
    return JsonSuccess(200, "API key renewed. The previous key no longer works.",
                       {{"email", issued.email}, {"api_key", issued.api_key}});
  };
}

}  // namespace gw::web::handlers
