#pragma once
/// @file One factory per route; each lives in the file named after its method and path.

#include "domain/accounts.hpp"
#include "domain/content_service.hpp"
#include "domain/usage_counter.hpp"
#include "fcgi/http/router.hpp"

namespace gw::web::handlers {

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

}  // namespace gw::web::handlers
