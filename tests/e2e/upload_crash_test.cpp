// A worker killed (SIGKILL) in the middle of an upload leaves nothing behind: no staging file
// (its replacement removes tmp/<dead pid>-*), no file in the store and no files row; the same
// upload then succeeds with the reference CID.
#include <signal.h>
#include <stdlib.h>

#include <atomic>
#include <cerrno>
#include <set>

#include "content_fixture.hpp"

namespace gw::e2e {
namespace {

using namespace std::chrono_literals;

// 100 MiB minus room for the multipart framing: the whole body must stay within nginx's 100m.
constexpr std::size_t kFileSize = (std::size_t{100} << 20) - 1024;

class UploadCrash : public ContentTest {
 protected:
  void TearDown() override {
    if (!tmp_dir_.empty()) {
      std::error_code ignored;
      std::filesystem::remove_all(tmp_dir_, ignored);
    }
  }

  std::set<pid_t> WorkerPids() const {
    std::set<pid_t> pids;
    std::error_code error;
    for (const auto& entry : std::filesystem::directory_iterator(env_.run_dir, error)) {
      const auto name = entry.path().filename().string();
      if (!name.starts_with("worker-") || !name.ends_with(".pid")) continue;
      std::ifstream in(entry.path());
      long long pid = 0;
      if (in >> pid && pid > 1) pids.insert(static_cast<pid_t>(pid));
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

  void WriteRandomFile(const std::string& path) const {
    std::ofstream out(path, std::ios::binary);
    const std::uint64_t seed = std::stoull(RandomHex(12), nullptr, 16);
    for (std::size_t done = 0, i = 0; done < kFileSize; ++i) {
      const std::size_t n = std::min<std::size_t>(std::size_t{1} << 20, kFileSize - done);
      const std::string piece = PseudoRandomBytes(n, seed + i);
      out.write(piece.data(), static_cast<std::streamsize>(n));
      done += n;
    }
    if (!out) throw std::runtime_error("cannot write " + path);
  }

  std::string ReferenceCidOf(const std::string& path) const {
    std::string output;
    const std::string command = "node " + ShellQuote(reference_dir_ + "/cid.mjs") + " " + ShellQuote(path);
    if (RunCommand(command, output) != 0) throw std::runtime_error("`" + command + "` failed:\n" + output);
    return output.substr(0, output.find(' '));
  }

  std::string tmp_dir_;
  std::string reference_dir_ = GetEnvOrEmpty("GW_TEST_REFERENCE_DIR");
};

TEST_F(UploadCrash, WorkerKilledMidUploadLeavesNoPartialFileAndNoRow) {
  ASSERT_TRUE(Require(store_dir_, "GW_TEST_STORE_DIR"));
  ASSERT_TRUE(Require(env_.run_dir, "GW_TEST_RUN_DIR"));
  ASSERT_TRUE(Require(reference_dir_, "GW_TEST_REFERENCE_DIR"));
  std::string dir = (std::filesystem::temp_directory_path() / "gw-e2e-crash.XXXXXX").string();
  ASSERT_NE(::mkdtemp(dir.data()), nullptr);
  tmp_dir_ = dir;

  std::vector<std::string> attempts;
  for (int attempt = 1; attempt <= 5; ++attempt) {
    const auto user = RegisterUser("crash");
    const std::string file = tmp_dir_ + "/upload-" + std::to_string(attempt) + ".bin";
    WriteRandomFile(file);  // fresh bytes each attempt: a finished attempt stored its CID
    const auto workers = WorkerPids();
    ASSERT_FALSE(workers.empty()) << "no worker-*.pid in " << env_.run_dir;
    const auto before = TmpEntries();
    const std::set<std::string> old(before.begin(), before.end());

    std::atomic<bool> done{false};
    StreamResult result;
    std::thread upload([&] {
      result = UploadFileMultipart(env_, user.api_key, file);
      done = true;
    });
    pid_t victim = -1;
    std::string part;
    while (!done && victim < 0) {
      for (const auto& name : TmpEntries()) {
        if (old.count(name) || !name.ends_with(".part")) continue;
        const pid_t pid = static_cast<pid_t>(std::atoll(name.substr(0, name.find('-')).c_str()));
        if (workers.count(pid) == 0) continue;  // only ever kill a worker of this stack
        // no ASSERT here: the upload thread must be joined first
        if (::kill(pid, SIGKILL) != 0) ADD_FAILURE() << "kill(" << pid << ", SIGKILL) failed, errno " << errno;
        victim = pid;
        part = name;
        break;
      }
      std::this_thread::sleep_for(1ms);
    }
    upload.join();
    if (victim < 0) {
      attempts.push_back("attempt " + std::to_string(attempt) + ": no .part seen; upload ended with HTTP " +
                         std::to_string(result.response.status) + " " + result.error);
      continue;
    }
    std::cout << "[ crash ] attempt " << attempt << ": killed worker " << victim << " while it staged tmp/" << part
              << "; client saw HTTP " << result.response.status << " curl " << (result.error.empty() ? "OK" : result.error)
              << "\n";

    // the client sees a failure: nginx's JSON 502 (or a 5xx), or a broken connection
    if (result.error.empty() || result.response.status != 0) {
      EXPECT_GE(result.response.status, 500) << result.response.Describe();
      EXPECT_FALSE(ErrorCode(result.response).empty()) << "not a JSON error envelope: " << result.response.Describe();
    }
    // the replacement worker removes the dead worker's staging entries
    const std::string prefix = std::to_string(victim) + "-";
    std::vector<std::string> left;
    const bool cleaned = PollUntil(3000ms, [&] {
      left.clear();
      for (const auto& name : TmpEntries()) {
        if (name.starts_with(prefix)) left.push_back(name);
      }
      return left.empty();
    });
    EXPECT_TRUE(cleaned) << "3 s after SIGKILL, tmp/ still holds " << left.size() << " entries of pid " << victim
                         << ", first: " << (left.empty() ? "" : left.front());

    // no row, no stored file
    const auto listed = Call("GET", "/files", user);
    ExpectSuccessEnvelope(listed, 200);
    EXPECT_EQ(listed.Header("x-total-count").value_or(""), "0") << listed.Describe();
    const std::string cid = ReferenceCidOf(file);
    ASSERT_TRUE(cid.starts_with("bafybei")) << cid;
    EXPECT_FALSE(std::filesystem::exists(StorePathOf(store_dir_, cid))) << "partial upload stored under " << cid;
    EXPECT_FALSE(std::filesystem::exists(store_dir_ + "/blocks/" + cid.substr(cid.size() - 2) + "/" + cid));
    ExpectErrorEnvelope(Retrieve(user, cid), 404, "not_found");

    // the service takes the same upload afterwards
    const auto again = UploadFileMultipart(env_, user.api_key, file);
    ASSERT_EQ(again.error, "") << again.response.Describe();
    ExpectSuccessEnvelope(again.response, 201);
    EXPECT_EQ(again.response.Json()["data"].value("cid", ""), cid) << again.response.Describe();
    EXPECT_TRUE(std::filesystem::is_regular_file(StorePathOf(store_dir_, cid)));
    const auto after = Call("GET", "/files", user);
    EXPECT_EQ(after.Header("x-total-count").value_or(""), "1") << after.Describe();
    return;
  }
  std::string summary;
  for (const auto& line : attempts) summary += "\n  " + line;
  FAIL() << "the upload's tmp/<pid>-*.part staging file never appeared in " << store_dir_
         << "/tmp in 5 attempts (uploads too fast to catch?):" << summary;
}

}  // namespace
}  // namespace gw::e2e
