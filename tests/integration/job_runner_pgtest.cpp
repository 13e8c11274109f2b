// The job runner (fcgi/jobs/job_runner) against the real queue (persistence/pg_job_queue) and
// database: what the unit tests check with a fake queue (tests/unit/job_runner_test.cpp), here
// with the real claim, lease, backoff and heartbeat statements, read back from the jobs row.
#include <spdlog/sinks/null_sink.h>
#include <spdlog/spdlog.h>

#include <atomic>
#include <future>
#include <stdexcept>

#include "domain/error.hpp"
#include "fcgi/jobs/job_runner.hpp"
#include "job_queue_test_support.hpp"
#include "tests/common/eventually.hpp"

namespace gw::persistence::testing {
namespace {

using namespace std::chrono_literals;
using fcgi::ExecuteJob;
using fcgi::JobEnd;
using fcgi::JobOutcome;
using gw::test::Eventually;

class JobRunnerPgTest : public JobQueueSuite {
 protected:
  fcgi::JobRunContext Context(PgJobQueue& queue, const std::string& worker) {
    return fcgi::JobRunContext{queue, handlers_, running_, worker, retry_, *log_};
  }
  /// Claims the next job as `worker` (fails the test when there is none).
  domain::Job Claim(PgJobQueue& queue, const std::string& worker, std::chrono::milliseconds lease = 30s) {
    auto job = queue.Claim(worker, lease);
    if (!job) throw std::runtime_error("nothing to claim for " + worker);
    return *job;
  }

