#include "fcgi/http/routes.hpp"

#include "fcgi/http/handlers/handlers.hpp"
#include "fcgi/http/wrappers.hpp"

namespace gw::web {
namespace {

// Request body schemas, next to the routes that use them (see docs/api.md).
const BodySchema kCredentials{{{"email", JsonType::kString, true, 320}, {"password", JsonType::kString, true, 1024}}};
const BodySchema kEmail{{{"email", JsonType::kString, true, 320}}};
const BodySchema kOptionalEmail{{{"email", JsonType::kString, false, 320}}, /*body_optional=*/true};
// Each override: a number (0 = unlimited) or null/absent (the plan's value applies).
const BodySchema kLimitOverrides{{{"requests_per_minute", JsonType::kInteger, false},
                                  {"burst", JsonType::kInteger, false},
                                  {"upload_bytes_per_day", JsonType::kInteger, false}}};
const BodySchema kPlanChange{
    {{"plan", JsonType::kString, true, 64}, {"overrides", JsonType::kObject, false, 0, &kLimitOverrides}}};

}  // namespace

Handler BuildApplication(const Services& s) {
  using namespace handlers;
  auto& accounts = s.accounts;
  auto& content = s.content;
  auto router = std::make_shared<Router>();
  Router& api = *router;

  // The table is aligned by hand so that it reads like the API reference.
  // clang-format off
  //      method    path                  wrappers (outermost first)                          handler
  api.Add("GET",    "/health",            /* public */                                        GetHealth());
  api.Add("GET",    "/health/ready",      /* public */                                        GetHealthReady());
  api.Add("POST",   "/register",          WithJsonBody(kCredentials,                          PostRegister(accounts)));
  api.Add("POST",   "/renew",             WithJsonBody(kCredentials,                          PostRenew(accounts)));
  api.Add("POST",   "/status",            WithApiKey(accounts, WithJsonBody(kOptionalEmail,   PostStatus(accounts))));
  api.Add("POST",   "/revoke",            WithApiKey(accounts, WithAdmin(WithJsonBody(kEmail, PostRevoke(accounts)))));
  api.Add("POST",   "/reactivate",        WithApiKey(accounts, WithAdmin(WithJsonBody(kEmail, PostReactivate(accounts)))));
  api.Add("GET",    "/audit",             WithApiKey(accounts, WithAdmin(                     GetAudit())));
  api.Add("GET",    "/admin/plans",       WithApiKey(accounts, WithAdmin(                     GetAdminPlans(accounts))));
  api.Add("PUT",    "/admin/users/{email}/plan",
                                          WithApiKey(accounts, WithAdmin(WithJsonBody(kPlanChange, PutAdminUsersEmailPlan(accounts)))));
  api.Add("POST",   "/upload",            WithApiKey(accounts,                                PostUpload(content)));
  api.Add("GET",    "/retrieve/{cid}",    WithApiKey(accounts,                                GetRetrieve(content)));
  api.Add("GET",    "/files",             WithApiKey(accounts,                                GetFiles(content)));
  api.Add("DELETE", "/files/{cid}",       WithApiKey(accounts,                                DeleteFilesCid(content)));
  api.Add("POST",   "/pin/{cid}",         WithApiKey(accounts,                                PostPinCid(content)));
  api.Add("POST",   "/unpin/{cid}",       WithApiKey(accounts,                                PostUnpinCid(content)));
  api.Add("GET",    "/usage",             WithApiKey(accounts,                                GetUsage(content, s.usage)));
  api.Add("GET",    "/tasks",             WithApiKey(accounts,                                GetTasks()));
  api.Add("GET",    "/tasks/{id}/status", WithApiKey(accounts,                                GetTasksIdStatus()));
  // clang-format on

  return WithAccessLog(s.log, WithJsonErrors(s.log, Dispatch(router)));
}

}  // namespace gw::web
