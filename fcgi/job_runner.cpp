#include "fcgi/job_runner.hpp"

#include <nlohmann/json.hpp>

#include "domain/error.hpp"
#include "fcgi/error_table.hpp"
#include "fcgi/logging.hpp"

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
  Registration registration(context.running, job.id);
  RunningJob& running = registration.Job();
  const auto started = std::chrono::steady_clock::now();
  const auto elapsed_ms = [&] {
    return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started).count();
  };
  const auto handler = context.handlers.find(job.type);
  if (handler == context.handlers.end()) {
    LogEvent(context.log, LogLevel::kError, Fields(job, "job_unknown_type"));
    TryReport(context, job, "bury", [&] {
      return context.queue.Bury(job.id, context.worker_id, "unknown_job_type", "No worker can run this job type");
    });
    return JobEnd::kBuried;
  }
  try {
    Control control(running);
    JobOutcome outcome = handler->second(job, control);
    if (!TryReport(context, job, "complete",
                   [&] {
                     const auto total = running.total.load();
                     return context.queue.Complete(job.id, context.worker_id, outcome.result_json, running.done.load(),
                                                   total >= 0 ? std::optional<std::int64_t>(total) : std::nullopt);
                   })) {
      return JobEnd::kLeaseLost;
    }
    auto fields = Fields(job, "job_succeeded");
    fields["duration_ms"] = elapsed_ms();
    LogEvent(context.log, LogLevel::kInfo, fields);
    if (outcome.after_success) {
      try {
        outcome.after_success();
      } catch (const std::exception& error) {  // the job is done; cleanup left to `gc`
        auto cleanup = Fields(job, "job_cleanup_failed");
        cleanup["error"] = error.what();
        LogEvent(context.log, LogLevel::kWarn, cleanup);
      }
    }
    return JobEnd::kSucceeded;
  } catch (const domain::JobStopped&) {
    if (running.lease_lost) return JobEnd::kLeaseLost;
    TryReport(context, job, "release", [&] { return context.queue.Release(job.id, context.worker_id); });
    LogEvent(context.log, LogLevel::kInfo, Fields(job, "job_released"));
    return JobEnd::kReleased;
  } catch (const domain::Error& error) {
    const auto http = web::ToHttpError(error.Code());
    const std::string message = error.PublicMessage().empty() ? std::string(http.message) : error.PublicMessage();
    const bool permanent = error.Code() < domain::ErrorCode::kServerSideError;
    auto fields = Fields(job, permanent ? "job_buried" : "job_failed");
    fields["error_code"] = http.code;
    fields["error"] = error.what();
    fields["duration_ms"] = elapsed_ms();
    LogEvent(context.log, permanent ? LogLevel::kWarn : LogLevel::kError, fields);
    if (permanent) {
      TryReport(context, job, "bury", [&] { return context.queue.Bury(job.id, context.worker_id, http.code, message); });
      return JobEnd::kBuried;
    }
    TryReport(context, job, "fail", [&] {
      return context.queue.Fail(job.id, context.worker_id, http.code, message, context.retry, jitter01);
    });
    return JobEnd::kFailed;
  } catch (const std::exception& error) {
    auto fields = Fields(job, "job_failed");
    fields["error"] = error.what();
    fields["duration_ms"] = elapsed_ms();
    LogEvent(context.log, LogLevel::kError, fields);
    const auto http = web::ToHttpError(domain::ErrorCode::kInternal);
    TryReport(context, job, "fail", [&] {
      return context.queue.Fail(job.id, context.worker_id, http.code, http.message, context.retry, jitter01);
    });
    return JobEnd::kFailed;
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
