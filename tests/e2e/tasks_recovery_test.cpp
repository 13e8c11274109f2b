// Asynchronous uploads when things break: the job worker killed (SIGKILL) while it
// runs a job, and PostgreSQL restarted while jobs wait. Both times every task still ends
// `succeeded` with the reference CID and nothing is stored twice. The job worker is paused with
// SIGSTOP to hold jobs in the queue; a guard always resumes it, so a failing test never leaves
// the stack without a running job worker.
#include <sys/wait.h>

#include "task_support.hpp"

namespace gw::e2e {
namespace {

using namespace std::chrono_literals;

class TaskRecovery : public TaskTest {
 protected:
  std::uint64_t Seed() const { return std::stoull(RandomHex(12), nullptr, 16); }
  std::string JobWorkerPidFile() const { return env_.run_dir + "/job-worker-0.pid"; }

  /// Asserts that the task's body left spool/: `before` is the spool before its upload.
  void ExpectSpoolCleared(const std::set<std::string>& before) {
    std::vector<std::string> left;
    const bool gone = PollUntil(kHangGuard, [&] {
      left = NewEntries(before, SpoolFiles(store_dir_));
      return left.empty();
    });
    EXPECT_TRUE(gone) << left.size() << " new file(s) still in spool/ long after success, first: " << left.front();
  }

  /// Asserts that retrieving `cid` gives `size` bytes with SHA-256 `sha`.
  void ExpectRetrieves(const Account& user, const std::string& cid, std::uint64_t size, const std::string& sha) {
    const auto got = StreamRequest(env_, "GET", "/retrieve/" + cid, {{"X-API-Key", user.api_key}});
    ASSERT_EQ(got.error, "") << got.response.Describe();
    ASSERT_EQ(got.response.status, 200) << got.response.Describe();
    EXPECT_EQ(got.body_size, size);
    EXPECT_EQ(got.body_sha256, sha) << "retrieved bytes of " << cid << " differ from the uploaded file";
  }