  fcgi::JobHandlers handlers_;
  fcgi::RunningJobs running_;
  domain::RetryPolicy retry_{3, 200ms, 1000ms};
  std::shared_ptr<spdlog::logger> log_ =
      std::make_shared<spdlog::logger>("null", std::make_shared<spdlog::sinks::null_sink_st>());
};

TEST_F(JobRunnerPgTest, AClaimedJobRunsAndItsSuccessIsRecordedWithResultAndProgress) {
  const auto id = queue_->Enqueue("double", std::nullopt, R"({"n": 21})", 3);
  bool cleaned_up = false;
  handlers_["double"] = [&](const domain::Job& job, domain::JobControl& control) {
    EXPECT_EQ(job.payload_json, R"({"n": 21})");
    control.Progress(1, 2);
    control.Progress(2, std::nullopt);
    return JobOutcome{R"({"n": 42})", [&] { cleaned_up = true; }};
  };
  const auto job = Claim(*queue_, "w1");
  ASSERT_EQ(job.id, id);
  EXPECT_EQ(ExecuteJob(Context(*queue_, "w1"), job, 0.5), JobEnd::kSucceeded);
  EXPECT_TRUE(cleaned_up) << "after_success did not run";
  EXPECT_EQ(Column(id, "state || ' ' || attempts || ' ' || progress_done || '/' || progress_total"), "succeeded 1 2/2");
  EXPECT_EQ(Column(id, "result->>'n'"), "42");
  EXPECT_EQ(Column(id, "lease_owner IS NULL AND finished_at IS NOT NULL AND last_error_code IS NULL"), "t");
  EXPECT_EQ(running_.Count(), 0u);
}

TEST_F(JobRunnerPgTest, AFailedAttemptIsRetriedAfterItsBackoffAndThenSucceeds) {
  const auto id = queue_->Enqueue("flaky", std::nullopt, "{}", 3);
  int calls = 0;
  handlers_["flaky"] = [&](const domain::Job&, domain::JobControl&) -> JobOutcome {
    if (++calls == 1) throw std::runtime_error("connection reset by the backend");
    return JobOutcome{R"({"ok": true})", {}};
  };
  EXPECT_EQ(ExecuteJob(Context(*queue_, "w1"), Claim(*queue_, "w1"), 0.5), JobEnd::kFailed);
  // the owner reads the public code, never the internal message
  EXPECT_EQ(Column(id, "state || ' ' || attempts || ' ' || last_error_code"), "failed 1 internal_error");
  EXPECT_EQ(Column(id, "position('reset' in last_error_message)"), "0") << "an internal detail reached the task";
  const auto backoff = domain::BackoffDelay(retry_, 1, 0.5);  // 150 ms
  EXPECT_EQ(Column(id, "round(extract(epoch FROM run_after - updated_at) * 1000)"), std::to_string(backoff.count()));
  // Not claimable before run_after: moved far ahead (set, not raced against the clock), then due.
  Db().Scalar("UPDATE jobs SET run_after = now() + interval '1 hour' WHERE id = $1::uuid RETURNING 1", id);
  EXPECT_FALSE(queue_->Claim("w2", 30s)) << "claimed before its backoff ended";
  Db().Scalar("UPDATE jobs SET run_after = now() WHERE id = $1::uuid RETURNING 1", id);
  std::optional<domain::Job> again;
  ASSERT_TRUE(Eventually([&] { return (again = queue_->Claim("w2", 30s)).has_value(); })) << "never retried";
  EXPECT_EQ(again->attempts, 2);
  EXPECT_EQ(ExecuteJob(Context(*queue_, "w2"), *again, 0.5), JobEnd::kSucceeded);
  EXPECT_EQ(Column(id, "state || ' ' || attempts || ' ' || coalesce(last_error_code, '-')"), "succeeded 2 -");
  EXPECT_EQ(calls, 2);
}

TEST_F(JobRunnerPgTest, BadInputIsBuriedAtOnceAndABackendOutageWaitsWithoutUsingAnAttempt) {
  const auto bad = queue_->Enqueue("bad", std::nullopt, "{}", 3);
  handlers_["bad"] = [](const domain::Job&, domain::JobControl&) -> JobOutcome {
    throw domain::Error(domain::ErrorCode::kInvalidCid, {}, {}, "payload names no CID");
  };
  EXPECT_EQ(ExecuteJob(Context(*queue_, "w"), Claim(*queue_, "w"), 0.0), JobEnd::kBuried);
  EXPECT_EQ(Column(bad, "state || ' ' || attempts || ' ' || last_error_code"), "dead 1 invalid_cid");

  const auto down = queue_->Enqueue("remote", std::nullopt, "{}", 1);
  handlers_["remote"] = [](const domain::Job&, domain::JobControl&) -> JobOutcome {
    throw domain::Error(domain::ErrorCode::kStorageUnavailable, {}, {{"retry_after_seconds", "30"}}, "breaker open");
  };
  EXPECT_EQ(ExecuteJob(Context(*queue_, "w"), Claim(*queue_, "w"), 0.0), JobEnd::kPostponed);
  EXPECT_EQ(Column(down, "state || ' ' || attempts || ' ' || last_error_code"), "queued 0 storage_unavailable");
  EXPECT_EQ(Column(down, "run_after > now() + interval '25 seconds'"), "t") << "not postponed by its Retry-After";

  const auto stray = queue_->Enqueue("nobody-runs-this", std::nullopt, "{}", 3);
  EXPECT_EQ(ExecuteJob(Context(*queue_, "w"), Claim(*queue_, "w"), 0.0), JobEnd::kBuried);
  EXPECT_EQ(Column(stray, "state || ' ' || last_error_code"), "dead unknown_job_type");
}

// Worker A hangs in a job; its lease runs out and worker B takes the job over. A's heartbeat then
// learns it lost the lease, its handler stops at its next progress report, and nothing A reports
// touches the job B finished.
TEST_F(JobRunnerPgTest, AnExpiredLeaseIsTakenOverAndTheFirstRunnerStopsWithoutOverwritingIt) {
  const auto id = queue_->Enqueue("slow", std::nullopt, "{}", 3);
  std::promise<void> a_started;
  std::promise<void> a_may_go_on;
  auto go_on = a_may_go_on.get_future().share();
  std::atomic<int> runs{0};
  handlers_["slow"] = [&](const domain::Job&, domain::JobControl& control) {
    if (++runs == 1) {  // worker A
      control.Progress(1, 10);
      a_started.set_value();
      go_on.wait();
      control.Progress(2, 10);  // throws JobStopped once the heartbeat found the lease lost
      ADD_FAILURE() << "worker A went on after losing its lease";
    }
    return JobOutcome{R"({"by": "b"})", {}};
  };
  PgJobQueue queue_a(Db().Dsn());
  PgJobQueue queue_b(Db().Dsn());
  const auto claimed = Claim(queue_a, "worker-a");
  fcgi::RunningJobs running_a;
  const fcgi::JobRunContext context_a{queue_a, handlers_, running_a, "worker-a", retry_, *log_};
  auto a = std::async(std::launch::async, [&] { return ExecuteJob(context_a, claimed, 0.0); });
  a_started.get_future().wait();

  // A's lease runs out (set, not slept): B takes the job over, the lost attempt counted
  Db().Scalar("UPDATE jobs SET lease_expires_at = now() - interval '1 second' WHERE id = $1::uuid RETURNING 1", id);
  const auto taken = Claim(queue_b, "worker-b");
  ASSERT_EQ(taken.id, id);
  EXPECT_EQ(taken.attempts, 2);
  EXPECT_EQ(taken.error_code, "lease_expired");

  fcgi::HeartbeatRunningJobs(queue_a, running_a, "worker-a", 30s, *log_);
  const auto snapshot = running_a.Snapshot();
  ASSERT_EQ(snapshot.size(), 1u);
  EXPECT_TRUE(snapshot[0]->lease_lost) << "A's heartbeat did not notice the takeover";
  a_may_go_on.set_value();
  EXPECT_EQ(a.get(), JobEnd::kLeaseLost);
  EXPECT_EQ(Column(id, "state || ' ' || lease_owner"), "running worker-b") << "A's end changed B's job";

  EXPECT_EQ(ExecuteJob(Context(queue_b, "worker-b"), taken, 0.0), JobEnd::kSucceeded);
  EXPECT_EQ(Column(id, "state || ' ' || attempts || ' ' || (result->>'by')"), "succeeded 2 b");
  EXPECT_EQ(runs.load(), 2);
}

// A heartbeat of a job still held extends its lease and records its progress.
TEST_F(JobRunnerPgTest, TheHeartbeatExtendsTheLeaseOfARunningJobAndRecordsItsProgress) {
  const auto id = queue_->Enqueue("long", std::nullopt, "{}", 3);
  std::promise<void> started;
  std::promise<void> finish;
  auto may_finish = finish.get_future().share();
  handlers_["long"] = [&](const domain::Job&, domain::JobControl& control) {
    control.Progress(7, 9);
    started.set_value();
    may_finish.wait();
    return JobOutcome{"{}", {}};
  };
  const auto claimed = Claim(*queue_, "w", 1s);
  PgJobQueue runner_queue(Db().Dsn());
  auto run = std::async(std::launch::async, [&] { return ExecuteJob(Context(runner_queue, "w"), claimed, 0.0); });
  started.get_future().wait();
  fcgi::HeartbeatRunningJobs(*queue_, running_, "w", 60s, *log_);
  EXPECT_EQ(Column(id, "progress_done || '/' || progress_total"), "7/9");
  EXPECT_EQ(Column(id, "lease_expires_at > now() + interval '50 seconds'"), "t") << "the lease was not extended";
  finish.set_value();
  EXPECT_EQ(run.get(), JobEnd::kSucceeded);
  EXPECT_EQ(Column(id, "state"), "succeeded");
}

}  // namespace
}  // namespace gw::persistence::testing
