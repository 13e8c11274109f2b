#pragma once
/// @file The audit_log insert shared by the repositories: each writes its audit row inside the
/// transaction of the change it records, so a rolled-back change leaves no audit row and a
/// committed one always has one. A read (a listing) changes nothing: its row is written by
/// WriteOfRead and committed without waiting for the WAL flush (docs/architecture.md, Audit).

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

  /// The audit row of a read, in `txn`, which must have written nothing else: the transaction
  /// that commits it (a pqxx::nontransaction's own statement, or `txn`'s commit) runs with
  /// synchronous_commit off, so it does not wait for the WAL flush. The row may be lost in a
  /// crash within 3 x wal_writer_delay (200 ms by default) of the commit, unless a later
  /// synchronous commit flushed it; a change's row never is.
  static void WriteOfRead(pqxx::transaction_base& txn, domain::UserId user_id, std::string_view action,
                          const domain::AuditContext& audit, const domain::AuditDetails& details);
};

}  // namespace gw::persistence
