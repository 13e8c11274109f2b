// ExecuteJob turns how a handler ended into exactly one report to the queue (see the table in
// fcgi/jobs/job_runner.hpp); HeartbeatRunningJobs keeps leases alive and stops jobs that lost theirs.
#include "fcgi/jobs/job_runner.hpp"
#include "job_fakes.hpp"

#include <gtest/gtest.h>
#include <spdlog/sinks/null_sink.h>
#include <spdlog/spdlog.h>

#include <stdexcept>

#include "domain/error.hpp"
#include "fcgi/http/error_table.hpp"

namespace gw::fcgi {
namespace {

using domain::Error;
using domain::ErrorCode;
using Calls = std::vector<std::string>;
using namespace std::chrono_literals;

constexpr const char* kId = "00000000-0000-4000-8000-00000000000a";

domain::Job AJob(std::string type = "test") {
  domain::Job job;
  job.id = kId;
  job.type = std::move(type);
  job.user_id = 7;
  job.attempts = 1;
  return job;
}

class JobRunnerTest : public ::testing::Test {
 protected:
  JobEnd Run(JobHandler handler, double jitter = 0.25) {
    handlers["test"] = std::move(handler);
    return ExecuteJob(context, AJob(), jitter);
  }
  static JobHandler Throwing(std::function<void()> thrower) {
    return [thrower = std::move(thrower)](const domain::Job&, domain::JobControl&) -> JobOutcome {
      thrower();
      return {};
    };
  }

