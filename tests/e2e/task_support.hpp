// Shared pieces of the asynchronous-job (task) e2e tests: the 202 answer, a task object's shape,
// polling a task to its end, following an upload to its file object whether it answered 201 or
// 202, the job worker's pid, the spool directory, big temp files with their reference CIDs, and
// row counts through psql. Header-only: tests/e2e/CMakeLists.txt compiles only *_test.cpp besides
// https_client.cpp and e2e_support.cpp.
#pragma once

#include <signal.h>
#include <stdlib.h>
#include <sys/types.h>

#include <cctype>
#include <cerrno>
#include <chrono>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "content_fixture.hpp"
#include "tests/common/temp_dir.hpp"

namespace gw::e2e {

/// GW_ASYNC_THRESHOLD's default, which the test stack keeps: files of this size or more answer 202.
inline constexpr std::uint64_t kAsyncThreshold = std::uint64_t{10} << 20;

/// Canonical UUID text: 8-4-4-4-12 hex digits.
inline bool IsUuid(const std::string& s) {
  if (s.size() != 36) return false;
  for (std::size_t i = 0; i < s.size(); ++i) {
    const bool dash = i == 8 || i == 13 || i == 18 || i == 23;
    if (dash ? s[i] != '-' : std::isxdigit(static_cast<unsigned char>(s[i])) == 0) return false;
  }
  return true;
}

/// A task that will not change any more: "succeeded", or "failed" (a job waiting for a retry is
/// still "queued" to the API, so "failed" is final).
inline bool IsFinished(const nlohmann::json& task) {
  const std::string state = task.is_object() ? task.value("state", "") : "";
  return state == "succeeded" || state == "failed";
}

/// j[key] when it is an integer, else -1 (absent, null or of another type: never throws).
inline long long IntField(const nlohmann::json& j, const char* key) {
  return j.is_object() && j.contains(key) && j.at(key).is_number_integer() ? j.at(key).get<long long>() : -1;
}

/// Asserts the shape of a task object (GET /tasks/<id>/status data, an item of GET /tasks).
inline void ExpectTaskShape(const nlohmann::json& t) {
  ASSERT_TRUE(t.is_object()) << t.dump();
  EXPECT_TRUE(IsUuid(t.value("task_id", ""))) << t.dump();
  EXPECT_EQ((std::set<std::string>{"upload", "pin", "unpin"}).count(t.value("type", "")), 1u) << t.dump();
  const std::string state = t.value("state", "");
  EXPECT_EQ((std::set<std::string>{"queued", "running", "succeeded", "failed"}).count(state), 1u) << t.dump();
  ASSERT_TRUE(t.contains("progress") && t.at("progress").is_object()) << t.dump();
  const auto& progress = t.at("progress");
  EXPECT_TRUE(progress.contains("done") && progress.at("done").is_number_integer()) << t.dump();
  EXPECT_TRUE(progress.contains("total") &&
              (progress.at("total").is_number_integer() || progress.at("total").is_null()))
      << t.dump();
  for (const char* field : {"attempts", "max_attempts"}) {
    EXPECT_TRUE(t.contains(field) && t.at(field).is_number_integer()) << "'" << field << "' in " << t.dump();
  }
  EXPECT_LE(t.value("attempts", 0), t.value("max_attempts", 0)) << t.dump();
  EXPECT_TRUE(t.contains("created_at") && t.at("created_at").is_string()) << t.dump();
  EXPECT_TRUE(t.contains("updated_at") && t.at("updated_at").is_string()) << t.dump();
  ASSERT_TRUE(t.contains("finished_at")) << t.dump();
  // finished_at is what tells a client the task is over, so it must agree with the state
  EXPECT_EQ(t.at("finished_at").is_string(), IsFinished(t)) << t.dump();
  EXPECT_TRUE(t.at("finished_at").is_string() || t.at("finished_at").is_null()) << t.dump();
  EXPECT_EQ(t.contains("result"), state == "succeeded") << t.dump();
  if (state == "failed") {
    ASSERT_TRUE(t.contains("error") && t.at("error").is_object()) << t.dump();
    EXPECT_TRUE(t.at("error").contains("code") && t.at("error").at("code").is_string()) << t.dump();
    EXPECT_TRUE(t.at("error").contains("message") && t.at("error").at("message").is_string()) << t.dump();
  }
}

/// The pid in a pid file, or -1 when the file is missing, empty or half written.
inline pid_t ReadPidFile(const std::string& path) {
  std::ifstream in(path);
  long long pid = -1;
  if (!(in >> pid) || pid <= 1) return -1;
  return static_cast<pid_t>(pid);
}

inline bool ProcessAlive(pid_t pid) { return pid > 1 && (::kill(pid, 0) == 0 || errno == EPERM); }

/// Sends SIGCONT on scope exit, so that a failing test never leaves a process of the stack stopped.
class ContinueOnExit {
 public:
  explicit ContinueOnExit(pid_t pid) : pid_(pid) {}
  ~ContinueOnExit() {
    if (pid_ > 1) ::kill(pid_, SIGCONT);
  }
  ContinueOnExit(const ContinueOnExit&) = delete;
  ContinueOnExit& operator=(const ContinueOnExit&) = delete;
  /// After the process was killed: its pid may be reused, so never signal it again.
  void Forget() { pid_ = -1; }

