#include "fcgi/jobs/job_runner.hpp"

#include <nlohmann/json.hpp>

#include <charconv>
#include <optional>

#include "domain/error.hpp"
#include "fcgi/http/error_table.hpp"
#include "fcgi/http/logging.hpp"

namespace gw::fcgi {
namespace {

using web::LogEvent;
using web::LogLevel;

class Control final : public domain::JobControl {
 public:
  explicit Control(RunningJob& job) : job_(job) {}
  void Progress(std::int64_t done, std::optional<std::int64_t> total) override {
    job_.done.store(done, std::memory_order_relaxed);
    if (total) job_.total.store(*total, std::memory_order_relaxed);
    if (job_.stop.load(std::memory_order_relaxed)) throw domain::JobStopped();
  }

 private:
  RunningJob& job_;
};

/// Removes the job from the registry however ExecuteJob ends.
class Registration {
 public:
  Registration(RunningJobs& running, const std::string& id) : running_(running), id_(id), job_(running.Add(id)) {}
  ~Registration() { running_.Remove(id_); }
  Registration(const Registration&) = delete;
  Registration& operator=(const Registration&) = delete;
  RunningJob& Job() { return *job_; }

 private:
  RunningJobs& running_;
  std::string id_;
  std::shared_ptr<RunningJob> job_;
};

nlohmann::json Fields(const domain::Job& job, std::string_view type) {
  return {{"type", type}, {"job_id", job.id}, {"job_type", job.type}, {"attempt", job.attempts}};
}

/// Reports to the queue; false when the report was refused (lease lost) or failed (logged).
template <typename Report>
bool TryReport(const JobRunContext& context, const domain::Job& job, const char* what, Report&& report) {
  try {
    if (report()) return true;
    auto fields = Fields(job, "job_lease_lost");
    fields["report"] = what;
    LogEvent(context.log, LogLevel::kWarn, fields);
  } catch (const std::exception& error) {
    auto fields = Fields(job, "job_report_failed");
    fields["report"] = what;
    fields["error"] = error.what();
    LogEvent(context.log, LogLevel::kError, fields);
  }
  return false;
}

class Stopwatch {
 public:
  std::int64_t ElapsedMs() const {
    return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started_).count();
  }

 private:
  std::chrono::steady_clock::time_point started_ = std::chrono::steady_clock::now();
};

/// How a job failed, in the words its owner reads (the HTTP API's public code and message).
struct Failure {
  std::string code;
  std::string message;
  bool permanent;        //!< client-side: the input is bad, retrying cannot help
  std::string internal;  //!< for the log only
  /// Set when the storage backend is unavailable (its breaker open, or it stayed down through
  /// the retries): the job waits this long for it, and no attempt is used up.
  std::optional<std::chrono::milliseconds> wait_for_backend;
};

// How long a job waits for a backend that is down: the breaker's own Retry-After when it said
// one, else `fallback` (the time a breaker stays open).
std::optional<std::chrono::milliseconds> BackendWait(const domain::Error& error, std::chrono::milliseconds fallback) {
  if (error.Code() != domain::ErrorCode::kStorageUnavailable) return std::nullopt;
  for (const auto& [key, value] : error.Details()) {
    if (key != "retry_after_seconds") continue;
    std::int64_t seconds = 0;
    const auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), seconds);
    if (ec == std::errc() && end == value.data() + value.size() && seconds > 0) return std::chrono::seconds(seconds);
  }
  return fallback;
}

Failure FailureOf(const domain::Error& error, std::chrono::milliseconds backend_wait) {
  const auto http = web::ToHttpError(error.Code());
  return {std::string(http.code), error.PublicMessage().empty() ? std::string(http.message) : error.PublicMessage(),
          error.Code() < domain::ErrorCode::kServerSideError, error.what(), BackendWait(error, backend_wait)};
}

Failure InternalFailure(const std::exception& error) {
  const auto http = web::ToHttpError(domain::ErrorCode::kInternal);
  return {std::string(http.code), std::string(http.message), false, error.what(), std::nullopt};
}

JobEnd BuryUnknownType(const JobRunContext& context, const domain::Job& job) {
  LogEvent(context.log, LogLevel::kError, Fields(job, "job_unknown_type"));
  TryReport(context, job, "bury", [&] {
    return context.queue.Bury(job.id, context.worker_id, "unknown_job_type", "No worker can run this job type");
  });
  return JobEnd::kBuried;
}

JobEnd RecordSuccess(const JobRunContext& context, const domain::Job& job, const RunningJob& running,
                     const JobOutcome& outcome, const Stopwatch& stopwatch) {
  const bool recorded = TryReport(context, job, "complete", [&] {
    const auto total = running.total.load();
    return context.queue.Complete(job.id, context.worker_id, outcome.result_json, running.done.load(),
                                  total >= 0 ? std::optional<std::int64_t>(total) : std::nullopt);
  });
  if (!recorded) return JobEnd::kLeaseLost;
  auto fields = Fields(job, "job_succeeded");
  fields["duration_ms"] = stopwatch.ElapsedMs();
  LogEvent(context.log, LogLevel::kInfo, fields);
  if (!outcome.after_success) return JobEnd::kSucceeded;
  try {
    outcome.after_success();
  } catch (const std::exception& error) {  // the job is done; cleanup left to `gc`
    auto cleanup = Fields(job, "job_cleanup_failed");
    cleanup["error"] = error.what();
    LogEvent(context.log, LogLevel::kWarn, cleanup);
  }
  return JobEnd::kSucceeded;
}

