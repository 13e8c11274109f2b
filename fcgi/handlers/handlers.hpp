#pragma once
/// @file One factory per route; each lives in the file named after its method and path.

#include "domain/accounts.hpp"
#include "fcgi/router.hpp"

namespace gw::web::handlers {

Handler GetHealth();
Handler GetHealthReady();
Handler PostRegister(domain::AccountService& accounts);
Handler PostStatus(domain::AccountService& accounts);
Handler PostRenew(domain::AccountService& accounts);
Handler PostRevoke(domain::AccountService& accounts);
Handler PostReactivate(domain::AccountService& accounts);
Handler GetAudit();

}  // namespace gw::web::handlers
