#pragma once
/// @file Asynchronous jobs: the states, the record, the retry policy and the JobQueue port.
///
/// A job is claimed by a worker for a lease (a time limit it must keep extending with
/// Heartbeat). A worker that dies stops extending it; once the lease expires another worker
/// takes the job over, so a killed worker loses nothing. Every attempt that fails waits for an
/// exponentially growing, jittered delay (BackoffDelay); after its last attempt a job is dead.
/// Timestamps are ISO 8601 UTC strings, as everywhere in the domain.

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "domain/account.hpp"

namespace gw::domain {

/// kFailed: an attempt failed and the job waits for its retry; kDead: no attempts left.
enum class JobState { kQueued, kRunning, kSucceeded, kFailed, kDead };
std::string_view ToString(JobState state);
/// The inverse of ToString; nullopt for any other text.
std::optional<JobState> ParseJobState(std::string_view text);

/// Job ids are UUIDs in their canonical text form (8-4-4-4-12 hex digits, any case). Anything
/// else can name no job, so callers answer "not found" without asking the database.
bool IsJobId(std::string_view text);

struct Job {
  std::string id;
  std::string type;
  std::optional<UserId> user_id;  //!< nullopt for system jobs
  std::string payload_json;
  JobState state = JobState::kQueued;
  int attempts = 0;  //!< attempts started so far, including a running one
  int max_attempts = 0;
  std::int64_t progress_done = 0;
  std::optional<std::int64_t> progress_total;
  std::optional<std::string> result_json;  //!< set by Complete
  /// The last failure, kept while the job retries and after it died; cleared on success.
  std::optional<std::string> error_code;
  std::optional<std::string> error_message;
  std::string created_at;
  std::string updated_at;
  std::string run_after;                   //!< not claimed before this time
  std::optional<std::string> finished_at;  //!< set when succeeded or dead
};

struct RetryPolicy {
  int max_attempts = 5;  //!< the default for new jobs; each job stores its own
  std::chrono::milliseconds base_delay{1000};
  std::chrono::milliseconds max_delay{60000};
};

/// The wait before the retry that follows failed attempt `attempt` (1 = the first attempt),
/// with "equal jitter": half of min(max_delay, base_delay * 2^(attempt-1)) for sure, plus up to
/// the other half at random (`jitter01` in [0, 1), clamped). Equal rather than full jitter: it
/// still spreads out retries of jobs that failed together (a backend outage), but never retries
/// at once, and the delay still grows with every attempt. Never overflows; attempt < 1 counts as 1.
std::chrono::milliseconds BackoffDelay(const RetryPolicy& policy, int attempt, double jitter01);

/// Counts per state; for dashboards and alerts.
struct QueueStats {
  std::int64_t queued = 0;
  std::int64_t running = 0;
  std::int64_t succeeded = 0;
  std::int64_t failed = 0;  //!< waiting for a retry
  std::int64_t dead = 0;
  /// How long the longest-waiting runnable job (queued, or failed and due) has been due, in
  /// seconds; 0 when none is. A growing value means the workers do not keep up (or none run).
  double oldest_queued_age_seconds = 0;
  struct Count {
    std::string type;
    std::string state;
    std::int64_t count = 0;
  };
  std::vector<Count> by_type_and_state;  //!< every (type, state) pair that has jobs
};

/// The durable queue. Only the holder of a job's lease (the worker id passed to Claim) may
/// report on it: every such call returns false once the lease was lost, and the handler must
/// then stop working on the job, because another worker has it or will take it.
class JobQueue {
 public:
  virtual ~JobQueue() = default;

