// GET /audit?user=&action=&since=&until=&page=&limit= (admin): the audit log, newest first.
#include <nlohmann/json.hpp>

#include "domain/audit_query.hpp"
#include "domain/email.hpp"
#include "domain/error.hpp"
#include "fcgi/context.hpp"
#include "fcgi/handlers/handlers.hpp"
#include "fcgi/pagination.hpp"

namespace gw::web::handlers {
namespace {

domain::AuditQuery ParseQuery(const Request& request) {
  domain::AuditQuery query;
  const Paging paging = ParsePaging(request);
  query.page = paging.page;
  query.limit = paging.limit;
  if (auto user = request.QueryParam("user")) {
    auto email = domain::NormalizeEmail(*user);
    if (!email) throw domain::Error(domain::ErrorCode::kInvalidQuery, "'user' must be an email address",
                                    {{"parameter", "user"}});
    query.user_email = std::move(email);
  }
  if (auto action = request.QueryParam("action"); action && !action->empty()) query.action = std::move(action);
  if (auto since = request.QueryParam("since")) query.since = domain::RequireIso8601(*since, "since");
  if (auto until = request.QueryParam("until")) query.until = domain::RequireIso8601(*until, "until");
  return query;
}

nlohmann::json ToJson(const domain::AuditEntry& entry) {
  auto optional = [](const std::optional<std::string>& value) {
    return value ? nlohmann::json(*value) : nlohmann::json(nullptr);
  };
  return {{"id", entry.id},
          {"user", optional(entry.user_email)},
          {"actor", optional(entry.actor_email)},
          {"action", entry.action},
          {"details", nlohmann::json::parse(entry.details_json, nullptr, false)},
          {"request_id", entry.request_id},
          {"client_address", entry.client_address},
          {"created_at", entry.created_at}};
}

}  // namespace

Handler GetAudit() {
  return [](Request& request, Context& context) {
    const auto query = ParseQuery(request);
    const auto page = context.audit.List(query);
    nlohmann::json items = nlohmann::json::array();
    for (const auto& entry : page.items) items.push_back(ToJson(entry));
    return PagedJsonResponse("Audit log", items, request, page.total, {query.page, query.limit});
  };
}

}  // namespace gw::web::handlers
