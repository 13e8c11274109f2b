#pragma once
/// @file The job worker process: runs queued jobs beside the FastCGI workers.
///
/// `concurrency` threads each claim a job, run it (ExecuteJob) and claim the next; an idle
/// thread sleeps until PostgreSQL notifies a new job (JobWakeup), polling only as a fallback.
/// The main thread heartbeats the running jobs (lease + progress) and waits for SIGTERM/SIGINT:
/// then no job is claimed any more, running jobs get drain_timeout to finish, and the ones still
/// running after it are stopped at their next progress report and given back (Release), so
/// another worker starts them at once rather than after their lease.

#include <chrono>
#include <functional>
#include <memory>
#include <string>

#include "domain/job.hpp"
#include "fcgi/jobs/job_runner.hpp"

namespace spdlog {
class logger;
}

namespace gw::fcgi {

/// What one job thread owns: its queue connection, its wake-up listener and the handlers
/// bound to its own repositories. Built inside the thread.
class JobThreadState {
 public:
  virtual ~JobThreadState() = default;
  virtual domain::JobQueue& Queue() = 0;
  virtual const JobHandlers& Handlers() = 0;
  /// Sleeps until a job may be waiting (true) or `timeout` passed (false).
  virtual bool WaitForJobs(std::chrono::milliseconds timeout) = 0;
};

using JobThreadStateFactory = std::function<std::unique_ptr<JobThreadState>()>;

struct JobWorkerOptions {
  int concurrency = 2;
  std::string worker_id;  //!< unique per process start (the lease owner of its jobs)
  std::chrono::milliseconds lease{30'000};
  std::chrono::milliseconds heartbeat_interval{1'000};
  std::chrono::milliseconds poll_interval{5'000};  //!< claim this often even without notification
  std::chrono::seconds drain_timeout{30};
  domain::RetryPolicy retry;
  std::chrono::milliseconds backend_wait{60'000};  //!< see JobRunContext::backend_wait
};

/// Runs until SIGTERM or SIGINT, then drains as described above and returns 0. `heartbeats`
/// is used by the main thread only.
int RunJobWorkerProcess(const JobWorkerOptions& options, const JobThreadStateFactory& make_thread_state,
                        domain::JobQueue& heartbeats, spdlog::logger& log);

}  // namespace gw::fcgi