  std::string reference_dir_ = GetEnvOrEmpty("GW_TEST_REFERENCE_DIR");
  std::string pg_restart_ = GetEnvOrEmpty("GW_TEST_PG_RESTART");
};

TEST_F(TaskRecovery, JobWorkerKilledMidJobIsTakenOverByItsSuccessor) {
  ASSERT_TRUE(Require(env_.run_dir, "GW_TEST_RUN_DIR"));
  ASSERT_TRUE(Require(store_dir_, "GW_TEST_STORE_DIR"));
  ASSERT_TRUE(Require(reference_dir_, "GW_TEST_REFERENCE_DIR"));
  ASSERT_TRUE(Require(database_url_, "GW_TEST_APP_DATABASE_URL"));
  // large enough that the job runs for many 1 ms slices; the raw body stays within nginx's 100m
  constexpr std::uint64_t kSize = std::uint64_t{95} << 20;
  TempDir dir("gw-e2e-takeover");
  const std::string file = dir.Path() + "/takeover.bin";
  WriteRandomFile(file, kSize, Seed());
  const std::string cid = ReferenceCids(reference_dir_, {file}).at(file);
  const std::string sha = Sha256OfFile(file);
  const auto user = RegisterUser("task-takeover");

  const pid_t victim = ReadPidFile(JobWorkerPidFile());
  ASSERT_TRUE(ProcessAlive(victim)) << JobWorkerPidFile() << " names " << victim << ", which is not running";
  const auto spool_before = SpoolFiles(store_dir_);
  ASSERT_EQ(::kill(victim, SIGSTOP), 0) << "errno " << errno;
  ContinueOnExit resume_victim(victim);

  const auto up = UploadFileRaw(env_, user.api_key, file);
  ASSERT_EQ(up.error, "") << up.response.Describe();
  const std::string id = ExpectAccepted(up.response, kSize);
  ASSERT_FALSE(id.empty());
  // with the only job worker stopped nobody runs it; its body waits in spool/
  const auto waiting = TaskStatus(user, id);
  ExpectSuccessEnvelope(waiting, 200);
  EXPECT_EQ(waiting.Json()["data"].value("state", ""), "queued") << waiting.Describe();
  EXPECT_FALSE(NewEntries(spool_before, SpoolFiles(store_dir_)).empty())
      << "no new file in " << store_dir_ << "/spool while the task is queued";

  // Let the worker run in ~1 ms slices and look at the task while it is stopped: the first time
  // it is "running", the worker holds the job's lease, and it dies holding it.
  std::string state = "queued";
  int slices = 0;
  const auto deadline = std::chrono::steady_clock::now() + 30s;
  while (state == "queued" && std::chrono::steady_clock::now() < deadline) {
    ASSERT_EQ(::kill(victim, SIGCONT), 0) << "errno " << errno;
    std::this_thread::sleep_for(1ms);
    ASSERT_EQ(::kill(victim, SIGSTOP), 0) << "errno " << errno;
    ++slices;
    const auto r = TaskStatus(user, id);
    ASSERT_EQ(r.status, 200) << r.Describe();
    state = r.Json()["data"].value("state", "");
  }
  ASSERT_EQ(state, "running") << "after " << slices << " slices of ~1 ms the task is not running";
  ASSERT_EQ(::kill(victim, SIGKILL), 0) << "errno " << errno;
  resume_victim.Forget();
  std::cout << "[ takeover ] killed job worker " << victim << " running task " << id << " after " << slices
            << " slices\n";

  pid_t successor = -1;
  const bool restarted = PollUntil(kHangGuard, [&] {
    successor = ReadPidFile(JobWorkerPidFile());
    return successor > 1 && successor != victim && ProcessAlive(successor);
  });
  ASSERT_TRUE(restarted) << JobWorkerPidFile() << " still names " << successor << " long after SIGKILL of " << victim;

  auto task = WaitForTask(user, id, 60s);
  ASSERT_EQ(task.value("state", ""), "succeeded") << task.dump();
  EXPECT_GE(task.value("attempts", 0), 2) << "the killed attempt must count: " << task.dump();
  EXPECT_EQ(task.value("result", nlohmann::json::object()).value("cid", ""), cid) << task.dump();
  EXPECT_EQ(IntField(task.value("progress", nlohmann::json::object()), "done"), static_cast<long long>(kSize))
      << task.dump();
  ExpectRetrieves(user, cid, kSize, sha);

  // The job row: it succeeded on a later attempt than the killed one, and nobody holds it.
  // (One files row per user and CID is UNIQUE (user_id, cid) itself: nothing to check there.)
  const std::string job = "FROM jobs WHERE id = " + SqlLiteral(id) + "::uuid";
  EXPECT_EQ(PsqlValue(database_url_,
                      "SELECT state || ' ' || (attempts >= 2) || ' ' || (lease_owner IS NULL) || ' ' || "
                      "(finished_at IS NOT NULL) || ' ' || type " +
                          job),
            "succeeded true true true upload")
      << "state, attempts >= 2, lease released, finished, type";
  // Its audit trail: accepted once (by the request), and an "upload" row of this CID for each
  // attempt that recorded it (the killed one may have, just before it died), never more.
  const std::string owner = "(SELECT id FROM users WHERE email = " + SqlLiteral(user.email) + ")";
  EXPECT_EQ(PsqlValue(database_url_, "SELECT count(*) FROM audit_log WHERE user_id = " + owner +
                                         " AND action = 'upload_accepted' AND details->>'task_id' = " + SqlLiteral(id)),
            "1");
  const int attempts = std::stoi(PsqlValue(database_url_, "SELECT attempts " + job));
  const int recorded =
      std::stoi(PsqlValue(database_url_, "SELECT count(*) FROM audit_log WHERE user_id = " + owner +
                                             " AND action = 'upload' AND details->>'cid' = " + SqlLiteral(cid)));
  EXPECT_GE(recorded, 1) << "the successful attempt left no upload audit row";
  EXPECT_LE(recorded, attempts) << "more upload audit rows than attempts";
  EXPECT_EQ(PsqlValue(database_url_, "SELECT count(*) FROM jobs WHERE user_id = " + owner), "1")
      << "the takeover created another job";
  const auto listed = Call("GET", "/files", user);
  EXPECT_EQ(listed.Header("x-total-count").value_or(""), "1") << listed.Describe();
  ExpectSpoolCleared(spool_before);
}

TEST_F(TaskRecovery, QueuedTasksSurviveAPostgresRestart) {
  ASSERT_TRUE(Require(env_.run_dir, "GW_TEST_RUN_DIR"));
  ASSERT_TRUE(Require(store_dir_, "GW_TEST_STORE_DIR"));
  ASSERT_TRUE(Require(reference_dir_, "GW_TEST_REFERENCE_DIR"));
  ASSERT_TRUE(Require(pg_restart_, "GW_TEST_PG_RESTART"));
  constexpr std::uint64_t kSize = std::uint64_t{12} << 20;
  TempDir dir("gw-e2e-pgrestart");
  std::vector<std::string> files;
  for (int i = 0; i < 3; ++i) {
    files.push_back(dir.Path() + "/queued-" + std::to_string(i) + ".bin");
    WriteRandomFile(files.back(), kSize, Seed());
  }
  const auto cids = ReferenceCids(reference_dir_, files);
  const auto user = RegisterUser("task-pg-restart");

  const pid_t worker = ReadPidFile(JobWorkerPidFile());
  ASSERT_TRUE(ProcessAlive(worker)) << JobWorkerPidFile() << " names " << worker << ", which is not running";
  const auto spool_before = SpoolFiles(store_dir_);
  ASSERT_EQ(::kill(worker, SIGSTOP), 0) << "errno " << errno;
  ContinueOnExit resume_worker(worker);
  std::vector<std::string> ids;
  for (const auto& file : files) {
    const auto up = UploadFileRaw(env_, user.api_key, file);
    ASSERT_EQ(up.error, "") << up.response.Describe();
    ids.push_back(ExpectAccepted(up.response, kSize));
    ASSERT_FALSE(ids.back().empty());
  }
  EXPECT_GE(NewEntries(spool_before, SpoolFiles(store_dir_)).size(), 3u)
      << "the bodies of 3 queued tasks are not in " << store_dir_ << "/spool";

  // every connection to PostgreSQL breaks, the stopped job worker's as well as the workers'
  std::string output;
  const int status = RunCommand(ShellQuote(pg_restart_), output);
  ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0)
      << pg_restart_ << " failed (wait status " << status << "):\n"
      << output;
  ASSERT_EQ(::kill(worker, SIGCONT), 0) << "errno " << errno;
  resume_worker.Forget();  // it may now exit and its pid be reused: never signal it again