 private:
  pid_t pid_;
};

/// Every regular file under <store>/spool/ (recursively); empty when there is no spool yet.
inline std::set<std::string> SpoolFiles(const std::string& store_dir) {
  std::set<std::string> out;
  std::error_code error;
  std::filesystem::recursive_directory_iterator it(store_dir + "/spool", error), end;
  for (; !error && it != end; it.increment(error)) {
    std::error_code ignored;
    if (it->is_regular_file(ignored)) out.insert(it->path().string());
  }
  return out;
}

/// The entries of `after` that are not in `before`.
inline std::vector<std::string> NewEntries(const std::set<std::string>& before, const std::set<std::string>& after) {
  std::vector<std::string> out;
  for (const auto& name : after) {
    if (before.count(name) == 0) out.push_back(name);
  }
  return out;
}

using gw::test::TempDir;

/// Writes `size` pseudo-random bytes in 1 MiB pieces (never the whole file in memory).
inline void WriteRandomFile(const std::string& path, std::uint64_t size, std::uint64_t seed) {
  std::ofstream out(path, std::ios::binary);
  for (std::uint64_t done = 0, i = 0; done < size; ++i) {
    const auto n = static_cast<std::size_t>(std::min<std::uint64_t>(std::uint64_t{1} << 20, size - done));
    const std::string piece = PseudoRandomBytes(n, seed + i);
    out.write(piece.data(), static_cast<std::streamsize>(n));
    done += n;
  }
  if (!out) throw std::runtime_error("cannot write " + path);
}

/// The reference CID (node cid.mjs, one run for all files) of each file, by path. Throws with
/// the script's output when it fails or leaves a file out.
inline std::map<std::string, std::string> ReferenceCids(const std::string& reference_dir,
                                                        const std::vector<std::string>& paths) {
  // appended piece by piece: GCC 12 warns (-Wrestrict, a false positive) on "lit" + std::string&&
  std::string command = "node ";
  command += ShellQuote(reference_dir + "/cid.mjs");
  for (const auto& path : paths) {
    command += ' ';
    command += ShellQuote(path);
  }
  std::string output;
  if (RunCommand(command, output) != 0) throw std::runtime_error("`" + command + "` failed:\n" + output);
  std::map<std::string, std::string> cids;
  std::istringstream lines(output);
  std::string cid, path;
  std::uint64_t size = 0;
  while (lines >> cid >> size >> path) cids[path] = cid;
  for (const auto& p : paths) {
    if (cids.count(p) == 0) throw std::runtime_error("cid.mjs printed nothing for " + p + ":\n" + output);
  }
  return cids;
}

/// ContentTest with the task endpoints.
class TaskTest : public ContentTest {
 protected:
  HttpResponse TaskStatus(const Account& user, const std::string& id) {
    return Call("GET", "/tasks/" + id + "/status", user);
  }

  /// Asserts a 202 upload answer for a file of `size` bytes: data.task_id a UUID, data.status_url
  /// its status URL and equal to Location, state "queued". Returns the task id ("" on failure).
  static std::string ExpectAccepted(const HttpResponse& r, std::uint64_t size) {
    ExpectSuccessEnvelope(r, 202);
    auto json = r.Json();
    if (r.status != 202 || !json.is_object() || !json["data"].is_object()) return "";
    const auto data = json["data"];
    const std::string id = data.value("task_id", "");
    EXPECT_TRUE(IsUuid(id)) << r.Describe();
    EXPECT_EQ(data.value("status_url", ""), "/tasks/" + id + "/status") << r.Describe();
    EXPECT_EQ(r.Header("location").value_or(""), data.value("status_url", "?")) << r.Describe();
    EXPECT_EQ(data.value("state", ""), "queued") << r.Describe();
    EXPECT_EQ(data.value("size", -1LL), static_cast<long long>(size)) << r.Describe();
    EXPECT_TRUE(data.contains("filename") && data["filename"].is_string()) << r.Describe();
    return IsUuid(id) ? id : "";
  }

  /// Polls the task every 50 ms until it is finished (IsFinished) or `timeout` passed; returns
  /// the last task object seen ({} when none was). Fails the test on any answer but 200 (polling stops there) and
  /// on a timeout; the caller asserts the final state it expects.
  nlohmann::json WaitForTask(const Account& user, const std::string& id, std::chrono::milliseconds timeout) {
    nlohmann::json last = nlohmann::json::object();
    std::string failure;
    PollUntil(timeout, [&] {
      const auto r = TaskStatus(user, id);
      auto json = r.Json();
      if (r.status != 200 || !json.is_object() || !json["data"].is_object()) {
        failure = r.Describe();
        return true;
      }
      last = json["data"];
      return IsFinished(last);
    });
    if (!failure.empty()) {
      ADD_FAILURE() << "GET /tasks/" << id << "/status: " << failure;
    } else if (!IsFinished(last)) {
      ADD_FAILURE() << "task " << id << " not finished within " << timeout.count() << " ms; last: " << last.dump();
    } else {
      ExpectTaskShape(last);
    }
    return last;
  }

  /// The file object an upload of `size` bytes produced: data of a 201, or the result of the
  /// task of a 202 once it succeeded. Fails the test and returns null otherwise.
  nlohmann::json UploadedFile(const Account& user, const HttpResponse& r, std::uint64_t size,
                              std::chrono::milliseconds timeout = std::chrono::seconds(120)) {
    if (r.status == 201) {
      ExpectSuccessEnvelope(r, 201);
      const auto json = r.Json();
      return json.is_object() ? json.value("data", nlohmann::json()) : nlohmann::json();
    }
    const std::string id = ExpectAccepted(r, size);
    if (id.empty()) return {};
    const auto task = WaitForTask(user, id, timeout);
    if (!task.is_object() || task.value("state", "") != "succeeded") {
      ADD_FAILURE() << "upload task " << id << " did not succeed: " << task.dump();
      return {};
    }
    return task.value("result", nlohmann::json());
  }
};

}  // namespace gw::e2e
