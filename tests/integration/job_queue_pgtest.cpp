#include <atomic>
#include <map>
#include <mutex>
#include <pqxx/pqxx>
#include <set>
#include <thread>
#include <vector>

#include "job_queue_test_support.hpp"
#include "tests/common/eventually.hpp"

namespace gw::persistence::testing {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;
using domain::JobState;
using gw::test::Eventually;

class JobQueuePgTest : public JobQueueSuite {};

TEST_F(JobQueuePgTest, FourWorkersCompleteEachOf300JobsExactlyOnce) {
  {
    // All 300 in one transaction of the caller's, through the static Enqueue.
    PgConnection connection(Db().Dsn(), PgJobQueue::EnqueueStatements());
    connection.Run([](pqxx::connection_base& c) {
      pqxx::work txn(c);
      for (int i = 0; i < 300; ++i)
        PgJobQueue::Enqueue(txn, "noop", std::nullopt, "{\"i\":" + std::to_string(i) + "}", 3);
      txn.commit();
    });
  }
  std::mutex mutex;
  std::map<std::string, int> completions;
  std::set<std::string> running;  // jobs some worker holds right now
  std::atomic<int> overlaps{0};
  std::atomic<int> lost{0};
  std::vector<int> per_worker(4, 0);
  std::vector<std::thread> workers;
  for (int w = 0; w < 4; ++w) {
    workers.emplace_back([&, w] {
      PgJobQueue queue(Db().Dsn());
      const std::string me = "worker-" + std::to_string(w);
      while (auto job = queue.Claim(me, 30s)) {
        {
          std::lock_guard lock(mutex);
          if (!running.insert(job->id).second) ++overlaps;
        }
        std::this_thread::yield();  // let the others try to take the same job meanwhile
        {
          std::lock_guard lock(mutex);
          running.erase(job->id);
          ++completions[job->id];
          ++per_worker[w];
        }
        if (!queue.Complete(job->id, me, std::nullopt)) ++lost;
      }
    });
  }
  for (auto& worker : workers) worker.join();

  EXPECT_EQ(overlaps, 0) << "two workers held the same job at once";
  EXPECT_EQ(lost, 0);
  EXPECT_EQ(completions.size(), 300u);
  for (const auto& [id, count] : completions) EXPECT_EQ(count, 1) << id;
  EXPECT_EQ(Count("state = 'succeeded' AND attempts = 1 AND lease_owner IS NULL AND finished_at IS NOT NULL"), "300");
  for (int w = 0; w < 4; ++w) std::cout << "worker " << w << " completed " << per_worker[w] << " jobs\n";
}

TEST_F(JobQueuePgTest, AnExpiredLeaseIsTakenOverAndTheFirstOwnerLosesTheJob) {
  const auto id = queue_->Enqueue("slow", std::nullopt, "{}", 5);
  PgJobQueue other(Db().Dsn());
  const auto first = queue_->Claim("first", 30s);
  ASSERT_TRUE(first);
  EXPECT_EQ(first->id, id);
  EXPECT_EQ(first->state, JobState::kRunning);
  EXPECT_EQ(first->attempts, 1);
  EXPECT_FALSE(other.Claim("second", 30s)) << "claimed while the lease was still valid";
  Db().Scalar("UPDATE jobs SET lease_expires_at = now() + interval '1 second' WHERE id = $1::uuid RETURNING 1", id);
  EXPECT_TRUE(queue_->Heartbeat(id, "first", 30s));
  EXPECT_EQ(Column(id, "lease_expires_at > now() + interval '20 seconds'"), "t")
      << "the heartbeat did not extend the lease";
  EXPECT_FALSE(other.Claim("second", 30s)) << "claimed after a heartbeat extended the lease";

  // the first worker hangs past its lease (set in the past rather than slept past: a sanitized
  // build under load took longer than a 200 ms lease between claim and heartbeat); the other
  // worker takes the job over
  Db().Scalar("UPDATE jobs SET lease_expires_at = now() - interval '1 second' WHERE id = $1::uuid RETURNING 1", id);
  const std::optional<domain::Job> second = other.Claim("second", 30s);
  ASSERT_TRUE(second) << "the expired lease was not taken over";
  EXPECT_EQ(second->id, id);
  EXPECT_EQ(second->attempts, 2) << "the lost attempt counts";
  EXPECT_EQ(second->error_code, "lease_expired");
  EXPECT_NE(second->error_message.value_or("").find("first"), std::string::npos);

  EXPECT_FALSE(queue_->Heartbeat(id, "first", 30s)) << "the old owner must learn it lost the lease";
  EXPECT_FALSE(queue_->Complete(id, "first", std::nullopt));
  EXPECT_FALSE(queue_->Fail(id, "first", "x", "y", {}, 0.0));
  EXPECT_FALSE(queue_->Release(id, "first"));
  EXPECT_EQ(Column(id, "lease_owner"), "second");
  EXPECT_TRUE(other.Complete(id, "second", std::string("{\"ok\":true}")));
  const auto done = queue_->Find(id);
  ASSERT_TRUE(done);
  EXPECT_EQ(done->state, JobState::kSucceeded);
  EXPECT_EQ(done->result_json, "{\"ok\": true}");
  EXPECT_FALSE(done->error_code) << "a success clears the last error";
}

TEST_F(JobQueuePgTest, AFailedAttemptWaitsForItsBackoffBeforeItIsClaimedAgain) {
  const auto id = queue_->Enqueue("flaky", std::nullopt, "{}", 5);
  ASSERT_TRUE(queue_->Claim("w", 30s));
  const domain::RetryPolicy policy{5, 1000ms, 60000ms};
  const auto expected = domain::BackoffDelay(policy, 1, 0.5);  // 750 ms
  ASSERT_TRUE(queue_->Fail(id, "w", "backend_down", "503 from the backend", policy, 0.5));
  const auto failed_at = Clock::now();

  const auto job = queue_->Find(id);
  ASSERT_TRUE(job);
  EXPECT_EQ(job->state, JobState::kFailed);
  EXPECT_EQ(job->error_code, "backend_down");
  EXPECT_EQ(job->error_message, "503 from the backend");
  EXPECT_FALSE(job->finished_at);
  // run_after = now() + delay, with now() the time of the Fail statement (= updated_at).
  EXPECT_EQ(Column(id, "round(extract(epoch FROM run_after - updated_at) * 1000)"), std::to_string(expected.count()));
  EXPECT_EQ(Column(id, "lease_owner IS NULL"), "t");

  EXPECT_FALSE(queue_->Claim("w", 30s)) << "claimed before its run_after";
  std::optional<domain::Job> again;
  ASSERT_TRUE(Eventually([&] { return (again = queue_->Claim("w", 30s)).has_value(); })) << "never claimed again";
  // never before its backoff (slack: the clock started after the statement); how late is no
  // concern of this test
  EXPECT_GE(Clock::now() - failed_at, expected - 50ms);
  EXPECT_EQ(again->attempts, 2);
  EXPECT_EQ(again->error_code, "backend_down") << "the last error stays visible during the retry";
}

TEST_F(JobQueuePgTest, AfterItsLastAttemptAJobIsDeadWithItsErrorAndCanBeRetried) {
  const auto id = queue_->Enqueue("doomed", std::nullopt, "{}", 2);
  const domain::RetryPolicy quick{2, 1ms, 1ms};
  ASSERT_TRUE(queue_->Claim("w", 30s));
  ASSERT_TRUE(queue_->Fail(id, "w", "e1", "first", quick, 0.0));
  std::optional<domain::Job> second;  // due after a 1 ms backoff
  ASSERT_TRUE(Eventually([&] { return (second = queue_->Claim("w", 30s)).has_value(); }));
  EXPECT_EQ(second->attempts, 2);
  ASSERT_TRUE(queue_->Fail(id, "w", "e2", "second and last", quick, 0.0));

  auto job = queue_->Find(id);
  ASSERT_TRUE(job);
  EXPECT_EQ(job->state, JobState::kDead);
  EXPECT_EQ(job->error_code, "e2");
  EXPECT_EQ(job->error_message, "second and last");
  EXPECT_TRUE(job->finished_at);
  // due long ago: only its state keeps it from running
  Db().Scalar("UPDATE jobs SET run_after = now() - interval '1 hour' WHERE id = $1::uuid RETURNING 1", id);
  EXPECT_FALSE(queue_->Claim("w", 30s)) << "a dead job ran again";

  EXPECT_TRUE(queue_->Retry(id));
  job = queue_->Find(id);
  EXPECT_EQ(job->state, JobState::kQueued);
  EXPECT_EQ(job->attempts, 0);
  EXPECT_FALSE(job->finished_at);
  EXPECT_EQ(job->error_code, "e2") << "kept until the next attempt replaces it";
  const auto revived = queue_->Claim("w", 30s);
  ASSERT_TRUE(revived);
  EXPECT_EQ(revived->attempts, 1);
  EXPECT_FALSE(queue_->Retry(id)) << "a running job cannot be retried";
  EXPECT_TRUE(queue_->Complete(id, "w", std::nullopt));
  EXPECT_FALSE(queue_->Retry(id)) << "a succeeded job cannot be retried";
}

TEST_F(JobQueuePgTest, AnExpiredLeaseOnTheLastAttemptMakesTheJobDead) {
  const auto id = queue_->Enqueue("killed", std::nullopt, "{}", 1);
  ASSERT_TRUE(queue_->Claim("victim", 30s));
  // kill -9: no Fail, no Release, and its lease runs out (set, not slept)
  Db().Scalar("UPDATE jobs SET lease_expires_at = now() - interval '1 second' WHERE id = $1::uuid RETURNING 1", id);
  PgJobQueue other(Db().Dsn());
  EXPECT_FALSE(other.Claim("survivor", 30s)) << "ran again after its last attempt";
  const auto job = queue_->Find(id);
  ASSERT_TRUE(job);
  EXPECT_EQ(job->state, JobState::kDead);
  EXPECT_EQ(job->error_code, "lease_expired");
  EXPECT_TRUE(job->finished_at);
  EXPECT_EQ(job->attempts, 1);
  EXPECT_FALSE(queue_->Complete(id, "victim", std::nullopt));
}

TEST_F(JobQueuePgTest, ReleaseQueuesTheJobAgainWithoutConsumingTheAttempt) {
  const auto id = queue_->Enqueue("interrupted", std::nullopt, "{}", 3);
  ASSERT_TRUE(queue_->Claim("w", 30s));
  EXPECT_FALSE(queue_->Release(id, "someone-else"));
  ASSERT_TRUE(queue_->Release(id, "w"));
  const auto job = queue_->Find(id);
  EXPECT_EQ(job->state, JobState::kQueued);
  EXPECT_EQ(job->attempts, 0);
  EXPECT_EQ(Column(id, "lease_owner IS NULL AND lease_expires_at IS NULL"), "t");
  const auto again = queue_->Claim("w2", 30s);
  ASSERT_TRUE(again);
  EXPECT_EQ(again->attempts, 1);
}

TEST_F(JobQueuePgTest, PostponeWaitsWithTheReasonAndWithoutConsumingTheAttempt) {
  const auto id = queue_->Enqueue("remote", std::nullopt, "{}", 1);
  ASSERT_TRUE(queue_->Claim("w", 30s));
  EXPECT_FALSE(queue_->Postpone(id, "someone-else", "storage_unavailable", "down", 60s));
  ASSERT_TRUE(queue_->Postpone(id, "w", "storage_unavailable", "Filebase is down", 60s));
  const auto job = queue_->Find(id);
  EXPECT_EQ(job->state, JobState::kQueued);
  EXPECT_EQ(job->attempts, 0) << "a job waiting for its backend keeps its only attempt";
  EXPECT_EQ(job->error_code, "storage_unavailable");
  EXPECT_EQ(Column(id, "run_after > now() + interval '50 seconds'"), "t");
  EXPECT_FALSE(queue_->Claim("w2", 30s)) << "not due before the delay";

  // once due, it runs with its attempt intact
  const auto soon = queue_->Enqueue("remote", std::nullopt, "{}", 1);
  ASSERT_TRUE(queue_->Claim("w", 30s));
  ASSERT_TRUE(queue_->Postpone(soon, "w", "storage_unavailable", "down", 0ms));
  const auto again = queue_->Claim("w", 30s);
  ASSERT_TRUE(again);
  EXPECT_EQ(again->id, soon);
  EXPECT_EQ(again->attempts, 1);
}

TEST_F(JobQueuePgTest, EnqueueInARolledBackTransactionLeavesNoJob) {
  PgConnection connection(Db().Dsn(), PgJobQueue::EnqueueStatements());
  connection.Run([](pqxx::connection_base& c) {
    pqxx::work txn(c);
    PgJobQueue::Enqueue(txn, "orphan", std::nullopt, "{}", 3);
    txn.abort();
  });
  EXPECT_EQ(Count(), "0");
  EXPECT_FALSE(queue_->Claim("w", 30s));
  const auto id = connection.Run([](pqxx::connection_base& c) {
    pqxx::work txn(c);
    auto job_id = PgJobQueue::Enqueue(txn, "kept", std::nullopt, "{\"a\":1}", 3);
    txn.commit();
    return job_id;
  });
  EXPECT_EQ(Count(), "1");
  EXPECT_EQ(Column(id, "payload->>'a'"), "1");
}

}  // namespace
}  // namespace gw::persistence::testing
