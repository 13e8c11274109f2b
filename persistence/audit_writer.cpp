#include "persistence/audit_writer.hpp"

#include <nlohmann/json.hpp>
#include <optional>
#include <pqxx/pqxx>
#include <string>

namespace gw::persistence {
namespace {

constexpr const char* kInsertAudit = "audit_insert";
constexpr const char* kInsertReadAudit = "audit_insert_read";
constexpr const char* kAuditColumns = "audit_log (user_id, actor_user_id, action, details, request_id, client_address)";

std::optional<std::string> ActorParam(const domain::AuditContext& audit) {
  if (!audit.actor_user_id) return std::nullopt;
  return std::to_string(*audit.actor_user_id);
}

void Insert(pqxx::transaction_base& txn, const char* statement, domain::UserId user_id, std::string_view action,
            const domain::AuditContext& audit, const domain::AuditDetails& details) {
  nlohmann::json json = nlohmann::json::object();
  for (const auto& [key, value] : details) json[key] = value;
  const auto actor = ActorParam(audit);
  // Values must be valid UTF-8 (the domain makes client text so); dump() throws otherwise, and
  // the change is rolled back rather than recorded without its audit row.
  const auto result = txn.exec_prepared(statement, user_id, NullableParam(actor), std::string(action), json.dump(),
                                        audit.request_id, audit.client_address);
  ExpectRows(result.affected_rows(), 1, 1, statement);
}

}  // namespace

std::vector<PreparedStatement> AuditWriter::Statements() {
  return {
      {kInsertAudit, std::string("INSERT INTO ") + kAuditColumns + " VALUES ($1, $2::bigint, $3, $4::jsonb, $5, $6)"},
      // set_config(..., true) lasts until the end of the transaction, its commit included: the
      // statement's own when it runs outside a transaction block. Selected in a CTE so that the
      // setting and the insert are one statement, one round trip.
      {kInsertReadAudit,
       std::string("WITH durability AS (SELECT set_config('synchronous_commit', 'off', true)) INSERT INTO ") +
           kAuditColumns + " SELECT $1::bigint, $2::bigint, $3::text, $4::jsonb, $5::text, $6::text FROM durability"},
  };
}

void AuditWriter::Write(pqxx::transaction_base& txn, domain::UserId user_id, std::string_view action,
                        const domain::AuditContext& audit, const domain::AuditDetails& details) {
  Insert(txn, kInsertAudit, user_id, action, audit, details);
}

void AuditWriter::WriteOfRead(pqxx::transaction_base& txn, domain::UserId user_id, std::string_view action,
                              const domain::AuditContext& audit, const domain::AuditDetails& details) {
  Insert(txn, kInsertReadAudit, user_id, action, audit, details);
}

}  // namespace gw::persistence
