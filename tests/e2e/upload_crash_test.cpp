// A FastCGI worker killed (SIGKILL) while it takes an upload in leaves nothing behind: no staging
// file in tmp/ (its replacement removes tmp/<dead pid>-*), no file in the store, no files row and
// no task (the client never got a task id). The body it was keeping in spool/ may stay there
// until `gw gc` removes it. The same upload then succeeds: as it is over 10 MiB, through 202 and
// its task, with the reference CID.
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>

#include <atomic>
#include <cerrno>
#include <set>

#include "task_support.hpp"

namespace gw::e2e {
namespace {

using namespace std::chrono_literals;

// 100 MiB minus room for the multipart framing: the whole body must stay within nginx's 100m.
constexpr std::size_t kFileSize = (std::size_t{100} << 20) - 1024;

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

  // The file that shows worker `pid` in the middle of taking the upload in, before anything
  // about it is committed, or "". Found through /proc rather than by name:
  // - any file open under spool/: a worker holds a spooled body open only while it makes it
  //   durable (it hard-links nginx's body file there, or copies it, then fsyncs), which comes
  //   before the commit of the task;
  // - a file under tmp/ open for writing and still smaller than the upload: the synchronous
  //   path's staging file (if the upload ever went that way again).
  std::string FileInHand(pid_t pid) const {
    const std::string proc = "/proc/" + std::to_string(pid);
    std::error_code error;
    std::filesystem::directory_iterator it(proc + "/fd", error), end;
    for (; !error && it != end; it.increment(error)) {
      std::error_code link_error;
      const std::string target = std::filesystem::read_symlink(it->path(), link_error).string();
      if (link_error) continue;
      if (target.starts_with(store_real_ + "/spool/")) return target;
      if (!target.starts_with(store_real_ + "/tmp/")) continue;
      std::ifstream info(proc + "/fdinfo/" + it->path().filename().string());
      std::string key, flags;
      while (info >> key && key != "flags:") {
      }
      info >> flags;
      const bool writing = (std::strtol(flags.c_str(), nullptr, 8) & O_ACCMODE) != O_RDONLY;
      struct stat st {};
      if (writing && ::stat(it->path().c_str(), &st) == 0 && static_cast<std::uint64_t>(st.st_size) < kFileSize) {
        return target;
      }
    }
    return "";
  }