/// The job stopped at a progress report: shutdown (hand it back) or a lost lease (say nothing).
JobEnd RecordStopped(const JobRunContext& context, const domain::Job& job, const RunningJob& running) {
  if (running.lease_lost) return JobEnd::kLeaseLost;
  TryReport(context, job, "release", [&] { return context.queue.Release(job.id, context.worker_id); });
  LogEvent(context.log, LogLevel::kInfo, Fields(job, "job_released"));
  return JobEnd::kReleased;
}

/// Bad input is buried at once; a job whose backend is down waits for it; anything else is
/// failed, to be retried after a backoff.
JobEnd RecordFailure(const JobRunContext& context, const domain::Job& job, const Failure& failure,
                     const Stopwatch& stopwatch, double jitter01) {
  if (failure.wait_for_backend) {
    auto fields = Fields(job, "job_postponed");
    fields["error_code"] = failure.code;
    fields["error"] = failure.internal;
    fields["delay_ms"] = failure.wait_for_backend->count();
    LogEvent(context.log, LogLevel::kWarn, fields);
    TryReport(context, job, "postpone", [&] {
      return context.queue.Postpone(job.id, context.worker_id, failure.code, failure.message,
                                    *failure.wait_for_backend);
    });
    return JobEnd::kPostponed;
  }
  auto fields = Fields(job, failure.permanent ? "job_buried" : "job_failed");
  fields["error_code"] = failure.code;
  fields["error"] = failure.internal;
  fields["duration_ms"] = stopwatch.ElapsedMs();
  LogEvent(context.log, failure.permanent ? LogLevel::kWarn : LogLevel::kError, fields);
  if (failure.permanent) {
    TryReport(context, job, "bury",
              [&] { return context.queue.Bury(job.id, context.worker_id, failure.code, failure.message); });
    return JobEnd::kBuried;
  }
  TryReport(context, job, "fail", [&] {
    return context.queue.Fail(job.id, context.worker_id, failure.code, failure.message, context.retry, jitter01);
  });
  return JobEnd::kFailed;
}

}  // namespace

std::shared_ptr<RunningJob> RunningJobs::Add(const std::string& id) {
  auto job = std::make_shared<RunningJob>(id);
  std::lock_guard lock(mutex_);
  jobs_[id] = job;
  return job;
}

void RunningJobs::Remove(const std::string& id) {
  std::lock_guard lock(mutex_);
  jobs_.erase(id);
}

std::vector<std::shared_ptr<RunningJob>> RunningJobs::Snapshot() const {
  std::lock_guard lock(mutex_);
  std::vector<std::shared_ptr<RunningJob>> jobs;
  for (const auto& [id, job] : jobs_) jobs.push_back(job);
  return jobs;
}

std::size_t RunningJobs::Count() const {
  std::lock_guard lock(mutex_);
  return jobs_.size();
}

void RunningJobs::StopAll() {
  std::lock_guard lock(mutex_);
  for (const auto& [id, job] : jobs_) job->stop = true;
}

JobEnd ExecuteJob(const JobRunContext& context, const domain::Job& job, double jitter01) {
  const auto handler = context.handlers.find(job.type);
  if (handler == context.handlers.end()) return BuryUnknownType(context, job);
  Registration registration(context.running, job.id);
  RunningJob& running = registration.Job();
  const Stopwatch stopwatch;
  try {
    Control control(running);
    return RecordSuccess(context, job, running, handler->second(job, control), stopwatch);
  } catch (const domain::JobStopped&) {
    return RecordStopped(context, job, running);
  } catch (const domain::Error& error) {
    return RecordFailure(context, job, FailureOf(error, context.backend_wait), stopwatch, jitter01);
  } catch (const std::exception& error) {
    return RecordFailure(context, job, InternalFailure(error), stopwatch, jitter01);
  }
}

void HeartbeatRunningJobs(domain::JobQueue& queue, RunningJobs& running, const std::string& worker_id,
                          std::chrono::milliseconds lease, spdlog::logger& log) {
  for (const auto& job : running.Snapshot()) {
    const auto total = job->total.load(std::memory_order_relaxed);
    try {
      if (!queue.Heartbeat(job->id, worker_id, lease, job->done.load(std::memory_order_relaxed),
                           total >= 0 ? std::optional<std::int64_t>(total) : std::nullopt)) {
        job->lease_lost = true;
        job->stop = true;
        LogEvent(log, LogLevel::kWarn, {{"type", "job_lease_lost"}, {"job_id", job->id}, {"report", "heartbeat"}});
      }
    } catch (const std::exception& error) {
      // The database is away: keep working; if it stays away past the lease, the job is retried.
      LogEvent(log, LogLevel::kWarn, {{"type", "job_heartbeat_failed"}, {"job_id", job->id}, {"error", error.what()}});
    }
  }
}

}  // namespace gw::fcgi
