// The Filebase backend misbehaving, end to end: the stack `./gw test` runs with
// GW_STORAGE=filebase (FILEBASE_BREAKER_OPEN_S=3) against the Filebase double, whose faults the
// tests switch on through its control API. Only run against that stack (label e2e-filebase).
#include "task_support.hpp"

namespace gw::e2e {
namespace {

using namespace std::chrono_literals;

class FilebaseFaults : public TaskTest {
 protected:
  void SetUp() override {
    TaskTest::SetUp();
    ASSERT_TRUE(env_.filebase) << "these tests need the Filebase stack (GW_TEST_STACK=filebase)";
    control_ = std::make_unique<HttpsClient>(env_.filebase_control_url, env_.ca_file);
    control_->SetRecorded(false);  // the double's control API, not the gateway's
    SetFault(R"({"mode":"none"})");
    ASSERT_EQ(control_->Request("POST", "/requests/clear").status, 200);
  }
  void TearDown() override {
    if (control_) SetFault(R"({"mode":"none"})");
    TaskTest::TearDown();
  }

  void SetFault(const std::string& json) {
    const auto response = control_->Request("POST", "/fault", {{"Content-Type", "application/json"}}, json);
    ASSERT_EQ(response.status, 200) << response.Describe();
  }

  /// The S3 requests the double answered since SetUp, oldest first (and the raw log in log_).
  /// The double records a relayed answer's status as its last byte leaves, which may be just
  /// after the client has it: the log is read again (for up to 3 s) until every entry has one.
  std::vector<nlohmann::json> S3Requests() {
    std::vector<nlohmann::json> out;
    PollUntil(kHangGuard, [&] {
      out.clear();
      const auto response = control_->Request("GET", "/requests");
      log_ = response.body.substr(0, 4000);
      const auto json = response.Json();
      if (!json.is_object() || !json.contains("requests")) return false;
      bool settled = true;
      for (const auto& r : json["requests"]) {
        if (r.value("kind", "") != "s3") continue;
        settled = settled && r["status"].is_number();
        out.push_back(r);
      }
      return settled;
    });
    return out;
  }

  static int StatusOf(const nlohmann::json& r) { return r["status"].is_number() ? r["status"].get<int>() : -1; }
  std::string log_;

  static std::uint64_t Seed() { return std::stoull(RandomHex(12), nullptr, 16); }
  std::string FreshBytes(std::size_t n) { return PseudoRandomBytes(n, Seed()); }