  std::string store_real_;  // the store's canonical path, as /proc/<pid>/fd links show it
  std::string reference_dir_ = GetEnvOrEmpty("GW_TEST_REFERENCE_DIR");
};

TEST_F(UploadCrash, WorkerKilledMidUploadLeavesNoPartialFileAndNoRow) {
  ASSERT_TRUE(Require(store_dir_, "GW_TEST_STORE_DIR"));
  ASSERT_TRUE(Require(env_.run_dir, "GW_TEST_RUN_DIR"));
  ASSERT_TRUE(Require(reference_dir_, "GW_TEST_REFERENCE_DIR"));
  store_real_ = std::filesystem::weakly_canonical(store_dir_).string();
  TempDir dir("gw-e2e-crash");

  std::vector<std::string> attempts;
  for (int attempt = 1; attempt <= 5; ++attempt) {
    const auto user = RegisterUser("crash");
    const std::string file = dir.Path() + "/upload-" + std::to_string(attempt) + ".bin";
    // fresh bytes each attempt: a finished attempt stored its CID
    WriteRandomFile(file, kFileSize, std::stoull(RandomHex(12), nullptr, 16));
    const auto workers = WorkerPids();
    ASSERT_FALSE(workers.empty()) << "no worker-*.pid in " << env_.run_dir;
    for (const pid_t pid : workers) {
      std::error_code error;
      std::filesystem::directory_iterator probe("/proc/" + std::to_string(pid) + "/fd", error);
      ASSERT_FALSE(error) << "cannot list /proc/" << pid << "/fd (" << error.message()
                          << "): the test must run as the workers' user";
    }

    std::atomic<bool> done{false};
    StreamResult result;
    std::thread upload([&] {
      result = UploadFileMultipart(env_, user.api_key, file);
      done = true;
    });
    pid_t victim = -1;
    std::string target;
    while (!done && victim < 0) {
      for (const pid_t pid : workers) {  // only ever kill a worker of this stack
        target = FileInHand(pid);
        if (target.empty()) continue;
        // no ASSERT here: the upload thread must be joined first
        if (::kill(pid, SIGKILL) != 0) ADD_FAILURE() << "kill(" << pid << ", SIGKILL) failed, errno " << errno;
        victim = pid;
        break;
      }
      std::this_thread::sleep_for(200us);
    }
    upload.join();
    if (victim < 0) {
      attempts.push_back("attempt " + std::to_string(attempt) +
                         ": no worker seen with it in hand; upload ended with HTTP " +
                         std::to_string(result.response.status) + " " + result.error);
      continue;
    }
    std::cout << "[ crash ] attempt " << attempt << ": killed worker " << victim << " while it held " << target
              << "; client saw HTTP " << result.response.status << " curl "
              << (result.error.empty() ? "OK" : result.error) << "\n";

    // the client sees a failure: nginx's JSON 502 (or a 5xx), or a broken connection
    if (result.error.empty() || result.response.status != 0) {
      EXPECT_GE(result.response.status, 500) << result.response.Describe();
      EXPECT_FALSE(ErrorCode(result.response).empty()) << "not a JSON error envelope: " << result.response.Describe();
    }
    // the replacement worker removes the dead worker's staging entries (spool/ may keep its file)
    const std::string prefix = std::to_string(victim) + "-";
    const bool staged = target.starts_with(store_real_ + "/tmp/") && !target.ends_with(" (deleted)");
    std::vector<std::string> left;
    const bool cleaned = PollUntil(3000ms, [&] {
      left.clear();
      for (const auto& name : TmpEntries()) {
        if (name.starts_with(prefix)) left.push_back(name);
      }
      if (staged && std::filesystem::exists(target)) left.push_back(target);
      return left.empty();
    });
    EXPECT_TRUE(cleaned) << "3 s after SIGKILL, tmp/ still holds " << left.size() << " staging entries of pid "
                         << victim << ", first: " << (left.empty() ? "" : left.front());

    // no row, no task, no stored file
    const auto listed = Call("GET", "/files", user);
    ExpectSuccessEnvelope(listed, 200);
    EXPECT_EQ(listed.Header("x-total-count").value_or(""), "0") << listed.Describe();
    const auto tasks = Call("GET", "/tasks", user);
    ExpectSuccessEnvelope(tasks, 200);
    EXPECT_EQ(tasks.Header("x-total-count").value_or(""), "0") << "a task for the killed upload: " << tasks.Describe();
    const std::string cid = ReferenceCids(reference_dir_, {file}).at(file);
    ASSERT_TRUE(cid.starts_with("bafybei")) << cid;
    EXPECT_FALSE(std::filesystem::exists(StorePathOf(store_dir_, cid))) << "partial upload stored under " << cid;
    EXPECT_FALSE(std::filesystem::exists(store_dir_ + "/blocks/" + cid.substr(cid.size() - 2) + "/" + cid));
    ExpectErrorEnvelope(Retrieve(user, cid), 404, "not_found");

    // the service takes the same upload afterwards, asynchronously
    const auto again = UploadFileMultipart(env_, user.api_key, file);
    ASSERT_EQ(again.error, "") << again.response.Describe();
    ASSERT_EQ(again.response.status, 202) << again.response.Describe();
    const auto stored = UploadedFile(user, again.response, kFileSize);
    ASSERT_TRUE(stored.is_object()) << again.response.Describe();
    EXPECT_EQ(stored.value("cid", ""), cid) << stored.dump();
    EXPECT_TRUE(std::filesystem::is_regular_file(StorePathOf(store_dir_, cid)));
    const auto after = Call("GET", "/files", user);
    EXPECT_EQ(after.Header("x-total-count").value_or(""), "1") << after.Describe();
    const auto tasks_after = Call("GET", "/tasks", user);
    EXPECT_EQ(tasks_after.Header("x-total-count").value_or(""), "1") << tasks_after.Describe();
    return;
  }
  std::string summary;
  for (const auto& line : attempts) summary += "\n  " + line;
  FAIL() << "no FastCGI worker was ever seen holding the upload under " << store_dir_ << "/spool (or writing it "
         << "under /tmp) in 5 attempts (taken in too fast to catch?):" << summary;
}

}  // namespace
}  // namespace gw::e2e
