#include "fcgi/process/job_worker_process.hpp"

#include <pthread.h>
#include <signal.h>

#include <nlohmann/json.hpp>

#include <atomic>
#include <random>
#include <thread>
#include <vector>

#include "fcgi/http/logging.hpp"

namespace gw::fcgi {
namespace {

using Clock = std::chrono::steady_clock;
using web::LogEvent;
using web::LogLevel;

// An idle thread sleeps in slices this long, so that it notices a stop quickly.
constexpr std::chrono::milliseconds kIdleSlice{250};
// After a failed claim (database away) a thread waits this long before the next.
constexpr std::chrono::milliseconds kClaimRetryDelay{1'000};

void JobLoop(const JobWorkerOptions& options, const JobThreadStateFactory& make_thread_state, RunningJobs& running,
             const std::atomic<bool>& stopping, spdlog::logger& log) {
  std::unique_ptr<JobThreadState> state;
  try {
    state = make_thread_state();
  } catch (const std::exception& error) {
    LogEvent(log, LogLevel::kError, {{"type", "job_thread_setup_failed"}, {"error", error.what()}});
    return;
  }
  std::mt19937_64 random(std::random_device{}());
  std::uniform_real_distribution<double> jitter(0.0, 1.0);
  const JobRunContext context{state->Queue(),      state->Handlers(), running, options.worker_id, options.retry, log,
                              options.backend_wait};
  bool claim_now = true;
  auto last_claim = Clock::now();
  while (!stopping) {
    if (!claim_now && Clock::now() - last_claim < options.poll_interval) {
      claim_now = state->WaitForJobs(kIdleSlice);
      continue;
    }
    last_claim = Clock::now();
    std::optional<domain::Job> job;
    try {
      job = state->Queue().Claim(options.worker_id, options.lease);
    } catch (const std::exception& error) {
      LogEvent(log, LogLevel::kWarn, {{"type", "job_claim_failed"}, {"error", error.what()}});
      std::this_thread::sleep_for(kClaimRetryDelay);
      claim_now = false;
      continue;
    }
    if (!job) {
      claim_now = false;
      continue;
    }
    LogEvent(log, LogLevel::kInfo,
             {{"type", "job_started"}, {"job_id", job->id}, {"job_type", job->type}, {"attempt", job->attempts}});
    ExecuteJob(context, *job, jitter(random));
    claim_now = true;  // there may be more: claim again before sleeping
  }
}

}  // namespace

int RunJobWorkerProcess(const JobWorkerOptions& options, const JobThreadStateFactory& make_thread_state,
                        domain::JobQueue& heartbeats, spdlog::logger& log) {
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGTERM);
  sigaddset(&stop_signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);
  signal(SIGPIPE, SIG_IGN);

  RunningJobs running;
  std::atomic<bool> stopping{false};
  std::vector<std::thread> threads;
  for (int i = 0; i < options.concurrency; ++i) {
    threads.emplace_back([&] { JobLoop(options, make_thread_state, running, stopping, log); });
  }
  LogEvent(log, LogLevel::kInfo,
           {{"type", "job_worker_started"}, {"concurrency", options.concurrency}, {"worker_id", options.worker_id}});

  const auto heartbeat = [&] { HeartbeatRunningJobs(heartbeats, running, options.worker_id, options.lease, log); };
  const auto wait = [&](std::chrono::milliseconds timeout) {
    const auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(timeout).count();
    const timespec tick{static_cast<time_t>(ns / 1'000'000'000), static_cast<long>(ns % 1'000'000'000)};
    return sigtimedwait(&stop_signals, nullptr, &tick);
  };
  int signal_number = -1;
  while (signal_number <= 0) {
    signal_number = wait(options.heartbeat_interval);
    heartbeat();
  }
  stopping = true;
  LogEvent(log, LogLevel::kInfo,
           {{"type", "job_worker_draining"}, {"signal", signal_number}, {"running", running.Count()}});

  // Running jobs may finish within the drain time; after it they are stopped and released.
  const auto deadline = Clock::now() + options.drain_timeout;
  while (running.Count() > 0 && Clock::now() < deadline) {
    wait(std::chrono::milliseconds(100));
    heartbeat();
  }
  running.StopAll();
  // A handler stops at its next progress report; keep the leases alive until then.
  while (running.Count() > 0) {
    wait(std::chrono::milliseconds(100));
    heartbeat();
  }
  for (auto& thread : threads) thread.join();
  LogEvent(log, LogLevel::kInfo, {{"type", "job_worker_stopped"}});
  return 0;
}

}  // namespace gw::fcgi
