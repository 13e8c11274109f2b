// Tasks are jobs as their owner sees them (GET /tasks, GET /tasks/{id}/status): the public
// state names, and who may see which task.
#include "code_of.hpp"
#include "job_fakes.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <functional>

#include "domain/error.hpp"
#include "domain/job.hpp"

namespace gw::domain {
namespace {

constexpr JobState kAllStates[] = {JobState::kQueued, JobState::kRunning, JobState::kSucceeded, JobState::kFailed,
                                   JobState::kDead};
constexpr const char* kPublicNames[] = {"queued", "running", "succeeded", "failed"};

const Principal kAlice{7, "alice@example.com", false, "ipfs_gw_alice"};
const Principal kBob{8, "bob@example.com", false, "ipfs_gw_bob"};
const Principal kAdmin{1, "root@example.com", true, "ipfs_gw_root"};

using test::CodeOf;

TEST(TaskStateName, AJobWaitingForItsRetryIsStillQueuedAndADeadOneHasFailed) {
  // kFailed means "will run again"; showing it as "failed" would make clients give up early.
  EXPECT_EQ(TaskStateName(JobState::kQueued), "queued");
  EXPECT_EQ(TaskStateName(JobState::kFailed), "queued");
  EXPECT_EQ(TaskStateName(JobState::kRunning), "running");
  EXPECT_EQ(TaskStateName(JobState::kSucceeded), "succeeded");
  EXPECT_EQ(TaskStateName(JobState::kDead), "failed");
}

TEST(JobStatesForTaskState, MapsEachPublicNameToTheJobStatesItStandsFor) {
  EXPECT_EQ(JobStatesForTaskState("queued"), (std::vector<JobState>{JobState::kQueued, JobState::kFailed}));
  EXPECT_EQ(JobStatesForTaskState("running"), std::vector<JobState>{JobState::kRunning});
  EXPECT_EQ(JobStatesForTaskState("succeeded"), std::vector<JobState>{JobState::kSucceeded});
  EXPECT_EQ(JobStatesForTaskState("failed"), std::vector<JobState>{JobState::kDead});
}

TEST(JobStatesForTaskState, RefusesInternalAndUnknownNames) {
  // "dead" is the queue's word, not the API's; names are case-sensitive like the rest of the API.
  for (const char* name : {"dead", "Queued", "QUEUED", "", "all", "queued "}) {
    EXPECT_EQ(JobStatesForTaskState(name), std::nullopt) << name;
  }
}

TEST(JobStatesForTaskState, AgreesWithTaskStateNameForEveryJobState) {
  // Filtering by a state must return exactly the tasks shown with that state: each job state
  // belongs to one public name, the one TaskStateName shows.
  for (const JobState state : kAllStates) {
    int owners = 0;
    for (const char* name : kPublicNames) {
      const auto states = JobStatesForTaskState(name);
      ASSERT_TRUE(states.has_value()) << name;
      if (std::find(states->begin(), states->end(), state) == states->end()) continue;
      ++owners;
      EXPECT_EQ(TaskStateName(state), name) << ToString(state);
    }
    EXPECT_EQ(owners, 1) << ToString(state);
  }
}

class TaskAccessTest : public ::testing::Test {
 protected:
  std::string Add(std::optional<UserId> owner) { return queue.Enqueue("upload", owner, "{}", 5); }
  test::MemoryJobQueue queue;
};

TEST_F(TaskAccessTest, TheOwnerFindsTheirTask) {
  const std::string id = Add(kAlice.user_id);
  const Job job = FindTask(queue, kAlice, id);
  EXPECT_EQ(job.id, id);
  EXPECT_EQ(job.user_id, kAlice.user_id);
}

TEST_F(TaskAccessTest, AnAdminFindsAnyonesTaskAndSystemJobs) {
  const std::string alices = Add(kAlice.user_id);
  const std::string system = Add(std::nullopt);
  EXPECT_EQ(FindTask(queue, kAdmin, alices).id, alices);
  EXPECT_EQ(FindTask(queue, kAdmin, system).id, system);
}

TEST_F(TaskAccessTest, SomeoneElsesTaskIsNotFoundLikeAMissingOne) {
  // Same code for "exists but not yours" and "does not exist": no oracle for other users' ids.
  const std::string alices = Add(kAlice.user_id);
  EXPECT_EQ(CodeOf([&] { FindTask(queue, kBob, alices); }), ErrorCode::kNotFound);
  EXPECT_EQ(CodeOf([&] { FindTask(queue, kBob, "00000000-0000-4000-8000-00000000ffff"); }), ErrorCode::kNotFound);
}

TEST_F(TaskAccessTest, ASystemJobIsHiddenFromUsers) {
  // A job without owner must not match a user by accident (nullopt != user id).
  const std::string system = Add(std::nullopt);
  EXPECT_EQ(CodeOf([&] { FindTask(queue, kAlice, system); }), ErrorCode::kNotFound);
}

TEST_F(TaskAccessTest, AMalformedIdIsNotFoundWithoutAskingTheQueue) {
  // The id column is a uuid: PostgreSQL would reject these with a server error, not a 404.
  for (const char* bad : {"", "42", "not-a-uuid", "00000000-0000-4000-8000-00000000000g", "' OR 1=1 --"}) {
    EXPECT_EQ(CodeOf([&] { FindTask(queue, kAdmin, bad); }), ErrorCode::kNotFound) << bad;
  }
  EXPECT_TRUE(queue.calls.empty()) << queue.calls.front();
}

TEST_F(TaskAccessTest, ListingWithoutStateAsksForEveryStateOfTheCallersOwnTasks) {
  Add(kAlice.user_id);
  Add(kBob.user_id);
  Add(kAlice.user_id);
  queue.last_list_states = {JobState::kRunning};  // so that "empty" below is what ListTasks passed
  const Page<Job> page = ListTasks(queue, kAlice, std::nullopt, 2, 10);
  EXPECT_TRUE(queue.last_list_states.empty());
  EXPECT_EQ(queue.calls.back(), "list 7 2 10");
  ASSERT_EQ(page.items.size(), 2u);
  for (const Job& job : page.items) EXPECT_EQ(job.user_id, kAlice.user_id);
}

TEST_F(TaskAccessTest, ListingAnAdminShowsOnlyTheAdminsOwnTasks) {
  // GET /tasks is "my tasks" for everyone; an admin inspects others' tasks by id only.
  Add(kAlice.user_id);
  EXPECT_TRUE(ListTasks(queue, kAdmin, std::nullopt, 1, 20).items.empty());
  EXPECT_EQ(queue.calls.back(), "list 1 1 20");
}

TEST_F(TaskAccessTest, ListingByPublicStatePassesTheJobStatesItStandsFor) {
  ListTasks(queue, kAlice, std::string("queued"), 1, 20);
  EXPECT_EQ(queue.last_list_states, (std::vector<JobState>{JobState::kQueued, JobState::kFailed}));
  ListTasks(queue, kAlice, std::string("failed"), 1, 20);
  EXPECT_EQ(queue.last_list_states, std::vector<JobState>{JobState::kDead});
}

TEST_F(TaskAccessTest, ListingByAnUnknownStateIsAnInvalidQueryNamingTheParameter) {
  try {
    ListTasks(queue, kAlice, std::string("dead"), 1, 20);
    ADD_FAILURE() << "expected kInvalidQuery";
  } catch (const Error& error) {
    EXPECT_EQ(error.Code(), ErrorCode::kInvalidQuery);
    EXPECT_EQ(error.Details(), (ErrorDetails{{"parameter", "state"}}));
  }
  EXPECT_TRUE(queue.calls.empty()) << "the queue must not be asked";
}

}  // namespace
}  // namespace gw::domain
