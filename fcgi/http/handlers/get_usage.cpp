// GET /usage: the caller's file count, stored and pinned bytes, and request count.
#include <nlohmann/json.hpp>

#include "fcgi/http/context.hpp"
#include "fcgi/http/handlers/handlers.hpp"

namespace gw::web::handlers {

Handler GetUsage(domain::ContentService& content, domain::UsageCounter& usage) {
  return [&content, &usage](Request& request, Context& context) {
    const auto& caller = *request.principal;
    const auto summary = content.Usage(context.files, caller, usage.Pending(caller.user_id), AuditContextOf(request));
    return JsonSuccess(200, "Usage",
                       {{"file_count", summary.file_count},
                        {"stored_bytes", summary.stored_bytes},
                        {"pinned_bytes", summary.pinned_bytes},
                        {"request_count", summary.request_count},
                        {"requests_this_month", summary.requests_this_month}});
  };
}

}  // namespace gw::web::handlers
