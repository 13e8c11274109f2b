// POST /status [{email}] -> the key's state, usage, plan and limits. Admins may name another account.
#include <nlohmann/json.hpp>

#include "fcgi/http/context.hpp"
#include "fcgi/http/handlers/handlers.hpp"
#include "fcgi/http/status_json.hpp"

namespace gw::web::handlers {

Handler PostStatus(domain::AccountService& accounts) {
  return [&accounts](Request& request, Context& context) {
    const auto& body = request.Json();
    std::optional<std::string> email;
    if (body.contains("email")) email = body.at("email").get<std::string>();
    const auto status = accounts.Status(context.accounts, *request.principal,
                                        email ? std::optional<std::string_view>(*email) : std::nullopt);
    return JsonSuccessText(200, "API key status", AccountStatusJson(status));
  };
}

}  // namespace gw::web::handlers
