// PgFileRepository's task methods: a job and its audit row created in one transaction, so a
// task exists exactly when the request that asked for it was accepted.
#include <pqxx/pqxx>

#include "persistence/audit_writer.hpp"
#include "persistence/pg_file_repository.hpp"
#include "persistence/pg_job_queue.hpp"

namespace gw::persistence {
namespace {

constexpr const char* kLockHeld = "files_lock_held";

// The job and its audit row in `txn`: both commit or neither does.
std::string EnqueueAudited(pqxx::work& txn, domain::UserId user, std::string_view type, std::string_view payload_json,
                           int max_attempts, std::string_view action, const domain::AuditContext& audit,
                           domain::AuditDetails details) {
  auto id = PgJobQueue::Enqueue(txn, type, user, payload_json, max_attempts);
  details.emplace_back("task_id", id);
  AuditWriter::Write(txn, user, std::string(action), audit, details);
  return id;
}

}  // namespace

std::vector<PreparedStatement> PgFileRepository::TaskStatements() {
  return {
      // The row stays locked until the job is in: a concurrent DELETE waits, then soft-deletes
      // a file whose pin task is already queued (the task then finds it gone and fails clearly).
      {kLockHeld, "SELECT id FROM files WHERE user_id = $1 AND cid IN ($2, $3) AND deleted_at IS NULL FOR UPDATE"},
  };
}

std::string PgFileRepository::EnqueueJob(domain::UserId user, std::string_view type, std::string_view payload_json,
                                         int max_attempts, std::string_view action, const domain::AuditContext& audit) {
  return connection_.Run([&](pqxx::connection_base& connection) {
    pqxx::work txn(connection);
    auto id = EnqueueAudited(txn, user, type, payload_json, max_attempts, action, audit, {});
    txn.commit();
    return id;
  });
}

std::optional<std::string> PgFileRepository::EnqueueJobForHeld(domain::UserId user, std::string_view cid,
                                                               std::string_view type, std::string_view payload_json,
                                                               int max_attempts, std::string_view action,
                                                               const domain::AuditContext& audit) {
  return connection_.Run([&](pqxx::connection_base& connection) -> std::optional<std::string> {
    pqxx::work txn(connection);
    const auto held = txn.exec_prepared(kLockHeld, user, std::string(cid), OtherRecordedSpelling(cid));
    ExpectRows(held.size(), 0, 1, kLockHeld);
    if (held.empty()) return std::nullopt;
    auto id = EnqueueAudited(txn, user, type, payload_json, max_attempts, action, audit, {{"cid", std::string(cid)}});
    txn.commit();
    return id;
  });
}

}  // namespace gw::persistence
