#include "persistence/audit_writer.hpp"

#include <nlohmann/json.hpp>
#include <optional>
#include <pqxx/pqxx>
#include <string>

namespace gw::persistence {
namespace {

constexpr const char* kInsertAudit = "audit_insert";

std::optional<std::string> ActorParam(const domain::AuditContext& audit) {
  if (!audit.actor_user_id) return std::nullopt;
  return std::to_string(*audit.actor_user_id);
}

}  // namespace

std::vector<PreparedStatement> AuditWriter::Statements() {
  return {
      {kInsertAudit,
       "INSERT INTO audit_log (user_id, actor_user_id, action, details, request_id, client_address) "
       "VALUES ($1, $2::bigint, $3, $4::jsonb, $5, $6)"},
  };
}

void AuditWriter::Write(pqxx::transaction_base& txn, domain::UserId user_id, std::string_view action,
                        const domain::AuditContext& audit, const domain::AuditDetails& details) {
  nlohmann::json json = nlohmann::json::object();
  for (const auto& [key, value] : details) json[key] = value;
  const auto actor = ActorParam(audit);
  // Values must be valid UTF-8 (the domain makes client text so); dump() throws otherwise, and
  // the change is rolled back rather than recorded without its audit row.
  const auto result = txn.exec_prepared(kInsertAudit, user_id, NullableParam(actor), std::string(action), json.dump(),
                                        audit.request_id, audit.client_address);
  ExpectRows(result.affected_rows(), 1, 1, kInsertAudit);
}

}  // namespace gw::persistence
