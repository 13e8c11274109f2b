// The two endings a worker decides itself: Bury (no retry can help) and ReclaimOrphans (a
// restarted job worker takes over what its dead predecessor held, without waiting out leases).
#include "domain/error.hpp"
#include "job_queue_test_support.hpp"

namespace gw::persistence::testing {
namespace {

using namespace std::chrono_literals;

class JobEndingsPgTest : public JobQueueSuite {};

TEST_F(JobEndingsPgTest, BuryMakesTheJobDeadAtOnceWithItsErrorWhateverAttemptsAreLeft) {
  const auto id = queue_->Enqueue("upload", std::nullopt, "{}", 5);
  ASSERT_TRUE(queue_->Claim("w", 30s));
  EXPECT_FALSE(queue_->Bury(id, "someone-else", "bad_request", "no"));
  ASSERT_TRUE(queue_->Bury(id, "w", "bad_request", "The request is malformed"));
  EXPECT_EQ(Column(id, "state || ' ' || attempts || ' ' || last_error_code"), "dead 1 bad_request");
  EXPECT_NE(Column(id, "finished_at"), "");
  EXPECT_FALSE(queue_->Claim("w", 30s));          // dead jobs are never claimed
  EXPECT_FALSE(queue_->Bury(id, "w", "x", "y"));  // no longer running
}

TEST_F(JobEndingsPgTest, ReclaimOrphansEndsOnlyThePrefixesLeasesAndTheJobsRunAgainAtOnce) {
  const auto mine = queue_->Enqueue("upload", std::nullopt, "{}", 3);
  const auto last_try = queue_->Enqueue("upload", std::nullopt, "{}", 1);
  const auto other = queue_->Enqueue("upload", std::nullopt, "{}", 3);
  ASSERT_EQ(queue_->Claim("host/job-worker-0/111-a", 30s)->id, mine);
  ASSERT_EQ(queue_->Claim("host/job-worker-0/111-a", 30s)->id, last_try);
  ASSERT_EQ(queue_->Claim("host/job-worker-10/222-b", 30s)->id, other);  // a prefix of "…-1" must not match "…-10"

  EXPECT_EQ(queue_->ReclaimOrphans("host/job-worker-0/"), 2);
  EXPECT_EQ(Column(mine, "state || ' ' || last_error_code"), "failed worker_died");
  EXPECT_EQ(Column(last_try, "state"), "dead");
  EXPECT_EQ(Column(other, "state"), "running");
  // The 30 s leases were not waited for: the orphan is claimable now, its attempt counted.
  const auto again = queue_->Claim("host/job-worker-0/333-c", 30s);
  ASSERT_TRUE(again);
  EXPECT_EQ(again->id, mine);
  EXPECT_EQ(again->attempts, 2);
  EXPECT_FALSE(queue_->Complete(mine, "host/job-worker-0/111-a", std::nullopt));  // the dead owner lost it
  EXPECT_EQ(queue_->ReclaimOrphans("host/job-worker-1/"), 0);
  EXPECT_THROW(queue_->ReclaimOrphans(""), domain::Error);  // would end every lease
}

TEST_F(JobEndingsPgTest, CompleteRecordsTheFinalProgressOfAJobTooFastForAHeartbeat) {
  const auto id = queue_->Enqueue("upload", std::nullopt, "{}", 3);
  ASSERT_TRUE(queue_->Claim("w", 30s));
  ASSERT_TRUE(queue_->Complete(id, "w", R"({"cid": "x"})", 1000, 1000));
  EXPECT_EQ(Column(id, "progress_done || '/' || progress_total || ' ' || (result->>'cid')"), "1000/1000 x");
}

TEST_F(JobEndingsPgTest, LivePayloadValuesNamesOnlyJobsThatMayStillRun) {
  queue_->Enqueue("upload", std::nullopt, R"({"spool": "a.body"})", 3);
  const auto done = queue_->Enqueue("upload", std::nullopt, R"({"spool": "b.body"})", 3);
  queue_->Enqueue("pin", std::nullopt, R"({"spool": "c.body"})", 3);
  ASSERT_TRUE(queue_->Claim("w", 30s, {"upload"}));  // takes a.body's job (oldest first): running, still live
  ASSERT_TRUE(queue_->Claim("w", 30s, {"upload"}));
  ASSERT_TRUE(queue_->Complete(done, "w", std::nullopt));
  EXPECT_EQ(queue_->LivePayloadValues("upload", "spool"), std::vector<std::string>{"a.body"});
}

}  // namespace
}  // namespace gw::persistence::testing
