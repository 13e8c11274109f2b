// POST /register {email, password} -> 201 {email, api_key}. The key is shown this once only.
#include <nlohmann/json.hpp>

#include "fcgi/http/context.hpp"
#include "fcgi/http/handlers/handlers.hpp"

namespace gw::web::handlers {

Handler PostRegister(domain::AccountService& accounts) {
  return [&accounts](Request& request, Context& context) {
    const auto& body = request.Json();
    const auto issued = accounts.Register(context.accounts, body.at("email").get<std::string>(),
                                          body.at("password").get<std::string>(), AuditContextOf(request));
    return JsonSuccess(201, "Account created. Store the API key now: it is not shown again.",
                       {{"email", issued.email}, {"api_key", issued.api_key}});
  };
}

}  // namespace gw::web::handlers
