// GET /usage/daily?days=: the caller's uploads, uploaded bytes and requests per UTC day.
#include <nlohmann/json.hpp>

#include "domain/usage_history.hpp"
#include "fcgi/http/context.hpp"
#include "fcgi/http/handlers/handlers.hpp"

namespace gw::web::handlers {

Handler GetUsageDaily(domain::UsageCounter& usage) {
  return [&usage](Request& request, Context& context) {
    const auto& caller = *request.principal;
    const int days = domain::ParseUsageDays(request.QueryParam("days"));
    const auto filled =
        domain::ReadDailyUsage(context.files, caller, days, usage.Pending(caller.user_id), AuditContextOf(request));
    nlohmann::json data = nlohmann::json::array();
    for (const auto& day : filled) {
      data.push_back({{"date", day.date}, {"uploads", day.uploads}, {"bytes", day.bytes}, {"requests", day.requests}});
    }
    return JsonSuccess(200, "Daily usage", data);
  };
}

}  // namespace gw::web::handlers
