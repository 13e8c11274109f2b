// POST /status [{email}] -> the key's state, usage, plan and limits. Admins may name another account.
#include <nlohmann/json.hpp>

#include "fcgi/http/context.hpp"
#include "fcgi/http/handlers/handlers.hpp"
#include "fcgi/http/plan_json.hpp"

namespace gw::web::handlers {

Handler PostStatus(domain::AccountService& accounts) {
  return [&accounts](Request& request, Context& context) {
    const auto& body = request.Json();
    std::optional<std::string> email;
    if (body.contains("email")) email = body.at("email").get<std::string>();
    const auto status = accounts.Status(context.accounts, *request.principal,
                                        email ? std::optional<std::string_view>(*email) : std::nullopt);
    nlohmann::json data{{"email", status.email},       {"state", domain::ToString(status.key_state)},
                        {"is_admin", status.is_admin}, {"created_at", status.created_at},
                        {"last_renewed_at", nullptr},  {"usage_count", status.usage_count},
                        {"plan", status.plan},         {"limits", LimitsToJson(status.limits)}};
    if (status.last_renewed_at) data["last_renewed_at"] = *status.last_renewed_at;
    data["key_prefix"] = status.key_prefix ? nlohmann::json(*status.key_prefix) : nlohmann::json(nullptr);
    data["key_created_at"] = status.key_created_at ? nlohmann::json(*status.key_created_at) : nlohmann::json(nullptr);
    return JsonSuccess(200, "API key status", data);
  };
}

}  // namespace gw::web::handlers
