#pragma once
/// @file One factory per route; each lives in the file named after its method and path.

#include <nlohmann/json_fwd.hpp>

#include <string>

#include "domain/accounts.hpp"
#include "domain/content_service.hpp"
#include "domain/usage_counter.hpp"
#include "fcgi/http/router.hpp"

namespace gw::pool {
class PoolMetrics;
}

namespace gw::web::handlers {

/// What GET /metrics reports besides the shared counters.
struct MetricsEndpoint {
  pool::PoolMetrics* metrics = nullptr;  //!< null: metrics are off and the route does not exist
  std::string backend;                   //!< "local" or "filebase"
  std::string version;
  std::string commit;
  std::string store_dir;  //!< its filesystem's free space is reported
};

Handler GetHealth();
Handler GetHealthReady();
Handler PostRegister(domain::AccountService& accounts);
Handler PostStatus(domain::AccountService& accounts);
Handler PostRenew(domain::AccountService& accounts);
Handler PostRevoke(domain::AccountService& accounts);
Handler PostReactivate(domain::AccountService& accounts);
Handler GetAudit();
Handler GetAdminPlans(domain::AccountService& accounts);
Handler PutAdminUsersEmailPlan(domain::AccountService& accounts);
Handler PostUpload(domain::ContentService& content);
Handler GetRetrieve(domain::ContentService& content);
Handler GetFiles(domain::ContentService& content);
Handler DeleteFilesCid(domain::ContentService& content);
Handler PostPinCid(domain::ContentService& content);
Handler PostUnpinCid(domain::ContentService& content);
Handler GetUsage(domain::ContentService& content, domain::UsageCounter& usage);
Handler GetTasks();
Handler GetTasksIdStatus();
Handler GetUsageDaily(domain::UsageCounter& usage);
Handler GetAdminUsers();
Handler GetMetrics(const MetricsEndpoint& endpoint, const Router& router);
// Browser sessions (docs/api.md, "Sessions")
/// The `data` of POST and GET /session.
nlohmann::json SessionJson(const domain::SessionView& view);
/// GET and DELETE /session answered to an X-API-Key without the cookie.
inline constexpr const char* kNeedsSessionCookie = "This endpoint needs the session cookie __Host-gw_session";
Handler PostSession(domain::AccountService& accounts);
Handler GetSession();
Handler DeleteSession(domain::AccountService& accounts);

}  // namespace gw::web::handlers
