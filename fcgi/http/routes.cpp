#include "fcgi/http/routes.hpp"

#include "fcgi/http/body_schemas.hpp"
#include "fcgi/http/handlers/handlers.hpp"
#include "fcgi/http/wrappers.hpp"

namespace gw::web {

Handler BuildApplication(const Services& s) {
  using namespace handlers;
  using namespace schemas;
  auto& accounts = s.accounts;
  auto& content = s.content;
  auto router = std::make_shared<Router>();
  Router& api = *router;
  // Budgets (docs/api.md, "Rate limits"): per user at the plan's rate on every authenticated
  // route, per client address on the unauthenticated ones that check a password or create
  // accounts, and uploaded bytes per user and day. Health checks and /metrics are never limited.
  const auto per_key = [&s](Handler inner) {
    return WithRateLimit(s.limiting, RateLimitPolicy::PerKey(), std::move(inner));
  };
  const auto per_address = [&s](Handler inner) {
    return WithRateLimit(s.limiting, RateLimitPolicy::PerClientAddress(s.per_address_limit), std::move(inner));
  };
  const auto upload_budget = [&s](Handler inner) {
    return WithRateLimit(s.limiting, RateLimitPolicy::UploadBudget(), std::move(inner));
  };

  const auto counted = [&s](Handler inner) { return WithUploadCount(s.metrics.metrics, std::move(inner)); };

  // The table is aligned by hand so that it reads like the API reference.
  // clang-format off
  //      method    path                         wrappers (outermost first)                                       handler
  api.Add("GET",    "/health",                   /* public */                                                     GetHealth());
  api.Add("GET",    "/health/ready",             /* public */                                                     GetHealthReady());
  api.Add("POST",   "/register",                 per_address(WithJsonBody(kCredentials,                           PostRegister(accounts))));
  api.Add("POST",   "/renew",                    per_address(WithJsonBody(kCredentials,                           PostRenew(accounts))));
  api.Add("POST",   "/status",                   WithApiKey(accounts, per_key(WithJsonBody(kOptionalEmail,        PostStatus(accounts)))));
  api.Add("POST",   "/revoke",                   WithApiKey(accounts, per_key(WithAdmin(WithJsonBody(kEmail,      PostRevoke(accounts))))));
  api.Add("POST",   "/reactivate",               WithApiKey(accounts, per_key(WithAdmin(WithJsonBody(kEmail,      PostReactivate(accounts))))));
  api.Add("GET",    "/audit",                    WithApiKey(accounts, per_key(WithAdmin(                          GetAudit()))));
  api.Add("GET",    "/admin/plans",              WithApiKey(accounts, per_key(WithAdmin(                          GetAdminPlans(accounts)))));
  api.Add("PUT",    "/admin/users/{email}/plan", WithApiKey(accounts, per_key(WithAdmin(WithJsonBody(kPlanChange, PutAdminUsersEmailPlan(accounts))))));
  api.Add("POST",   "/upload",                   WithApiKey(accounts, per_key(upload_budget(counted(              PostUpload(content))))));
  api.Add("GET",    "/retrieve/{cid}",           WithApiKey(accounts, per_key(                                    GetRetrieve(content))));
  api.Add("GET",    "/files",                    WithApiKey(accounts, per_key(                                    GetFiles(content))));
  api.Add("DELETE", "/files/{cid}",              WithApiKey(accounts, per_key(                                    DeleteFilesCid(content))));
  api.Add("POST",   "/pin/{cid}",                WithApiKey(accounts, per_key(                                    PostPinCid(content))));
  api.Add("POST",   "/unpin/{cid}",              WithApiKey(accounts, per_key(                                    PostUnpinCid(content))));
  api.Add("GET",    "/usage",                    WithApiKey(accounts, per_key(                                    GetUsage(content, s.usage))));
  api.Add("GET",    "/usage/daily",              WithApiKey(accounts, per_key(                                    GetUsageDaily(s.usage))));
  api.Add("GET",    "/admin/users",              WithApiKey(accounts, per_key(WithAdmin(                          GetAdminUsers()))));
  api.Add("GET",    "/tasks",                    WithApiKey(accounts, per_key(                                    GetTasks())));
  api.Add("GET",    "/tasks/{id}/status",        WithApiKey(accounts, per_key(                                    GetTasksIdStatus())));
  api.Add("POST",   "/session",                  per_address(WithJsonBody(kSignIn,                                    PostSession(accounts))));
  api.Add("GET",    "/session",                  WithApiKey(accounts, per_key(                                    GetSession())));
  api.Add("DELETE", "/session",                  WithApiKey(accounts, per_key(                                    DeleteSession(accounts))));
  if (s.metrics.metrics != nullptr) {
  api.Add("GET",    "/metrics",                  /* nginx: loopback and GW_METRICS_ALLOW only */                  GetMetrics(s.metrics, api));
  }
  // clang-format on

  return WithClientAddress(
      s.client_address, WithMetrics(s.metrics.metrics, WithAccessLog(s.log, WithJsonErrors(s.log, Dispatch(router)))));
}

}  // namespace gw::web
