#pragma once
/// @file Running one claimed job and reporting how it ended; the jobs a worker runs right now.
///
/// The queue's rules (domain/job.hpp) turn into these outcomes:
///   handler returns           -> Complete, then the outcome's after_success (e.g. drop the spool)
///   domain::Error, client-side code (the input is bad: retrying cannot help) -> Bury (dead)
///   domain::Error kStorageUnavailable (the backend is down) -> Postpone: waits, attempt not counted
///   any other exception       -> Fail: retried after a backoff, dead after the last attempt
///   JobStopped                -> Release (shutdown) or nothing (the lease went to another worker)
/// Errors are recorded with the public code and message of fcgi/http/error_table.cpp, the same the
/// HTTP API uses, because the task's owner reads them; internals go to the log only.

#include <atomic>
#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "domain/job.hpp"

namespace spdlog {
class logger;
}

namespace gw::fcgi {

struct JobOutcome {
  std::string result_json;              //!< stored as the job's result (a JSON document)
  std::function<void()> after_success;  //!< run once the success is recorded; may be empty
};

using JobHandler = std::function<JobOutcome(const domain::Job& job, domain::JobControl& control)>;
/// Handlers by job type.
using JobHandlers = std::map<std::string, JobHandler, std::less<>>;

/// A job in progress in this process: what the heartbeat reports, and the flag that stops it.
struct RunningJob {
  explicit RunningJob(std::string job_id) : id(std::move(job_id)) {}
  const std::string id;
  std::atomic<std::int64_t> done{0};
  std::atomic<std::int64_t> total{-1};  //!< -1: unknown
  std::atomic<bool> stop{false};
  std::atomic<bool> lease_lost{false};
};

/// The jobs this process runs right now. Thread-safe.
class RunningJobs {
 public:
  std::shared_ptr<RunningJob> Add(const std::string& id);
  void Remove(const std::string& id);
  std::vector<std::shared_ptr<RunningJob>> Snapshot() const;
  std::size_t Count() const;
  /// Asks every running job to stop at its next progress report.
  void StopAll();

 private:
  mutable std::mutex mutex_;
  std::map<std::string, std::shared_ptr<RunningJob>> jobs_;
};

enum class JobEnd { kSucceeded, kFailed, kBuried, kReleased, kLeaseLost, kPostponed };

struct JobRunContext {
  domain::JobQueue& queue;
  const JobHandlers& handlers;
  RunningJobs& running;
  std::string worker_id;
  domain::RetryPolicy retry;
  spdlog::logger& log;
  /// How long a job waits for a storage backend that is down when the error names no
  /// Retry-After (its breaker's open time).
  std::chrono::milliseconds backend_wait{60'000};
};

/// Runs `job` (claimed by context.worker_id) with its handler and reports the end to the queue.
/// Never throws: a report the database refuses is logged, and the lease then runs out and the
/// job is retried, which handlers are written to survive (they are idempotent).
JobEnd ExecuteJob(const JobRunContext& context, const domain::Job& job, double jitter01);

/// Extends the lease of every running job and records its progress. A job whose lease was lost
/// (another worker took it over) is told to stop. Never throws.
void HeartbeatRunningJobs(domain::JobQueue& queue, RunningJobs& running, const std::string& worker_id,
                          std::chrono::milliseconds lease, spdlog::logger& log);

}  // namespace gw::fcgi
