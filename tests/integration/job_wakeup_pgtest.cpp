#include <future>
#include <pqxx/pqxx>

#include "domain/error.hpp"
#include "job_queue_test_support.hpp"
#include "persistence/job_wakeup.hpp"

namespace gw::persistence::testing {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;
using domain::JobState;

class JobWakeupPgTest : public JobQueueSuite {};

// How soon it wakes up is measured in bench/job_queue_throughput.cpp (wakeup latency); here: it
// does wake up, on an enqueue committed on another connection (before or during its Wait).
TEST_F(JobWakeupPgTest, WaitReturnsOnAnEnqueueCommittedOnAnotherConnection) {
  JobWakeup wakeup(Db().Dsn());
  ASSERT_TRUE(wakeup.Listening());
  auto enqueued = std::async(std::launch::async, [&] {
    PgJobQueue producer(Db().Dsn());
    return producer.Enqueue("wake", std::nullopt, "{}", 3);
  });
  // a hang guard, not a timing target: false only if no notification came in 30 s
  EXPECT_TRUE(wakeup.Wait(30s)) << "no wakeup for an enqueue committed on another connection";
  EXPECT_FALSE(enqueued.get().empty());
  EXPECT_FALSE(wakeup.Wait(0ms)) << "one enqueue, one wakeup: nothing more is pending";
}

TEST_F(JobWakeupPgTest, WaitTimesOutWithoutANotification) {
  JobWakeup wakeup(Db().Dsn());
  const auto started = Clock::now();
  EXPECT_FALSE(wakeup.Wait(300ms));
  // it waits the whole timeout (it does not return early); how much longer is no concern here
  EXPECT_GE(Clock::now() - started, 290ms);
}

TEST_F(JobWakeupPgTest, ARolledBackEnqueueWakesNobody) {
  JobWakeup wakeup(Db().Dsn());
  PgConnection connection(Db().Dsn(), PgJobQueue::EnqueueStatements());
  connection.Run([](pqxx::connection_base& c) {
    pqxx::work txn(c);
    PgJobQueue::Enqueue(txn, "orphan", std::nullopt, "{}", 3);
  });  // destroyed without commit: rolled back
  EXPECT_FALSE(wakeup.Wait(300ms));
}

TEST_F(JobWakeupPgTest, AfterLosingItsConnectionItReconnectsAndStillWakes) {
  JobWakeup wakeup(Db().Dsn());
  Db().TerminateOtherConnections();
  // Notifications may have been missed while it was cut off: it says so (true) at once or
  // within one more wait, and then listens again.
  bool told = false;
  for (int i = 0; i < 3 && !told; ++i) told = wakeup.Wait(500ms);
  EXPECT_TRUE(told);
  while (wakeup.Wait(50ms)) {
  }
  ASSERT_TRUE(wakeup.Listening());
  queue_->Enqueue("wake", std::nullopt, "{}", 3);
  EXPECT_TRUE(wakeup.Wait(2s));
}

TEST_F(JobWakeupPgTest, StatsCountEveryState) {
  const domain::RetryPolicy later{5, 60000ms, 60000ms};
  for (int i = 0; i < 5; ++i) queue_->Enqueue("s", std::nullopt, "{}", 1);
  const auto running = queue_->Claim("w", 30s);
  const auto succeeded = queue_->Claim("w", 30s);
  const auto dead = queue_->Claim("w", 30s);
  ASSERT_TRUE(running && succeeded && dead);
  ASSERT_TRUE(queue_->Complete(succeeded->id, "w", std::nullopt));
  ASSERT_TRUE(queue_->Fail(dead->id, "w", "e", "m", later, 0.0));  // max_attempts 1
  const auto failing = queue_->Enqueue("f", std::nullopt, "{}", 3);
  const auto failed = queue_->Claim("w", 30s, {"f"});
  ASSERT_TRUE(failed);
  ASSERT_EQ(failed->id, failing);
  ASSERT_TRUE(queue_->Fail(failing, "w", "e", "m", later, 0.0));
  ASSERT_TRUE(queue_->Claim("w", 30s, {"s"}));
  // the queued one has been due for an hour (set, not slept: the age is a computation)
  ASSERT_EQ(Db().Scalar("WITH moved AS (UPDATE jobs SET run_after = now() - interval '1 hour' WHERE state = "
                        "'queued' RETURNING 1) SELECT count(*) FROM moved"),
            "1");

  const auto stats = queue_->Stats();
  EXPECT_EQ(stats.queued, 1);  // 5 - running - succeeded - dead - the second running
  EXPECT_EQ(stats.running, 2);
  EXPECT_EQ(stats.succeeded, 1);
  EXPECT_EQ(stats.failed, 1);  // due in a minute: not counted as waiting
  EXPECT_EQ(stats.dead, 1);
  EXPECT_GE(stats.oldest_queued_age_seconds, 3600.0);
  EXPECT_LT(stats.oldest_queued_age_seconds, 3600.0 + 600.0) << "not the queued job's age";
}

TEST_F(JobWakeupPgTest, HeartbeatRecordsProgressAndExtendsTheLease) {
  const auto id = queue_->Enqueue("upload", std::nullopt, "{}", 3);
  ASSERT_TRUE(queue_->Claim("w", 1s));
  ASSERT_TRUE(queue_->Heartbeat(id, "w", 60s, 5, 10));
  auto job = queue_->Find(id);
  EXPECT_EQ(job->progress_done, 5);
  EXPECT_EQ(job->progress_total, 10);
  EXPECT_EQ(Column(id, "lease_expires_at > now() + interval '50 seconds'"), "t");
  ASSERT_TRUE(queue_->Heartbeat(id, "w", 60s, 7));  // total unchanged when not given
  job = queue_->Find(id);
  EXPECT_EQ(job->progress_done, 7);
  EXPECT_EQ(job->progress_total, 10);
  EXPECT_FALSE(queue_->Heartbeat(id, "intruder", 60s, 9));
}

TEST_F(JobWakeupPgTest, ClaimTakesOnlyTheRequestedTypesOldestFirst) {
  const auto pin = queue_->Enqueue("pin", std::nullopt, "{}", 3);
  const auto upload1 = queue_->Enqueue("upload", std::nullopt, "{}", 3);
  const auto upload2 = queue_->Enqueue("upload", std::nullopt, "{}", 3);
  EXPECT_FALSE(queue_->Claim("w", 30s, {"unpin", "we\"ird\\type"}));
  EXPECT_EQ(queue_->Claim("w", 30s, {"upload", "unpin"})->id, upload1);
  EXPECT_EQ(queue_->Claim("w", 30s, {"upload"})->id, upload2);
  EXPECT_EQ(queue_->Claim("w", 30s)->id, pin);
}

TEST_F(JobWakeupPgTest, ListPagesAUsersJobsNewestFirstAndFiltersByState) {
  const auto alice = NewUser("alice@example.com");
  const auto bob = NewUser("bob@example.com");
  std::vector<std::string> ids;
  for (int i = 0; i < 5; ++i) ids.push_back(queue_->Enqueue("pin", alice, "{}", 3));
  queue_->Enqueue("pin", bob, "{}", 3);
  queue_->Enqueue("gc", std::nullopt, "{}", 3);
  const auto first = queue_->List(alice, {}, 1, 2);
  EXPECT_EQ(first.total, 5);
  ASSERT_EQ(first.items.size(), 2u);
  EXPECT_EQ(first.items[0].user_id, alice);
  const auto last = queue_->List(alice, {}, 3, 2);
  ASSERT_EQ(last.items.size(), 1u);
  const auto beyond = queue_->List(alice, {}, 9, 2);
  EXPECT_TRUE(beyond.items.empty());
  EXPECT_EQ(beyond.total, 5);
  ASSERT_TRUE(queue_->Claim("w", 30s));
  const auto running = queue_->List(alice, {JobState::kRunning}, 1, 10);
  ASSERT_EQ(running.total, 1);
  EXPECT_EQ(running.items[0].id, ids[0]);
  EXPECT_EQ(queue_->List(alice, {JobState::kQueued, JobState::kRunning}, 1, 10).total, 5);
  EXPECT_EQ(queue_->List(alice, {JobState::kQueued}, 1, 10).total, 4);
  EXPECT_EQ(queue_->List(bob, {JobState::kDead}, 1, 10).total, 0);
  EXPECT_THROW(queue_->List(alice, {}, 0, 10), domain::Error);
}

TEST_F(JobWakeupPgTest, IdsThatAreNoUuidNameNoJob) {
  EXPECT_FALSE(queue_->Find("not-a-uuid"));
  EXPECT_FALSE(queue_->Find("00000000-0000-0000-0000-000000000000"));
  EXPECT_FALSE(queue_->Complete("'; DROP TABLE jobs; --", "w", std::nullopt));
  EXPECT_FALSE(queue_->Retry(""));
  EXPECT_THROW(queue_->Enqueue("x", std::nullopt, "not json", 3), domain::Error);
  EXPECT_THROW(queue_->Enqueue("x", std::nullopt, "{}", 0), domain::Error);
}

}  // namespace
}  // namespace gw::persistence::testing
