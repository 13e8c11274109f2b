// GET /audit?user=&action=&since=&until=&page=&limit= (admin): the audit log, newest first.
#include <nlohmann/json.hpp>

#include "domain/audit_log.hpp"
#include "fcgi/http/context.hpp"
#include "fcgi/http/handlers/handlers.hpp"
#include "fcgi/http/pagination.hpp"

namespace gw::web::handlers {
namespace {

domain::AuditFilter ParseFilter(const Request& request) {
  const Paging paging = ParsePaging(request);
  return {request.QueryParam("user"),
          request.QueryParam("action"),
          request.QueryParam("since"),
          request.QueryParam("until"),
          paging.page,
          paging.limit};
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
    const auto filter = ParseFilter(request);
    const auto page = domain::ReadAuditLog(context.audit, *request.principal, filter);
    nlohmann::json items = nlohmann::json::array();
    for (const auto& entry : page.items) items.push_back(ToJson(entry));
    return PagedJsonResponse("Audit log", items, request, page.total, {page.page, page.limit}, page.total_exact);
  };
}

}  // namespace gw::web::handlers
