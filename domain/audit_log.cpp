#include "domain/audit_log.hpp"

#include "domain/audit_query.hpp"
#include "domain/email.hpp"
#include "domain/error.hpp"

namespace gw::domain {

Page<AuditEntry> ReadAuditLog(AuditRepository& audit, const Principal& caller, const AuditFilter& filter) {
  if (!caller.is_admin) throw Error(ErrorCode::kForbidden, "This action requires an administrator API key");
  AuditQuery query;
  query.page = filter.page;
  query.limit = filter.limit;
  if (filter.user) {
    query.user_email = NormalizeEmail(*filter.user);
    if (!query.user_email) {
      throw Error(ErrorCode::kInvalidQuery, "'user' must be an email address", {{"parameter", "user"}});
    }
  }
  if (filter.action && !filter.action->empty()) query.action = filter.action;
  if (filter.since) query.since = RequireIso8601(*filter.since, "since");
  if (filter.until) query.until = RequireIso8601(*filter.until, "until");
  return audit.List(query);
}

}  // namespace gw::domain
