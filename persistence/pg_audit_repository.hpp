#pragma once
/// @file domain::AuditRepository on PostgreSQL: the filtered, paginated audit list.

#include <vector>

#include "domain/ports.hpp"
#include "persistence/pg_connection.hpp"

namespace gw::persistence {

class PgAuditRepository final : public domain::AuditRepository {
 public:
  /// `connection` must have been created with Statements().
  explicit PgAuditRepository(PgConnection& connection) : connection_(connection) {}

  static std::vector<PreparedStatement> Statements();

  /// Newest first. `since` and `until` are inclusive bounds; a value PostgreSQL cannot read as a
  /// timestamp throws Error(kInvalidQuery).
  domain::Page<domain::AuditEntry> List(const domain::AuditQuery& query) override;

 private:
  PgConnection& connection_;
};

}  // namespace gw::persistence
