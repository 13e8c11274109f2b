#pragma once
/// @file domain::JobQueue on PostgreSQL (table `jobs`, V003).
///
/// Claiming uses SELECT ... FOR UPDATE SKIP LOCKED, so any number of workers in any number of
/// processes and hosts take disjoint jobs without waiting for each other. Each call is one or
/// two short statements in autocommit (Fail: one transaction of two); none holds a lock while
/// a job runs: the lease in the row is what keeps other workers away. SQL: pg_job_queue_sql.cpp.
///
/// Enqueueing inside the caller's transaction (so that a job exists exactly when the data it
/// works on does) is the static Enqueue below. Like AuditWriter, this header only forward
/// declares pqxx::transaction_base: callers that have a transaction include <pqxx/pqxx>
/// already, everyone else never sees libpqxx. The caller's connection must have been created
/// with EnqueueStatements().

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "domain/job.hpp"
#include "persistence/pg_connection.hpp"

namespace pqxx {
class transaction_base;
}  // namespace pqxx

namespace gw::persistence {

/// The channel Enqueue notifies (payload: the job type) and JobWakeup listens on.
inline constexpr const char* kJobsChannel = "gw_jobs";

class PgJobQueue final : public domain::JobQueue {
 public:
  /// Uses `connection`, which must have been created with Statements(), from one thread.
  explicit PgJobQueue(PgConnection& connection);
  /// Opens (lazily) and owns a connection of its own.
  explicit PgJobQueue(std::string dsn);
  ~PgJobQueue() override;
  PgJobQueue(const PgJobQueue&) = delete;
  PgJobQueue& operator=(const PgJobQueue&) = delete;

  /// Every statement of the queue (includes EnqueueStatements()).
  static std::vector<PreparedStatement> Statements();
  /// Only what the static Enqueue needs: for connections of other repositories.
  static std::vector<PreparedStatement> EnqueueStatements();

  /// Inserts a queued job in `txn` and notifies kJobsChannel; both take effect when (and only
  /// if) `txn` commits. Returns the new id. Throws pqxx errors like any statement in `txn`.
  static std::string Enqueue(pqxx::transaction_base& txn, std::string_view type, std::optional<domain::UserId> user_id,
                             std::string_view payload_json, int max_attempts);

  std::string Enqueue(std::string_view type, std::optional<domain::UserId> user_id, std::string_view payload_json,
                      int max_attempts) override;
  /// Before taking a job, ends every expired lease (see SweepExpiredLeases in the .cpp): the job
  /// becomes failed ("lease_expired") and is claimed again right away, or dead if that was its
  /// last attempt.
  std::optional<domain::Job> Claim(std::string_view worker_id, std::chrono::milliseconds lease,
                                   const std::vector<std::string>& types = {}) override;
  bool Heartbeat(std::string_view id, std::string_view worker_id, std::chrono::milliseconds lease,
                 std::optional<std::int64_t> progress_done = std::nullopt,
                 std::optional<std::int64_t> progress_total = std::nullopt) override;
  bool Complete(std::string_view id, std::string_view worker_id, const std::optional<std::string>& result_json,
                std::optional<std::int64_t> progress_done = std::nullopt,
                std::optional<std::int64_t> progress_total = std::nullopt) override;
  bool Fail(std::string_view id, std::string_view worker_id, std::string_view error_code,
            std::string_view error_message, const domain::RetryPolicy& policy, double jitter01) override;
  bool Bury(std::string_view id, std::string_view worker_id, std::string_view error_code,
            std::string_view error_message) override;
  bool Release(std::string_view id, std::string_view worker_id) override;
  bool Postpone(std::string_view id, std::string_view worker_id, std::string_view error_code,
                std::string_view error_message, std::chrono::milliseconds delay) override;
  int ReclaimOrphans(std::string_view owner_prefix) override;

  std::optional<domain::Job> Find(std::string_view id) override;
  domain::Page<domain::Job> List(domain::UserId user_id, const std::vector<domain::JobState>& states, int page,
                                 int limit) override;
  domain::QueueStats Stats() override;
  bool Retry(std::string_view id) override;

  /// payload->>field of every job of `type` that may still run (queued, running or waiting to
  /// retry): e.g. the spool files upload jobs will read.
  std::vector<std::string> LivePayloadValues(std::string_view type, std::string_view field);

 private:
  /// Runs the single-row statement `name` on job `id` with `args` in autocommit; true when it
  /// changed the row (false too for ids that are no UUID).
  bool FailAttempt(std::string_view id, std::string_view worker_id, std::string_view error_code,
                   std::string_view error_message, const domain::RetryPolicy& policy, double jitter01, bool permanent);
  template <typename... Args>
  bool UpdateOne(const char* name, std::string_view id, const Args&... args);

  std::unique_ptr<PgConnection> owned_;
  PgConnection& connection_;
};

}  // namespace gw::persistence