  test::MemoryJobQueue queue;
  JobHandlers handlers;
  RunningJobs running;
  std::shared_ptr<spdlog::logger> log =
      std::make_shared<spdlog::logger>("null", std::make_shared<spdlog::sinks::null_sink_st>());
  JobRunContext context{queue, handlers, running, "worker-1", domain::RetryPolicy{4, 10ms, 80ms}, *log};
};

TEST_F(JobRunnerTest, ASuccessCompletesWithTheResultThenRunsAfterSuccess) {
  std::size_t reports_before_cleanup = 0;
  const JobEnd end = Run([&](const domain::Job&, domain::JobControl& control) {
    control.Progress(5, 5);
    return JobOutcome{R"({"cid":"x"})", [&] { reports_before_cleanup = queue.calls.size(); }};
  });
  EXPECT_EQ(end, JobEnd::kSucceeded);
  EXPECT_EQ(queue.calls, Calls{std::string("complete ") + kId + R"( {"cid":"x"})"});
  // Cleanup (dropping the spooled body) only once the success is on record.
  EXPECT_EQ(reports_before_cleanup, 1u);
  EXPECT_EQ(queue.last_worker, "worker-1");
  // A fast job may end before any heartbeat: Complete carries the final progress.
  EXPECT_EQ(queue.last_complete_progress, "5/5");
}

TEST_F(JobRunnerTest, ARefusedCompleteIsALostLeaseAndSkipsAfterSuccess) {
  // Another worker owns the job now; it still needs the spooled body.
  queue.accept_reports = false;
  bool cleaned_up = false;
  EXPECT_EQ(Run([&](const domain::Job&, domain::JobControl&) {
              return JobOutcome{"{}", [&] { cleaned_up = true; }};
            }),
            JobEnd::kLeaseLost);
  EXPECT_FALSE(cleaned_up);
}

TEST_F(JobRunnerTest, AFailingCompleteDoesNotEscapeAndSkipsAfterSuccess) {
  queue.throw_reports = true;
  bool cleaned_up = false;
  JobEnd end = JobEnd::kSucceeded;
  EXPECT_NO_THROW(end = Run([&](const domain::Job&, domain::JobControl&) {
                    return JobOutcome{"{}", [&] { cleaned_up = true; }};
                  }));
  EXPECT_EQ(end, JobEnd::kLeaseLost);
  EXPECT_FALSE(cleaned_up);
}

TEST_F(JobRunnerTest, AFailingAfterSuccessDoesNotUndoTheSuccess) {
  EXPECT_EQ(Run([](const domain::Job&, domain::JobControl&) {
              return JobOutcome{"{}", [] { throw std::runtime_error("unlink failed"); }};
            }),
            JobEnd::kSucceeded);
  EXPECT_EQ(queue.calls.size(), 1u);  // only the Complete: no Fail after it
}

TEST_F(JobRunnerTest, AClientSideDomainErrorBuriesWithThePublicCodeAndMessage) {
  EXPECT_EQ(Run(Throwing([] { throw Error(ErrorCode::kContentNotFound); })), JobEnd::kBuried);
  EXPECT_EQ(queue.calls,
            Calls{std::string("bury ") + kId + " content_not_found No content with this CID is stored for this key"});
}

TEST_F(JobRunnerTest, APublicMessageIsReportedAndTheInternalOneIsNot) {
  // The task's owner reads the error; paths and internals belong in the log only.
  EXPECT_EQ(Run(Throwing([] {
              throw Error(ErrorCode::kNotFound, "The uploaded bytes are no longer in the spool", {},
                          "spool file missing: /var/spool/gw/abc");
            })),
            JobEnd::kBuried);
  EXPECT_EQ(queue.calls,
            Calls{std::string("bury ") + kId + " not_found The uploaded bytes are no longer in the spool"});
}

TEST_F(JobRunnerTest, AServerSideDomainErrorFailsForARetryWithThePolicyAndJitter) {
  EXPECT_EQ(Run(Throwing([] { throw Error(ErrorCode::kDatabaseUnavailable); }), 0.75), JobEnd::kFailed);
  EXPECT_EQ(queue.calls,
            Calls{std::string("fail ") + kId + " database_unavailable The database is unavailable, try again shortly"});
  EXPECT_EQ(queue.last_retry.max_attempts, 4);
  EXPECT_EQ(queue.last_retry.base_delay, 10ms);
  EXPECT_EQ(queue.last_retry.max_delay, 80ms);
  EXPECT_EQ(queue.last_jitter, 0.75);
}

TEST_F(JobRunnerTest, AnUnavailableBackendPostponesTheJobForItsRetryAfterWithoutUsingAnAttempt) {
  // The breaker is open: the job waits for the backend as long as the breaker says.
  EXPECT_EQ(Run(Throwing([] {
              throw Error(ErrorCode::kStorageUnavailable, {}, {{"retry_after_seconds", "42"}}, "breaker open");
            })),
            JobEnd::kPostponed);
  EXPECT_EQ(queue.calls, Calls{std::string("postpone ") + kId + " storage_unavailable " +
                               std::string(web::ToHttpError(ErrorCode::kStorageUnavailable).message) + " 42000ms"});
}

TEST_F(JobRunnerTest, AnUnavailableBackendWithoutRetryAfterWaitsAMinute) {
  EXPECT_EQ(Run(Throwing([] { throw Error(ErrorCode::kStorageUnavailable, "Filebase did not answer"); })),
            JobEnd::kPostponed);
  EXPECT_EQ(queue.calls,
            Calls{std::string("postpone ") + kId + " storage_unavailable Filebase did not answer 60000ms"});
}

TEST_F(JobRunnerTest, AnyOtherExceptionFailsAsAnInternalErrorWithoutItsText) {
  EXPECT_EQ(Run(Throwing([] { throw std::runtime_error("pqxx: password authentication failed for gw"); })),
            JobEnd::kFailed);
  EXPECT_EQ(queue.calls, Calls{std::string("fail ") + kId + " internal_error Internal server error"});
}

TEST_F(JobRunnerTest, AFailingFailReportDoesNotEscape) {
  // ExecuteJob never throws: the worker loop must survive a database outage.
  queue.throw_reports = true;
  JobEnd end = JobEnd::kSucceeded;
  EXPECT_NO_THROW(end = Run(Throwing([] { throw std::runtime_error("boom"); })));
  EXPECT_EQ(end, JobEnd::kFailed);
}

TEST_F(JobRunnerTest, AJobStoppedForShutdownIsReleased) {
  EXPECT_EQ(Run([&](const domain::Job&, domain::JobControl& control) {
              running.StopAll();
              control.Progress(1, 10);  // throws JobStopped
              return JobOutcome{"{}", {}};
            }),
            JobEnd::kReleased);
  EXPECT_EQ(queue.calls, Calls{std::string("release ") + kId});
}

TEST_F(JobRunnerTest, AJobThatLostItsLeaseStopsWithoutReporting) {
  // Reporting on a job another worker holds would be refused at best: nothing is sent.
  const JobEnd end = Run([&](const domain::Job&, domain::JobControl& control) {
    queue.accept_reports = false;
    HeartbeatRunningJobs(queue, running, "worker-1", 30s, *log);
    control.Progress(1, 10);  // throws JobStopped
    return JobOutcome{"{}", {}};
  });
  EXPECT_EQ(end, JobEnd::kLeaseLost);
  EXPECT_EQ(queue.calls, Calls{std::string("heartbeat ") + kId + " 0/-2"});
}

TEST_F(JobRunnerTest, AnUnknownTypeIsBuriedWithoutRunningAnything) {
  bool ran = false;
  handlers["test"] = [&](const domain::Job&, domain::JobControl&) {
    ran = true;
    return JobOutcome{};
  };
  EXPECT_EQ(ExecuteJob(context, AJob("reticulate"), 0.5), JobEnd::kBuried);
  EXPECT_FALSE(ran);
  EXPECT_EQ(queue.calls, Calls{std::string("bury ") + kId + " unknown_job_type No worker can run this job type"});
  EXPECT_EQ(running.Count(), 0u);
}

TEST_F(JobRunnerTest, AJobIsRegisteredExactlyWhileItRuns) {
  // Heartbeats go to registered jobs only: a finished job must not keep a lease alive.
  std::vector<std::string> seen;
  Run([&](const domain::Job&, domain::JobControl&) {
    for (const auto& job : running.Snapshot()) seen.push_back(job->id);
    return JobOutcome{"{}", {}};
  });
  EXPECT_EQ(seen, Calls{kId});
  EXPECT_EQ(running.Count(), 0u);
  Run(Throwing([] { throw std::runtime_error("boom"); }));
  EXPECT_EQ(running.Count(), 0u);
}

TEST_F(JobRunnerTest, ProgressReachesTheNextHeartbeat) {
  Run([&](const domain::Job&, domain::JobControl& control) {
    control.Progress(300, 1200);
    HeartbeatRunningJobs(queue, running, "worker-1", 45s, *log);
    return JobOutcome{"{}", {}};
  });
  EXPECT_EQ(queue.calls.front(), std::string("heartbeat ") + kId + " 300/1200");
  EXPECT_EQ(queue.last_lease, 45s);
}

TEST(HeartbeatRunningJobs, ExtendsEveryRunningJobWithItsProgress) {
  test::MemoryJobQueue queue;
  RunningJobs running;
  auto a = running.Add("a");
  a->done = 5;
  a->total = 10;
  running.Add("b");  // no total reported yet: sent as unknown, not as -1
  auto log = std::make_shared<spdlog::logger>("null", std::make_shared<spdlog::sinks::null_sink_st>());
  HeartbeatRunningJobs(queue, running, "worker-2", 30s, *log);
  EXPECT_EQ(queue.calls, (Calls{"heartbeat a 5/10", "heartbeat b 0/-2"}));
  EXPECT_EQ(queue.last_worker, "worker-2");
  EXPECT_FALSE(a->stop);
}

TEST(HeartbeatRunningJobs, ARefusedHeartbeatStopsTheJobAsLeaseLost) {
  test::MemoryJobQueue queue;
  queue.accept_reports = false;
  RunningJobs running;
  auto job = running.Add("a");
  auto log = std::make_shared<spdlog::logger>("null", std::make_shared<spdlog::sinks::null_sink_st>());
  HeartbeatRunningJobs(queue, running, "worker-2", 30s, *log);
  EXPECT_TRUE(job->stop);
  EXPECT_TRUE(job->lease_lost);
}

TEST(HeartbeatRunningJobs, AFailingQueueIsLoggedAndTheJobsKeepRunning) {
  // A short database outage must not stop jobs that still hold their leases.
  test::MemoryJobQueue queue;
  queue.throw_reports = true;
  RunningJobs running;
  auto a = running.Add("a");
  running.Add("b");
  auto log = std::make_shared<spdlog::logger>("null", std::make_shared<spdlog::sinks::null_sink_st>());
  EXPECT_NO_THROW(HeartbeatRunningJobs(queue, running, "worker-2", 30s, *log));
  EXPECT_EQ(queue.calls.size(), 2u);  // one failure does not skip the other jobs
  EXPECT_FALSE(a->stop);
  EXPECT_FALSE(a->lease_lost);
}

TEST(RunningJobs, StopAllStopsEveryJobButNotAsLeaseLost) {
  // Shutdown: the jobs are given back (Release), which a lost lease would skip.
  RunningJobs running;
  auto a = running.Add("a");
  auto b = running.Add("b");
  running.StopAll();
  EXPECT_TRUE(a->stop);
  EXPECT_TRUE(b->stop);
  EXPECT_FALSE(a->lease_lost);
  running.Remove("a");
  EXPECT_EQ(running.Count(), 1u);
  EXPECT_EQ(running.Snapshot().front()->id, "b");
}

}  // namespace
}  // namespace gw::fcgi
