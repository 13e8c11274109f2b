// S3Client against the Filebase double: round trips with the CID header, multipart, and how
// each kind of remote failure is retried, refused or reported.
#include <gtest/gtest.h>

#include <atomic>
#include <fstream>
#include <random>
#include <span>
#include <string>
#include <thread>
#include <vector>

#include "domain/sha256_openssl.hpp"
#include "domain/unixfs_importer.hpp"
#include "filebase_double.hpp"
#include "persistence/s3_client.hpp"
#include "tests/unit/code_of.hpp"
#include "tests/unit/fake_clock.hpp"

namespace gw::persistence {
namespace {

using domain::ErrorCode;
using std::chrono::milliseconds;
using std::chrono::seconds;

std::vector<std::uint8_t> RandomBytes(std::size_t size, std::uint64_t seed) {
  std::mt19937_64 random(seed);
  std::vector<std::uint8_t> bytes(size);
  for (auto& byte : bytes) byte = static_cast<std::uint8_t>(random());
  return bytes;
}

std::string CidOf(std::span<const std::uint8_t> bytes) {
  domain::OpenSslSha256 sha;
  return domain::ImportBytes(sha, bytes).root.ToString();
}

// Entries of the double's request log that are S3 requests.
std::vector<nlohmann::json> S3Requests(test::FilebaseDouble& filebase) {
  std::vector<nlohmann::json> s3;
  for (const auto& entry : filebase.Requests()) {
    if (entry.at("kind") == "s3") s3.push_back(entry);
  }
  return s3;
}

class S3ClientDoubleTest : public ::testing::Test {
 protected:
  std::string WriteFile(const std::vector<std::uint8_t>& bytes, const std::string& name = "object") {
    const std::string path = dir_.Path() + "/" + name;
    std::ofstream(path, std::ios::binary)
        .write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
    return path;
  }

  // A client whose retries sleep on paper only (recorded in sleeps_), so tests are fast and
  // deterministic; its breaker runs on clock_.
  std::unique_ptr<S3Client> MakeClient(S3ClientOptions options = {}, S3Config config = {}) {
    if (config.endpoint.empty()) config = filebase_.Config();
    return std::make_unique<S3Client>(std::move(config), options, breaker_, retry_);
  }

