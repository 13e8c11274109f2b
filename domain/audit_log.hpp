#pragma once
/// @file Reading the audit log: the use case behind GET /audit.

#include <optional>
#include <string>

#include "domain/account.hpp"
#include "domain/ports.hpp"

namespace gw::domain {

/// The audit log's filters as the client sent them (query parameters), before validation.
struct AuditFilter {
  std::optional<std::string> user;    //!< an email address
  std::optional<std::string> action;  //!< an exact action name; empty means any
  std::optional<std::string> since;   //!< ISO 8601, inclusive
  std::optional<std::string> until;   //!< ISO 8601, inclusive
  int page = 1;
  int limit = 20;
};

/// One page of the audit log, newest first. Only administrators may read it (kForbidden for
/// anyone else, even if a route forgot its admin wrapper); a filter that is not an email or
/// not ISO 8601 is kInvalidQuery naming the parameter.
Page<AuditEntry> ReadAuditLog(AuditRepository& audit, const Principal& caller, const AuditFilter& filter);

}  // namespace gw::domain