  /// Adds a queued job and wakes idle workers; returns its id.
  virtual std::string Enqueue(std::string_view type, std::optional<UserId> user_id, std::string_view payload_json,
                              int max_attempts) = 0;
  /// Takes the next due job (of one of `types`, any type when empty) for `lease`; counts an
  /// attempt. Also ends the expired leases of dead workers first (see the implementation).
  virtual std::optional<Job> Claim(std::string_view worker_id, std::chrono::milliseconds lease,
                                   const std::vector<std::string>& types = {}) = 0;
  /// Extends the lease to now + `lease` and records progress given.
  virtual bool Heartbeat(std::string_view id, std::string_view worker_id, std::chrono::milliseconds lease,
                         std::optional<std::int64_t> progress_done = std::nullopt,
                         std::optional<std::int64_t> progress_total = std::nullopt) = 0;
  /// Records success, the result and the final progress given (a fast job may finish before
  /// any heartbeat reported it).
  virtual bool Complete(std::string_view id, std::string_view worker_id, const std::optional<std::string>& result_json,
                        std::optional<std::int64_t> progress_done = std::nullopt,
                        std::optional<std::int64_t> progress_total = std::nullopt) = 0;
  /// Records the error; the job retries after BackoffDelay(policy, attempts, jitter01), or is
  /// dead when this was its last attempt.
  virtual bool Fail(std::string_view id, std::string_view worker_id, std::string_view error_code,
                    std::string_view error_message, const RetryPolicy& policy, double jitter01) = 0;
  /// Like Fail for an error no retry can cure (the input is invalid): the job is dead at once.
  virtual bool Bury(std::string_view id, std::string_view worker_id, std::string_view error_code,
                    std::string_view error_message) = 0;
  /// Gives the job back untouched (graceful shutdown): queued again, this attempt not counted.
  virtual bool Release(std::string_view id, std::string_view worker_id) = 0;
  /// Queues the job again to run after `delay`, this attempt not counted, with the error kept
  /// for its owner to read: for a backend that is down (its circuit breaker open), where the job
  /// must wait for it rather than use up its attempts.
  virtual bool Postpone(std::string_view id, std::string_view worker_id, std::string_view error_code,
                        std::string_view error_message, std::chrono::milliseconds delay) = 0;
  /// Ends at once the leases of running jobs whose worker id starts with `owner_prefix`, as an
  /// expired lease would end (the attempt counts as failed: "worker_died"). Only for a caller
  /// who knows every such worker is dead: a restarted job worker, whose supervisor saw its
  /// predecessor exit, so its jobs need not wait out their leases. Returns how many.
  virtual int ReclaimOrphans(std::string_view owner_prefix) = 0;

  virtual std::optional<Job> Find(std::string_view id) = 0;
  /// A user's jobs, newest first, in any of `states` (all states when empty). page and limit
  /// must be positive.
  virtual Page<Job> List(UserId user_id, const std::vector<JobState>& states, int page, int limit) = 0;
  virtual QueueStats Stats() = 0;
  /// A failed or dead job is queued again at once with all its attempts; false otherwise.
  virtual bool Retry(std::string_view id) = 0;
};

/// What a running job's code may tell its runner, and how it learns it must stop.
class JobControl {
 public:
  virtual ~JobControl() = default;
  /// Records progress (reported with the next heartbeat, not written at once, so calling it
  /// often is cheap). Throws JobStopped when the job must stop: its worker is shutting down
  /// and the drain time is over, or its lease was lost to another worker.
  virtual void Progress(std::int64_t done, std::optional<std::int64_t> total) = 0;
};

/// Thrown by JobControl::Progress; the runner then gives the job back (or leaves it to the
/// worker that took it over) without reporting a result.
class JobStopped : public std::exception {
 public:
  const char* what() const noexcept override { return "job stopped"; }
};

/// The public face of a job (GET /tasks): a job waiting to retry is still "queued" (it will
/// run again), a dead one is "failed".
std::string_view TaskStateName(JobState state);
/// The job states a public state name stands for; nullopt for any other name.
std::optional<std::vector<JobState>> JobStatesForTaskState(std::string_view name);

/// The task `id` if the caller may see it (its owner, or an admin); kNotFound otherwise, and
/// for ids that are no UUID, so that nobody learns whether someone else's task exists.
Job FindTask(JobQueue& queue, const Principal& caller, std::string_view id);
/// The caller's tasks, newest first; `state` is a public state name (kInvalidQuery otherwise).
Page<Job> ListTasks(JobQueue& queue, const Principal& caller, const std::optional<std::string>& state, int page,
                    int limit);

}  // namespace gw::domain
