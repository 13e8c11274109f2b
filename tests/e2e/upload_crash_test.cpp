// A FastCGI worker killed (SIGKILL) while it takes an upload in leaves nothing half-written
// behind: no file in the store, no files row, no job and no task (the client never got a task
// id), no staging entry of the dead worker in tmp/. The body it had kept in spool/ may stay there,
// whole, until `gw gc` removes it. The same upload then succeeds: through 202 and its task, with
// the reference CID.
//
// The kill must land at a known point, not whenever the test happens to see the worker busy
// (that only ever caught it during an fsync, and depended on the disk's speed): the test stack's
// binary is built with the test-only hooks (-DGW_TEST_HOOKS=ON, ./gw test only), and a worker
// that finds $GW_TEST_HOOKS_DIR/stop-after-spool (the run directory) removes it and stops itself
// right after it kept the body in spool/ and before the task is committed
// (persistence/local_upload_spool.cpp). The test waits for a stopped worker and kills it.
#include <signal.h>

#include <atomic>
#include <cerrno>
#include <fstream>
#include <iterator>
#include <set>

#include "task_support.hpp"

namespace gw::e2e {
namespace {

using namespace std::chrono_literals;

// Over the asynchronous threshold (GW_ASYNC_THRESHOLD, 10 MiB): the upload is kept in spool/.
constexpr std::size_t kFileSize = kAsyncThreshold + (std::size_t{1} << 20);

class UploadCrash : public TaskTest {
 protected:
  // FastCGI workers only: worker-<slot>.pid (the job worker's file is job-worker-<n>.pid).
  std::set<pid_t> WorkerPids() const {
    std::set<pid_t> pids;
    std::error_code error;
    for (const auto& entry : std::filesystem::directory_iterator(env_.run_dir, error)) {
      const auto name = entry.path().filename().string();
      if (!name.starts_with("worker-") || !name.ends_with(".pid")) continue;
      const pid_t pid = ReadPidFile(entry.path().string());
      if (pid > 1) pids.insert(pid);
    }
    return pids;
  }

  std::vector<std::string> TmpEntries() const {
    std::vector<std::string> names;
    std::error_code error;
    for (const auto& entry : std::filesystem::directory_iterator(store_dir_ + "/tmp", error)) {
      names.push_back(entry.path().filename().string());
    }
    return names;
  }

