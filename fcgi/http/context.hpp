#pragma once
/// @file Per-thread resources a handler may use: repositories bound to this thread's own
/// database connection (a libpqxx connection must never be shared between threads).

#include <cstdint>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "domain/content.hpp"
#include "domain/job.hpp"
#include "domain/ports.hpp"
#include "fcgi/http/http_request.hpp"

namespace gw::web {

struct Context {
  domain::AccountRepository& accounts;
  domain::AuditRepository& audit;
  domain::FileRepository& files;
  domain::JobQueue& jobs;
  std::function<bool()> database_ping;  //!< true when PostgreSQL answers
  /// The service's PostgreSQL connections by state (for /metrics); throws when unreachable.
  std::function<std::vector<std::pair<std::string, std::int64_t>>()> database_connections;
  /// Browser sessions (the cookie); null where no session can be resolved (some unit tests).
  domain::SessionRepository* sessions = nullptr;
};

/// Who did it and from where, for the audit row of a mutating action.
inline domain::AuditContext AuditContextOf(const Request& request) {
  domain::AuditContext audit{request.request_id, request.ClientAddress(), std::nullopt};
  if (request.principal) audit.actor_user_id = request.principal->user_id;
  return audit;
}

}  // namespace gw::web