  std::unique_ptr<HttpsClient> control_;
};

TEST_F(FilebaseFaults, AWrongCidFromFilebaseIsRejectedTheObjectDeletedAndNoFileRecorded) {
  const auto user = RegisterUser("fb-wrongcid");
  SetFault(R"({"mode":"wrong-cid","count":1})");
  const auto up = UploadRaw(user, FreshBytes(4096), "wrong.bin");
  ExpectErrorEnvelope(up, 502, "storage_cid_mismatch");
  const auto listed = Call("GET", "/files", user);
  EXPECT_EQ(listed.Header("x-total-count").value_or(""), "0") << listed.Describe();
  int puts = 0, deletes = 0;
  std::string key;
  for (const auto& r : S3Requests()) {
    const std::string method = r.value("method", "");
    if (method == "PUT" && StatusOf(r) == 200) {
      ++puts;
      key = r.value("path", "");
    }
    if (method == "DELETE" && r.value("path", "") == key) ++deletes;
  }
  EXPECT_EQ(puts, 1) << log_;
  EXPECT_EQ(deletes, 1) << "the object with the wrong CID was not deleted (" << key << ")";
}

TEST_F(FilebaseFaults, SlowDownTwiceThenTheUploadIsStoredAfterTwoRetries) {
  const auto user = RegisterUser("fb-slowdown");
  SetFault(R"({"mode":"slowdown","count":2})");
  const std::string bytes = FreshBytes(8192);
  const auto up = UploadRaw(user, bytes, "slow.bin");
  ExpectSuccessEnvelope(up, 201);
  int slowdowns = 0;
  for (const auto& r : S3Requests()) slowdowns += StatusOf(r) == 503 ? 1 : 0;
  EXPECT_EQ(slowdowns, 2) << log_;
  const auto got = Retrieve(user, CidOf(up));
  ASSERT_EQ(got.status, 200) << got.Describe();
  EXPECT_EQ(got.body, bytes);
}

TEST_F(FilebaseFaults, WhileFilebaseIsDownUploadsAre503AndATaskWaitsForItNothingLost) {
  const auto user = RegisterUser("fb-down");
  SetFault(R"({"mode":"down"})");
  // connections are refused: each upload fails after its retries, and after 5 failures in a row
  // a worker's breaker opens and refuses at once, saying when to come back
  bool refused_by_breaker = false;
  for (int i = 0; i < 12 && !refused_by_breaker; ++i) {
    const auto up = UploadRaw(user, FreshBytes(1024), "down.bin");
    ExpectErrorEnvelope(up, 503, "storage_unavailable");
    refused_by_breaker = up.Header("retry-after").has_value();
  }
  EXPECT_TRUE(refused_by_breaker) << "no 503 with Retry-After: the breaker never opened";

  // a large upload is accepted all the same (its body is spooled here) and waits for Filebase
  const std::string big = FreshBytes(kAsyncThreshold);
  const auto accepted = UploadRaw(user, big, "while-down.bin");
  ASSERT_EQ(accepted.status, 202) << accepted.Describe();
  // its task meets Filebase down (it waits, its last error says why) before Filebase comes back
  const std::string task_id = accepted.Json()["data"].value("task_id", "");
  nlohmann::json task;
  const bool waiting = PollUntil(60s, [&] {
    const auto status = Call("GET", "/tasks/" + task_id + "/status", user);
    task = status.Json().is_object() ? status.Json().value("data", nlohmann::json()) : nlohmann::json();
    return task.is_object() && task.contains("last_error") &&
           task["last_error"].value("code", "") == "storage_unavailable";
  });
  EXPECT_TRUE(waiting) << "the task never tried Filebase while it was down: " << task.dump();
  EXPECT_NE(task.value("state", ""), "dead") << task.dump();
  SetFault(R"({"mode":"none"})");
  const auto file = UploadedFile(user, accepted, big.size(), 90s);
  ASSERT_TRUE(file.is_object()) << "the task accepted while Filebase was down did not succeed";
  const auto got = Retrieve(user, file.value("cid", ""));
  ASSERT_EQ(got.status, 200) << got.Describe();
  EXPECT_EQ(Sha256Hex(got.body), Sha256Hex(big));
}

TEST_F(FilebaseFaults, ALargeFileGoesUpAsAMultipartUploadWithTheReferenceCid) {
  // FILEBASE_MULTIPART_THRESHOLD is 64 MiB: a 90 MiB file is sent in 16 MiB parts
  const std::string reference = GetEnvOrEmpty("GW_TEST_REFERENCE_DIR");
  ASSERT_TRUE(Require(reference, "GW_TEST_REFERENCE_DIR"));
  const auto user = RegisterUser("fb-multipart");
  const std::uint64_t size = std::uint64_t{90} << 20;
  TempDir dir("gw-e2e-multipart");
  const std::string path = dir.Path() + "/ninety.bin";
  WriteRandomFile(path, size, Seed());
  const auto up = UploadFileRaw(env_, user.api_key, path);
  ASSERT_EQ(up.error, "") << up.response.Describe();
  const auto file = UploadedFile(user, up.response, size, 120s);
  ASSERT_TRUE(file.is_object());
  EXPECT_EQ(file.value("cid", ""), ReferenceCids(reference, {path}).at(path));
  int parts = 0, completes = 0;
  for (const auto& r : S3Requests()) {
    const std::string query = r["query"].is_string() ? r["query"].get<std::string>() : "";
    if (r.value("method", "") == "PUT" && query.find("partNumber=") != std::string::npos) ++parts;
    if (r.value("method", "") == "POST" && query.find("uploadId=") != std::string::npos) ++completes;
  }
  EXPECT_EQ(parts, 6) << "90 MiB in 16 MiB parts; " << log_;
  EXPECT_EQ(completes, 1);
}

}  // namespace
}  // namespace gw::e2e
