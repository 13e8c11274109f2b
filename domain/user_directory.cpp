#include "domain/user_directory.hpp"

#include "domain/error.hpp"
#include "domain/filename.hpp"

namespace gw::domain {
namespace {

constexpr std::size_t kMaxEmailBytes = 254;

Error QueryError(const char* name, std::string message) {
  return Error(ErrorCode::kInvalidQuery, std::move(message), {{"parameter", name}});
}

}  // namespace

UserQuery ToUserQuery(const UserFilter& filter) {
  UserQuery query;
  query.page = filter.page;
  query.limit = filter.limit;
  if (filter.q && !filter.q->empty()) {
    const std::string& q = *filter.q;
    if (q.size() > kMaxEmailBytes) throw QueryError("q", "'q' must be at most 254 bytes");
    // Emails are UTF-8 text without NUL; PostgreSQL would refuse anything else as a parameter.
    if (StorableText(q, q.size()) != q) throw QueryError("q", "'q' must be UTF-8 text without NUL");
    query.email_contains = q;
  }
  if (filter.state && !filter.state->empty()) {
    if (*filter.state == "active") {
      query.active = true;
    } else if (*filter.state == "revoked") {
      query.active = false;
    } else {
      throw QueryError("state", "'state' must be 'active' or 'revoked'");
    }
  }
  return query;
}

Page<UserSummary> ListUsers(AccountRepository& accounts, const Principal& caller, const UserFilter& filter) {
  if (!caller.is_admin) throw Error(ErrorCode::kForbidden, "This action requires an administrator API key");
  return accounts.ListUsers(ToUserQuery(filter));
}

}  // namespace gw::domain
