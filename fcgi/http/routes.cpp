#include "fcgi/http/routes.hpp"

#include "fcgi/http/handlers/handlers.hpp"
#include "fcgi/http/wrappers.hpp"

namespace gw::web {
namespace {

// Request body schemas, next to the routes that use them (see docs/api.md).
const BodySchema kCredentials{{{"email", JsonType::kString, true, 320}, {"password", JsonType::kString, true, 1024}}};
const BodySchema kEmail{{{"email", JsonType::kString, true, 320}}};
const BodySchema kOptionalEmail{{{"email", JsonType::kString, false, 320}}, /*body_optional=*/true};

}  // namespace

Handler BuildApplication(const Services& s) {
  using namespace handlers;
  auto& accounts = s.accounts;
  auto& content = s.content;
  auto router = std::make_shared<Router>();

  // method  path             wrappers (outermost first)                               handler
  router->Add("GET",  "/health",       /* public */                                       GetHealth());
  router->Add("GET",  "/health/ready", /* public */                                       GetHealthReady());
  router->Add("POST", "/register",     WithJsonBody(kCredentials,                         PostRegister(accounts)));
  router->Add("POST", "/renew",        WithJsonBody(kCredentials,                         PostRenew(accounts)));
  router->Add("POST", "/status",       WithApiKey(accounts, WithJsonBody(kOptionalEmail,  PostStatus(accounts))));
  router->Add("POST", "/revoke",       WithApiKey(accounts, WithAdmin(WithJsonBody(kEmail, PostRevoke(accounts)))));
  router->Add("POST", "/reactivate",   WithApiKey(accounts, WithAdmin(WithJsonBody(kEmail, PostReactivate(accounts)))));
  router->Add("GET",  "/audit",        WithApiKey(accounts, WithAdmin(                    GetAudit())));
  router->Add("POST", "/upload",       WithApiKey(accounts,                               PostUpload(content)));
  router->Add("GET",  "/retrieve/{cid}", WithApiKey(accounts,                             GetRetrieve(content)));
  router->Add("GET",  "/files",        WithApiKey(accounts,                               GetFiles(content)));
  router->Add("DELETE", "/files/{cid}", WithApiKey(accounts,                              DeleteFilesCid(content)));
  router->Add("POST", "/pin/{cid}",    WithApiKey(accounts,                               PostPinCid(content)));
  router->Add("POST", "/unpin/{cid}",  WithApiKey(accounts,                               PostUnpinCid(content)));
  router->Add("GET",  "/usage",        WithApiKey(accounts,                               GetUsage(content, s.usage)));
  router->Add("GET",  "/tasks",        WithApiKey(accounts,                               GetTasks()));
  router->Add("GET",  "/tasks/{id}/status", WithApiKey(accounts,                          GetTasksIdStatus()));

  return WithAccessLog(s.log, WithJsonErrors(s.log, Dispatch(router)));
}

}  // namespace gw::web