  const auto deadline = std::chrono::steady_clock::now() + 60s;
  for (std::size_t i = 0; i < files.size(); ++i) {
    SCOPED_TRACE(files[i]);
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    auto task = WaitForTask(user, ids[i], std::max(left, std::chrono::milliseconds(1)));
    ASSERT_EQ(task.value("state", ""), "succeeded") << task.dump();
    const std::string cid = task.value("result", nlohmann::json::object()).value("cid", "");
    EXPECT_EQ(cid, cids.at(files[i])) << task.dump();
    ExpectRetrieves(user, cids.at(files[i]), kSize, Sha256OfFile(files[i]));
  }
  ExpectSpoolCleared(spool_before);

  // no broken connection is left to answer 503: readiness and small (synchronous) uploads work
  int failures = 0;
  std::string first_failure;
  std::vector<std::string> small_cids;
  for (int i = 0; i < 20; ++i) {
    const auto ready = Client().Request("GET", "/health/ready");
    const auto small = UploadRaw(user, "after the restart " + RandomHex(16), "small-" + std::to_string(i) + ".txt");
    for (const auto* r : {&ready, &small}) {
      const long expected = r == &ready ? 200 : 201;
      if (r->status != expected && failures++ == 0) first_failure = "#" + std::to_string(i) + ": " + r->Describe();
    }
    if (small.status == 201) small_cids.push_back(CidOf(small));
  }
  EXPECT_EQ(failures, 0) << "first failure: " << first_failure;
  ExpectSuccessEnvelope(Client().Request("GET", "/health/ready"), 200);

  // The database and the store agree with the API: a live row and the bytes for each upload
  // (3 tasks + 20 small ones), the 3 jobs succeeded, nothing half-written.
  ASSERT_TRUE(Require(database_url_, "GW_TEST_APP_DATABASE_URL"));
  const std::string owner = "(SELECT id FROM users WHERE email = " + SqlLiteral(user.email) + ")";
  EXPECT_EQ(Sql("SELECT count(*) FROM files WHERE deleted_at IS NULL AND user_id = " + owner),
            std::to_string(files.size() + small_cids.size()));
  EXPECT_EQ(Sql("SELECT string_agg(state, ',') FROM jobs WHERE user_id = " + owner), "succeeded,succeeded,succeeded");
  std::vector<std::string> all = small_cids;
  for (const auto& file : files) all.push_back(cids.at(file));
  std::string listed_cids;
  for (const auto& cid : all) listed_cids += (listed_cids.empty() ? "" : ",") + SqlLiteral(cid);
  // one query for all of them: the live rows are exactly these CIDs
  EXPECT_EQ(Sql("SELECT count(*) FROM files WHERE deleted_at IS NULL AND user_id = " + owner + " AND cid IN (" +
                listed_cids + ")"),
            std::to_string(all.size()));
  for (const auto& cid : all) {
    if (!env_.filebase) {
      EXPECT_TRUE(OnDisk(cid)) << "no bytes in the store for " << cid;
    }
  }
  if (!env_.filebase) {
    EXPECT_EQ(UnexpectedStoreEntries(store_dir_), std::vector<std::string>{});
  }
}

}  // namespace
}  // namespace gw::e2e
