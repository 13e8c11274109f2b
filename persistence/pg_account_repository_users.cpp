// PgAccountRepository::ListUsers: the administrators' list of live accounts, by email.
#include <optional>
#include <pqxx/pqxx>
#include <string>

#include "persistence/pg_account_repository.hpp"
#include "persistence/pg_field.hpp"
#include "persistence/pg_file_repository.hpp"
#include "persistence/pg_paged_list.hpp"

namespace gw::persistence {
namespace {

constexpr const char* kList = "acc_list_users";
constexpr const char* kListReversed = "acc_list_users_reversed";
constexpr const char* kCount = "acc_count_users";

// One statement for every filter combination: a NULL parameter disables its filter. The email
// part arrives with LIKE metacharacters escaped (EscapeLike), so it is matched literally.
constexpr const char* kFilter =
    " FROM users u LEFT JOIN api_keys k ON k.user_id = u.id AND k.is_current"
    " WHERE NOT u.is_deleted"
    " AND ($1::text IS NULL OR u.email ILIKE '%' || $1::text || '%' ESCAPE '\\')"
    " AND ($2::boolean IS NULL OR u.is_active = $2::boolean)";

domain::UserSummary ReadUser(const pqxx::row& row) {
  domain::UserSummary user;
  user.email = row[0].as<std::string>();
  user.active = row[1].as<bool>();
  user.is_admin = row[2].as<bool>();
  user.plan = row[3].as<std::string>();
  user.created_at = row[4].as<std::string>();
  user.last_renewed_at = Nullable<std::string>(row[5]);
  user.revoked_at = Nullable<std::string>(row[6]);
  user.key_prefix = Nullable<std::string>(row[7]);
  user.usage_count = row[8].as<std::int64_t>();
  return user;
}

const char* ActiveParam(const std::optional<bool>& active) {
  if (!active) return nullptr;
  return *active ? "true" : "false";
}

std::string UserColumns() {
  return "SELECT u.email, u.is_active, u.is_admin, u.plan, " + IsoUtc("u.created_at") + ", " +
         IsoUtc("u.last_renewed_at") + ", " + IsoUtc("u.revoked_at") + ", k.key_prefix, u.usage_count";
}

}  // namespace

std::vector<PreparedStatement> PgAccountRepository::UserListStatements() {
  return {
      // Paged as persistence/pg_paged_list.hpp describes; by email along users_email_live_key.
      {kList, UserColumns() + kFilter + " ORDER BY u.email, u.id LIMIT $3 OFFSET $4"},
      {kListReversed, UserColumns() + kFilter + " ORDER BY u.email DESC, u.id DESC LIMIT $3 OFFSET $4"},
      // Exact: accounts are few next to files or audit rows (one index-only count).
      {kCount, std::string("SELECT count(*)") + kFilter},
  };
}

domain::Page<domain::UserSummary> PgAccountRepository::ListUsers(const domain::UserQuery& query) {
  const auto window = MakePageWindow(query.page, query.limit);
  std::optional<std::string> email_part;
  if (query.email_contains) email_part = EscapeLike(*query.email_contains);
  return connection_.Run([&](pqxx::connection_base& connection) {
    SnapshotRead txn(connection);
    const auto total = ReadCounter(txn, kCount, NullableParam(email_part), ActiveParam(query.active));
    auto page = ReadPage<domain::UserSummary>(txn, window, total, kList, kListReversed, ReadUser,
                                              NullableParam(email_part), ActiveParam(query.active));
    txn.commit();
    return page;
  });
}

}  // namespace gw::persistence
