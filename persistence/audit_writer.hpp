#pragma once
/// @file The audit_log insert shared by the repositories: each writes its audit row inside the
/// transaction of the change it records, so a rolled-back change leaves no audit row and a
/// committed one always has one.

#include <string_view>
#include <vector>

#include "domain/account.hpp"
#include "persistence/pg_connection.hpp"

namespace pqxx {
class transaction_base;
}  // namespace pqxx

namespace gw::persistence {

class AuditWriter {
 public:
  /// Prepare these once per connection (PgSession does) for every repository that writes audit rows.
  static std::vector<PreparedStatement> Statements();

  /// Inserts one audit_log row in `txn`; `details` become a JSON object of strings.
  static void Write(pqxx::transaction_base& txn, domain::UserId user_id, std::string_view action,
                    const domain::AuditContext& audit, const domain::AuditDetails& details);
};

}  // namespace gw::persistence