  /// The process state letter of /proc/<pid>/stat ('T' when stopped), or 0.
  static char ProcessState(pid_t pid) {
    std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
    std::string stat((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    const auto close = stat.rfind(')');  // the command name may hold spaces and parentheses
    return close == std::string::npos || close + 2 >= stat.size() ? '\0' : stat[close + 2];
  }

  std::string reference_dir_ = GetEnvOrEmpty("GW_TEST_REFERENCE_DIR");
};

/// Removes the marker and kills a stopped worker however the test ends: a failing test must not
/// leave the stack with a worker stopped (or the next upload stopping one).
struct CrashGuard {
  std::string marker;
  pid_t victim = -1;
  ~CrashGuard() {
    std::error_code ignored;
    std::filesystem::remove(marker, ignored);
    if (victim > 1) ::kill(victim, SIGKILL);
  }
};

TEST_F(UploadCrash, WorkerKilledMidUploadLeavesNoPartialFileAndNoRow) {
  ASSERT_TRUE(Require(store_dir_, "GW_TEST_STORE_DIR"));
  ASSERT_TRUE(Require(env_.run_dir, "GW_TEST_RUN_DIR"));
  ASSERT_TRUE(Require(reference_dir_, "GW_TEST_REFERENCE_DIR"));
  ASSERT_TRUE(Require(database_url_, "GW_TEST_APP_DATABASE_URL"));
  TempDir dir("gw-e2e-crash");
  const auto user = RegisterUser("crash");
  const std::string file = dir.Path() + "/upload.bin";
  WriteRandomFile(file, kFileSize, std::stoull(RandomHex(12), nullptr, 16));
  const std::string cid = ReferenceCids(reference_dir_, {file}).at(file);
  ASSERT_TRUE(cid.starts_with("bafybei")) << cid;
  const auto workers = WorkerPids();
  ASSERT_FALSE(workers.empty()) << "no worker-*.pid in " << env_.run_dir;
  const auto spool_before = SpoolFiles(store_dir_);

  CrashGuard guard{env_.run_dir + "/stop-after-spool"};
  std::ofstream(guard.marker) << "upload_crash_test\n";
  ASSERT_TRUE(std::filesystem::exists(guard.marker)) << "cannot create " << guard.marker;

  std::atomic<bool> done{false};
  StreamResult result;
  std::thread upload([&] {
    result = UploadFileMultipart(env_, user.api_key, file);
    done = true;
  });
  // A worker of this stack stops itself at the hook; the upload cannot finish before it is killed.
  const bool stopped = PollUntil(std::chrono::milliseconds(60000), [&] {
    for (const pid_t pid : workers) {
      if (ProcessState(pid) == 'T') guard.victim = pid;
    }
    return guard.victim > 1 || done.load();
  });
  if (guard.victim > 1 && ::kill(guard.victim, SIGKILL) != 0) {
    ADD_FAILURE() << "kill(" << guard.victim << ", SIGKILL) failed, errno " << errno;
  }
  upload.join();  // no ASSERT before this line: the thread must be joined
  ASSERT_TRUE(stopped && guard.victim > 1)
      << "no worker stopped at the test hook (upload ended with HTTP " << result.response.status << " " << result.error
      << "): is the stack's binary built with -DGW_TEST_HOOKS=ON and GW_TEST_HOOKS_DIR set?";
  const pid_t victim = guard.victim;
  guard.victim = -1;  // dead now: its pid may be reused, never signal it again
  EXPECT_FALSE(std::filesystem::exists(guard.marker)) << "the hook did not consume its marker";
  std::cout << "[ crash ] killed worker " << victim << " stopped after keeping the body; client saw HTTP "
            << result.response.status << " curl " << (result.error.empty() ? "OK" : result.error) << "\n";

  // the client sees a failure: nginx's JSON 502 (or a 5xx), or a broken connection
  if (result.error.empty() || result.response.status != 0) {
    EXPECT_GE(result.response.status, 500) << result.response.Describe();
    EXPECT_FALSE(ErrorCode(result.response).empty()) << "not a JSON error envelope: " << result.response.Describe();
  }
  // the replacement worker removes the dead worker's staging entries in tmp/
  const std::string prefix = std::to_string(victim) + "-";
  std::vector<std::string> left;
  const bool cleaned = PollUntil(kHangGuard, [&] {
    left.clear();
    for (const auto& name : TmpEntries()) {
      if (name.starts_with(prefix)) left.push_back(name);
    }
    return left.empty();
  });
  EXPECT_TRUE(cleaned) << "tmp/ still holds " << left.size() << " staging entries of pid " << victim
                       << ", first: " << (left.empty() ? "" : left.front());
  // the body it kept is whole (the hook runs after the fsync): nothing half-written in spool/
  for (const auto& path : NewEntries(spool_before, SpoolFiles(store_dir_))) {  // full paths
    std::error_code gone;  // removed meanwhile: nothing half-written either
    const auto size = std::filesystem::file_size(path, gone);
    if (!gone) {
      EXPECT_GE(size, kFileSize) << "half-written spool file " << path;
    }
  }

  // no row, no job, no task, no stored file: in the API, in the database and in the store
  const auto listed = Call("GET", "/files", user);
  ExpectSuccessEnvelope(listed, 200);
  EXPECT_EQ(listed.Header("x-total-count").value_or(""), "0") << listed.Describe();
  const auto tasks = Call("GET", "/tasks", user);
  ExpectSuccessEnvelope(tasks, 200);
  EXPECT_EQ(tasks.Header("x-total-count").value_or(""), "0") << "a task for the killed upload: " << tasks.Describe();
  const std::string owner = "(SELECT id FROM users WHERE email = " + SqlLiteral(user.email) + ")";
  EXPECT_EQ(FileRowCount(user), "0");
  EXPECT_EQ(Sql("SELECT count(*) FROM jobs WHERE user_id = " + owner), "0");
  EXPECT_EQ(Sql("SELECT count(*) FROM audit_log WHERE user_id = " + owner + " AND action LIKE 'upload%'"), "0");
  EXPECT_EQ(Sql("SELECT count(*) FROM contents WHERE cid = " + SqlLiteral(cid)), "0");
  EXPECT_FALSE(std::filesystem::exists(StorePathOf(store_dir_, cid))) << "partial upload stored under " << cid;
  EXPECT_FALSE(std::filesystem::exists(store_dir_ + "/blocks/" + cid.substr(cid.size() - 2) + "/" + cid));
  EXPECT_EQ(UnexpectedStoreEntries(store_dir_), std::vector<std::string>{});
  ExpectErrorEnvelope(Retrieve(user, cid), 404, "not_found");

  // the service takes the same upload afterwards, asynchronously
  const auto again = UploadFileMultipart(env_, user.api_key, file);
  ASSERT_EQ(again.error, "") << again.response.Describe();
  ASSERT_EQ(again.response.status, 202) << again.response.Describe();
  const auto stored = UploadedFile(user, again.response, kFileSize);
  ASSERT_TRUE(stored.is_object()) << again.response.Describe();
  EXPECT_EQ(stored.value("cid", ""), cid) << stored.dump();
  EXPECT_TRUE(std::filesystem::is_regular_file(StorePathOf(store_dir_, cid)));
  EXPECT_EQ(FileRow(user, cid), "live");
  const auto after = Call("GET", "/files", user);
  EXPECT_EQ(after.Header("x-total-count").value_or(""), "1") << after.Describe();
  const auto tasks_after = Call("GET", "/tasks", user);
  EXPECT_EQ(tasks_after.Header("x-total-count").value_or(""), "1") << tasks_after.Describe();
}

}  // namespace
}  // namespace gw::e2e
