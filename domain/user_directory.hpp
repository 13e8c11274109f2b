#pragma once
/// @file The administrators' list of accounts: the use case behind GET /admin/users.

#include <optional>
#include <string>

#include "domain/account.hpp"
#include "domain/ports.hpp"

namespace gw::domain {

/// The list's filters as the client sent them (query parameters), before validation.
struct UserFilter {
  std::optional<std::string> q;      //!< part of the email; empty means any
  std::optional<std::string> state;  //!< "active" or "revoked"; empty means both
  int page = 1;
  int limit = 20;
};

/// The repository query for `filter`, or kInvalidQuery naming the parameter: `q` must be UTF-8
/// text without NUL of at most 254 bytes (the longest email), `state` "active" or "revoked".
UserQuery ToUserQuery(const UserFilter& filter);

/// One page of the live accounts, by email. Only administrators may read it (kForbidden for
/// anyone else, even if a route forgot its admin wrapper).
Page<UserSummary> ListUsers(AccountRepository& accounts, const Principal& caller, const UserFilter& filter);

}  // namespace gw::domain
