// GET /admin/users?q=&state=&page=&limit= (admin): the live accounts, by email.
#include <nlohmann/json.hpp>

#include "domain/user_directory.hpp"
#include "fcgi/http/context.hpp"
#include "fcgi/http/handlers/handlers.hpp"
#include "fcgi/http/pagination.hpp"

namespace gw::web::handlers {
namespace {

nlohmann::json Optional(const std::optional<std::string>& value) {
  return value ? nlohmann::json(*value) : nlohmann::json(nullptr);
}

nlohmann::json ToJson(const domain::UserSummary& user) {
  return {{"email", user.email},
          {"state", user.active ? "active" : "revoked"},
          {"is_admin", user.is_admin},
          {"plan", user.plan},
          {"created_at", user.created_at},
          {"last_renewed_at", Optional(user.last_renewed_at)},
          {"revoked_at", Optional(user.revoked_at)},
          {"key_prefix", Optional(user.key_prefix)},
          {"usage_count", user.usage_count}};
}

}  // namespace

Handler GetAdminUsers() {
  return [](Request& request, Context& context) {
    const Paging paging = ParsePaging(request);
    const domain::UserFilter filter{request.QueryParam("q"), request.QueryParam("state"), paging.page, paging.limit};
    const auto page = domain::ListUsers(context.accounts, *request.principal, filter);
    nlohmann::json items = nlohmann::json::array();
    for (const auto& user : page.items) items.push_back(ToJson(user));
    return PagedJsonResponse("Users", items, request, page.total, {page.page, page.limit}, page.total_exact);
  };
}

}  // namespace gw::web::handlers