  test::FilebaseDouble filebase_;
  test::TempDir dir_;
  test::FakeClock clock_;
  std::vector<domain::BreakerTransition> transitions_;
  domain::CircuitBreaker breaker_{
      "filebase-s3", {}, clock_, [this](const domain::BreakerTransition& t) { transitions_.push_back(t); }};
  std::vector<milliseconds> sleeps_;
  domain::BackoffRetry retry_{{4, milliseconds(100), milliseconds(2000)},
                              [] { return 0.5; },
                              [this](milliseconds delay) { sleeps_.push_back(delay); }};
};

TEST_F(S3ClientDoubleTest, PutHeadDeleteRoundTripCarriesTheCid) {
  const auto bytes = RandomBytes(3 * 1024 * 1024 + 17, 1);
  const std::string cid = CidOf(bytes);
  const auto client = MakeClient();

  const PutObjectResult put = client->PutObject(cid, {WriteFile(bytes), 0, bytes.size()});
  EXPECT_EQ(put.cid, cid);
  EXPECT_FALSE(put.etag.empty());
  EXPECT_EQ(put.parts, 0);

  const auto head = client->HeadObject(cid);
  ASSERT_TRUE(head);
  EXPECT_EQ(head->size, bytes.size());
  EXPECT_EQ(head->cid, cid);
  EXPECT_EQ(head->etag, put.etag);

  client->DeleteObject(cid);
  EXPECT_FALSE(client->HeadObject(cid));
  EXPECT_NO_THROW(client->DeleteObject(cid)) << "deleting a missing object is fine";

  const auto requests = S3Requests(filebase_);
  ASSERT_EQ(requests.size(), 5u);
  for (const auto& request : requests) EXPECT_EQ(request.at("sigVerified"), true) << request.dump();
  EXPECT_TRUE(sleeps_.empty());
}

TEST_F(S3ClientDoubleTest, PutsAByteRangeOfALargerFile) {
  auto bytes = RandomBytes(1000 + 700000 + 500, 2);  // a spooled multipart body, say
  const std::span<const std::uint8_t> part(bytes.data() + 1000, 700000);
  const auto client = MakeClient();
  const PutObjectResult put = client->PutObject("range", {WriteFile(bytes), 1000, part.size()});
  EXPECT_EQ(put.cid, CidOf(part));
  EXPECT_EQ(client->HeadObject("range")->size, part.size());
}

TEST_F(S3ClientDoubleTest, MultipartUploadOf40MiBIn5MiBPartsReportsTheRightCid) {
  const auto bytes = RandomBytes(40 * kMiB + 300 * 1024, 3);
  const std::string cid = CidOf(bytes);
  const auto client = MakeClient({.multipart_threshold = 8 * kMiB, .part_size = 5 * kMiB});

  const PutObjectResult put = client->PutObject(cid, {WriteFile(bytes), 0, bytes.size()});
  EXPECT_EQ(put.parts, 9);
  EXPECT_EQ(put.cid, cid);
  const auto head = client->HeadObject(cid);
  ASSERT_TRUE(head);
  EXPECT_EQ(head->size, bytes.size());
  EXPECT_EQ(head->cid, cid);

  const auto requests = S3Requests(filebase_);
  ASSERT_EQ(requests.size(), 1u + 9u + 1u + 1u);
  EXPECT_EQ(requests[0].at("method"), "POST");
  EXPECT_EQ(requests[0].at("query"), "uploads=");
  for (int part = 1; part <= 9; ++part) {
    const auto& request = requests[part];
    EXPECT_EQ(request.at("method"), "PUT");
    EXPECT_EQ(request.at("status"), 200) << request.dump();
    EXPECT_TRUE(request.at("query").get<std::string>().starts_with("partNumber=" + std::to_string(part) + "&uploadId="))
        << request.dump();
  }
  EXPECT_EQ(requests[10].at("method"), "POST");
  EXPECT_TRUE(requests[10].at("query").get<std::string>().starts_with("uploadId=")) << requests[10].dump();
  for (const auto& request : requests) EXPECT_EQ(request.at("sigVerified"), true) << request.dump();
}

TEST_F(S3ClientDoubleTest, AFailedPartIsRetriedAlone) {
  const auto bytes = RandomBytes(40 * kMiB, 4);
  const auto client = MakeClient({.multipart_threshold = 8 * kMiB, .part_size = 5 * kMiB});
  // The fault must hit a part, not the CreateMultipartUpload before them: arm it as soon as the
  // double has answered that one (the 8 parts take far longer than this poll's reaction).
  std::atomic<bool> armed{false};
  std::thread arm([&] {
    try {
      const auto deadline = std::chrono::steady_clock::now() + seconds(30);
      while (std::chrono::steady_clock::now() < deadline) {
        const auto requests = S3Requests(filebase_);
        if (!requests.empty() && !requests[0].at("status").is_null()) {
          filebase_.SetFault("error500", 1);
          armed = true;
          return;
        }
        std::this_thread::sleep_for(milliseconds(2));
      }
    } catch (const std::exception&) {
      // armed stays false: the test fails below instead of terminating here
    }
  });
  PutObjectResult put;
  ASSERT_NO_THROW(put = client->PutObject("retried", {WriteFile(bytes), 0, bytes.size()}));
  arm.join();
  ASSERT_TRUE(armed);
  EXPECT_EQ(put.cid, CidOf(bytes));

  const auto requests = S3Requests(filebase_);
  ASSERT_EQ(requests.size(), 1u + 8u + 1u + 1u) << "one retried part, nothing else repeated";
  int failed_at = -1;
  for (std::size_t i = 1; i + 1 < requests.size(); ++i) {
    if (requests[i].at("status") == 500) failed_at = static_cast<int>(i);
  }
  ASSERT_GT(failed_at, 0) << "the fault hit no part: " << nlohmann::json(requests).dump();
  EXPECT_EQ(requests[failed_at].at("fault"), "error500");
  EXPECT_EQ(requests[failed_at + 1].at("query"), requests[failed_at].at("query")) << "the same part again";
  EXPECT_EQ(requests[failed_at + 1].at("status"), 200);
  EXPECT_EQ(sleeps_.size(), 1u);
}

TEST_F(S3ClientDoubleTest, WrongSecretKeyIsAnAuthFailureAfterExactlyOneRequest) {
  S3Config config = filebase_.Config();
  config.secret_key = "not-the-secret";
  const auto client = MakeClient({}, config);
  const auto bytes = RandomBytes(2 * kMiB, 5);
  const std::string path = WriteFile(bytes);

  try {
    client->PutObject("denied", {path, 0, bytes.size()});
    FAIL() << "no error";
  } catch (const domain::Error& error) {
    EXPECT_EQ(error.Code(), ErrorCode::kStorageAuthFailed);
    EXPECT_NE(error.InternalMessage().find("SignatureDoesNotMatch"), std::string::npos) << error.InternalMessage();
  }
  const auto requests = S3Requests(filebase_);
  ASSERT_EQ(requests.size(), 1u) << "no retries";
  EXPECT_EQ(requests[0].at("status"), 403);
  EXPECT_EQ(requests[0].at("error"), "SignatureDoesNotMatch");
  EXPECT_TRUE(sleeps_.empty());
  EXPECT_EQ(breaker_.State(), domain::BreakerState::kClosed) << "the endpoint answered";

  EXPECT_EQ(test::CodeOf([&] { client->HeadObject("denied"); }), ErrorCode::kStorageAuthFailed);
}

TEST_F(S3ClientDoubleTest, SlowDownTwiceThenSuccessIsStoredAfterTwoRetries) {
  const auto bytes = RandomBytes(512 * 1024, 6);
  const std::string cid = CidOf(bytes);
  const auto client = MakeClient();
  filebase_.SetFault("slowdown", 2);

  const PutObjectResult put = client->PutObject(cid, {WriteFile(bytes), 0, bytes.size()});
  EXPECT_EQ(put.cid, cid);
  const auto requests = S3Requests(filebase_);
  ASSERT_EQ(requests.size(), 3u);
  EXPECT_EQ(requests[0].at("status"), 503);
  EXPECT_EQ(requests[0].at("error"), "SlowDown");
  EXPECT_EQ(requests[1].at("status"), 503);
  EXPECT_EQ(requests[2].at("status"), 200);
  EXPECT_EQ(sleeps_, (std::vector<milliseconds>{milliseconds(50), milliseconds(100)}));
  EXPECT_EQ(client->HeadObject(cid)->cid, cid);
}

TEST_F(S3ClientDoubleTest, DownOpensTheBreakerAfterFiveFailuresThenCallsAreRefusedAtOnce) {
  const auto client = MakeClient({.connect_timeout = seconds(2), .total_timeout = seconds(5)});
  filebase_.SetFault("down");

  // Four connect errors: the first call's attempts.
  EXPECT_EQ(test::CodeOf([&] { client->HeadObject("k"); }), ErrorCode::kStorageUnavailable);
  EXPECT_EQ(breaker_.State(), domain::BreakerState::kClosed);
  // The fifth opens the breaker, which refuses this call's next attempt.
  try {
    client->HeadObject("k");
    FAIL() << "no error";
  } catch (const domain::Error& error) {
    EXPECT_EQ(error.Code(), ErrorCode::kStorageUnavailable);
    EXPECT_NE(error.InternalMessage().find("connect error"), std::string::npos) << error.InternalMessage();
  }
  EXPECT_EQ(breaker_.State(), domain::BreakerState::kOpen);
  ASSERT_EQ(transitions_.size(), 1u);
  EXPECT_EQ(transitions_[0].to, domain::BreakerState::kOpen);
  EXPECT_EQ(transitions_[0].consecutive_failures, 5);

  // refused at once: the open breaker sends nothing to the double (counted, not timed)
  filebase_.ClearRequests();
  try {
    client->HeadObject("k");
    FAIL() << "no error";
  } catch (const domain::Error& error) {
    EXPECT_EQ(filebase_.Requests().size(), 0u) << "an open breaker let a request through: " << filebase_.Requests();
    EXPECT_EQ(error.Code(), ErrorCode::kStorageUnavailable);
    EXPECT_EQ(error.Details(), (domain::ErrorDetails{{"retry_after_seconds", "60"}}));
  }

  // After the open time one probe goes through; the double is back, so the breaker closes.
  filebase_.SetFault("none");
  clock_.Advance(seconds(60));
  EXPECT_FALSE(client->HeadObject("k"));
  EXPECT_EQ(breaker_.State(), domain::BreakerState::kClosed);
  ASSERT_EQ(transitions_.size(), 3u);
  EXPECT_EQ(transitions_[1].to, domain::BreakerState::kHalfOpen);
  EXPECT_EQ(transitions_[2].to, domain::BreakerState::kClosed);
}

TEST_F(S3ClientDoubleTest, AHangingServerIsATimeout) {
  const domain::BackoffRetry once(
      {1, milliseconds(1), milliseconds(1)}, [] { return 0.0; }, [](milliseconds) {});
  S3Client client(filebase_.Config(), {.connect_timeout = seconds(2), .total_timeout = milliseconds(500)}, breaker_,
                  once);
  filebase_.SetFault("hang", 1);
  const auto started = std::chrono::steady_clock::now();
  try {
    client.HeadObject("k");
    FAIL() << "no error";
  } catch (const domain::Error& error) {
    EXPECT_EQ(error.Code(), ErrorCode::kStorageUnavailable);
    EXPECT_NE(error.InternalMessage().find("timeout"), std::string::npos) << error.InternalMessage();
  }
  const auto elapsed = std::chrono::steady_clock::now() - started;
  EXPECT_GE(elapsed, milliseconds(450)) << "did not wait for the total timeout";
  // a hang guard, not a timing target (the message above says a timeout ended it)
  EXPECT_LT(elapsed, seconds(30));
  EXPECT_FALSE(client.HeadObject("k")) << "the next call works";
}

TEST_F(S3ClientDoubleTest, AWrongCidFromTheBackendIsReportedAsSent) {
  const auto bytes = RandomBytes(1000, 7);
  const std::string cid = CidOf(bytes);
  filebase_.SetFault("wrong-cid", 1);
  const PutObjectResult put = MakeClient()->PutObject(cid, {WriteFile(bytes), 0, bytes.size()});
  ASSERT_TRUE(put.cid);
  EXPECT_NE(*put.cid, cid) << "the caller compares and fails with storage_cid_mismatch";
}

TEST_F(S3ClientDoubleTest, AnUnreadableSourceIsALocalErrorAndSendsNothing) {
  const auto client = MakeClient();
  EXPECT_EQ(test::CodeOf([&] { client->PutObject("k", {dir_.Path() + "/missing", 0, 10}); }), ErrorCode::kInternal);
  const auto bytes = RandomBytes(100, 8);
  EXPECT_EQ(test::CodeOf([&] {
              client->PutObject("k", {WriteFile(bytes), 50, 100});
            }),
            ErrorCode::kInternal)
      << "the range runs past the end of the file";
  EXPECT_TRUE(S3Requests(filebase_).empty());
  EXPECT_EQ(breaker_.State(), domain::BreakerState::kClosed);
}

}  // namespace
}  // namespace gw::persistence
