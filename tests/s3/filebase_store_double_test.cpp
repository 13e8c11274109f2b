// The Filebase content store against the Filebase double: the CID profile learned from the probe
// (each profile, and a configured one that does not match), CIDv0 uploads served by presigned
// URL, a wrong reported CID rejected and its object deleted, deduplication, remote pins; and the
// binary refusing to start when Filebase's CIDs would not be the configured profile's.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <fstream>
#include <string>

#include "domain/clock.hpp"
#include "domain/error.hpp"
#include "filebase_double.hpp"
#include "persistence/curl_http.hpp"
#include "persistence/filebase_content_store.hpp"
#include "persistence/filebase_pinning.hpp"
#include "persistence/s3_client.hpp"

namespace gw::persistence {
namespace {

using domain::CidProfile;
using domain::ErrorCode;

constexpr const char* kHelloV1 = "bafkreifjjcie6lypi6ny7amxnfftagclbuxndqonfipmb64f2km2devei4";
constexpr const char* kHelloV0 = "QmT78zSuBmuS4z925WZfrqQ1qHaJ56DQaTfyMUF7F8ff5o";

// The store and its clients on one double, as fcgi/storage.cpp wires them (retries without sleeps).
class FilebaseStoreTest : public ::testing::Test {
 protected:
  explicit FilebaseStoreTest(const std::string& profile = "kubo-add-cidv1") : filebase_(profile) {}

  std::string WriteFile(const std::string& bytes) {
    const std::string path = dir_.Path() + "/upload-" + std::to_string(files_++);
    std::ofstream(path, std::ios::binary) << bytes;
    return path;
  }

  /// Stages and commits `bytes` as an upload would; returns the CID.
  std::string Upload(const std::string& bytes) {
    auto staged = store_.Stage(WriteFile(bytes), 0, bytes.size());
    staged->Commit();
    return staged->Content().cid;
  }

  int CountRequests(const std::string& method, const std::string& path_suffix, const std::string& kind = "s3") {
    int n = 0;
    for (const auto& r : filebase_.Requests()) {
      const std::string path = r.value("path", "");
      if (r.value("kind", "") == kind && r.value("method", "") == method && path.ends_with(path_suffix)) ++n;
    }
    return n;
  }

  test::FilebaseDouble filebase_;
  test::TempDir dir_;
  int files_ = 0;
  domain::SteadyClock clock_;
  domain::BackoffRetry retry_{{3, std::chrono::milliseconds(1), std::chrono::milliseconds(5)},
                              [] { return 0.5; },
                              [](std::chrono::milliseconds) {}};
  domain::CircuitBreaker s3_breaker_{"s3", {}, clock_};
  domain::CircuitBreaker pinning_breaker_{"pinning", {}, clock_};
  S3Client s3_{filebase_.Config(), {}, s3_breaker_, retry_};
  CurlHttp pinning_http_{{std::chrono::seconds(2), std::chrono::seconds(10)}};
  PinningClient pinning_{pinning_http_,
                         filebase_.PinningUrl(),
                         test::FilebaseDouble::kPinningToken,
                         pinning_breaker_,
                         retry_,
                         {std::chrono::milliseconds(50), std::chrono::seconds(10)},
                         [](std::chrono::milliseconds delay) { std::this_thread::sleep_for(delay); }};
  FilebaseProfileProbe probe_{s3_, dir_.Path(), std::nullopt};
  FilebaseContentStore store_{s3_, pinning_, probe_, std::nullopt, {}};
};

class FilebaseStoreV0Test : public FilebaseStoreTest {
 protected:
  FilebaseStoreV0Test() : FilebaseStoreTest("unixfs-v0-2015") {}
};

TEST(FilebaseProfileProbeTest, LearnsEachProfileFromTheCidFilebaseReports) {
  for (const auto profile : domain::kCidProfiles) {
    const std::string name(domain::CidProfileName(profile));
    SCOPED_TRACE(name);
    test::FilebaseDouble filebase(name);
    test::TempDir dir;
    domain::SteadyClock clock;
    const domain::BackoffRetry once(
        {1, {}, {}}, [] { return 0.0; }, [](std::chrono::milliseconds) {});
    domain::CircuitBreaker breaker("s3", {}, clock);
    S3Client s3(filebase.Config(), {}, breaker, once);
    EXPECT_EQ(FilebaseProfileProbe(s3, dir.Path(), std::nullopt).Detect(), profile);
    EXPECT_EQ(FilebaseProfileProbe(s3, dir.Path(), profile).Detect(), profile);
  }
}

TEST_F(FilebaseStoreV0Test, AConfiguredProfileFilebaseDoesNotUseIsRefusedNamingTheReportedCid) {
  FilebaseProfileProbe configured(s3_, dir_.Path(), CidProfile::kKuboAddCidV1);
  try {
    configured.Detect();
    FAIL() << "the probe accepted a profile Filebase does not import with";
  } catch (const domain::Error& error) {
    EXPECT_EQ(error.Code(), ErrorCode::kStorageCidMismatch);
    // the probe's CID under unixfs-v0-2015 (ipfs-specs.md §1.12, pattern 262145)
    EXPECT_NE(std::string(error.what()).find("QmUSjGawaz4ptvREcMKSMJneWCa5j8dAz2wSAAvHtW2rnB"), std::string::npos)
        << error.what();
    EXPECT_NE(std::string(error.what()).find("kubo-add-cidv1"), std::string::npos) << error.what();
  }
}

TEST_F(FilebaseStoreV0Test, ADetectedV0DeploymentStoresUnderTheCidv0AndServesItByPresignedUrl) {
  const std::string cid = Upload("hello world\n");
  EXPECT_EQ(cid, kHelloV0);
  const auto head = s3_.HeadObject(kHelloV0);
  ASSERT_TRUE(head.has_value()) << "no object keyed by the CIDv0";
  EXPECT_EQ(head->cid.value_or(""), kHelloV0);

  // what nginx does with the X-Accel-Redirect target: the same query, against the bucket
  const std::string uri = store_.InternalUri(cid);
  ASSERT_TRUE(uri.starts_with(std::string("/_filebase/") + kHelloV0 + "?")) << uri;
  CurlHttp http({std::chrono::seconds(2), std::chrono::seconds(10)});
  HttpRequest get;
  get.method = "GET";
  get.url =
      filebase_.Config().endpoint + "/" + test::FilebaseDouble::kBucket + "/" + kHelloV0 + uri.substr(uri.find('?'));
  const auto response = http.Perform(get);
  EXPECT_EQ(response.status, 200) << response.body;
  EXPECT_EQ(response.body, "hello world\n");
}

TEST_F(FilebaseStoreTest, AWrongReportedCidIsRejectedAndItsObjectDeleted) {
  Upload("learn the profile first: the probe object must not get the wrong CID");
  filebase_.SetFault("wrong-cid", 1);
  try {
    Upload("hello world\n");
    FAIL() << "an object with a wrong CID was accepted";
  } catch (const domain::Error& error) {
    EXPECT_EQ(error.Code(), ErrorCode::kStorageCidMismatch) << error.what();
  }
  EXPECT_EQ(CountRequests("DELETE", std::string("/") + kHelloV1), 1) << filebase_.Requests().dump();
  EXPECT_FALSE(s3_.HeadObject(kHelloV1).has_value()) << "the mismatched object is still in the bucket";
}

TEST_F(FilebaseStoreTest, BytesThatAreThereAlreadyAreNotSentAgain) {
  EXPECT_EQ(Upload("hello world\n"), kHelloV1);
  EXPECT_EQ(Upload("hello world\n"), kHelloV1);
  EXPECT_EQ(CountRequests("PUT", std::string("/") + kHelloV1), 1);
}

TEST_F(FilebaseStoreTest, PinsGoThroughThePinningServiceApiAndRepeatSafely) {
  const std::string cid = Upload("pin me " + std::to_string(::getpid()));
  store_.ApplyPin(cid, true);
  store_.ApplyPin(cid, true);  // a job may run twice: the existing pin is followed, not doubled
  auto pins = pinning_.Find(cid);
  ASSERT_EQ(pins.size(), 1u);
  EXPECT_EQ(pins[0].status, "pinned");
  EXPECT_EQ(CountRequests("POST", "/pins", "pinning"), 1);
  store_.ApplyPin(cid, false);
  store_.ApplyPin(cid, false);
  EXPECT_TRUE(pinning_.Find(cid).empty());
}

// OWASP API10 (docs/security.md): the pinning service's word about a pin counts only when it is
// about the CID asked for. A PinStatus naming another CID fails the pin (the job retries), and a
// listing of other CIDs' pins makes neither Pin wait on them nor Unpin remove them.
TEST_F(FilebaseStoreTest, APinStatusAboutAnotherCidIsNeverTakenForThePin) {
  const std::string cid = Upload("pin me honestly " + std::to_string(::getpid()));
  filebase_.SetFault("wrong-cid", 1, "pinning");  // the answer to POST /pins names another CID
  try {
    store_.ApplyPin(cid, true);
    FAIL() << "a pin was taken as done on the word of a PinStatus about another CID";
  } catch (const domain::Error& error) {
    EXPECT_EQ(error.Code(), ErrorCode::kStorageError) << error.what();
    EXPECT_NE(std::string(error.what()).find(cid), std::string::npos) << error.what();
  }
  // honest again: the retry finds the pin request the service did make and follows it
  store_.ApplyPin(cid, true);
  ASSERT_EQ(pinning_.Find(cid).size(), 1u);

  // a listing that names other CIDs: not this CID's pins, so Unpin removes nothing
  filebase_.SetFault("wrong-cid", 1, "pinning");
  EXPECT_TRUE(pinning_.Find(cid).empty());
  filebase_.SetFault("wrong-cid", 1, "pinning");
  store_.ApplyPin(cid, false);
  EXPECT_EQ(pinning_.Find(cid).size(), 1u) << "Unpin removed a pin the service named as another CID's";
  store_.ApplyPin(cid, false);  // honest: removed
  EXPECT_TRUE(pinning_.Find(cid).empty());
}

// Filebase unreachable when the store starts: uploads answer 503 until a probe succeeds, and no
// thread waits for another's probe.
TEST_F(FilebaseStoreTest, WhileTheProfileIsUnknownAndFilebaseDownUploadsAre503UntilAProbeSucceeds) {
  FilebaseContentStore store(s3_, pinning_, probe_, std::nullopt, {"/_filebase/", std::chrono::seconds(300), {}});
  const std::string path = WriteFile("hello world\n");
  filebase_.SetFault("down");
  try {
    store.Stage(path, 0, 12);
    FAIL() << "staged without knowing the CID profile";
  } catch (const domain::Error& error) {
    EXPECT_EQ(error.Code(), ErrorCode::kStorageUnavailable) << error.what();
  }
  filebase_.SetFault("none");
  auto staged = store.Stage(path, 0, 12);  // probe interval 0: the next upload probes again
  staged->Commit();
  EXPECT_EQ(staged->Content().cid, kHelloV1);
}

// What `./gw gc` does with content nobody holds or pins any more (CollectGarbage calls Remove).
TEST_F(FilebaseStoreTest, RemoveUnpinsAndDeletesTheObjectAndMissingOnesAreNoError) {
  const std::string cid = Upload("collect me " + std::to_string(::getpid()));
  store_.ApplyPin(cid, true);
  ASSERT_TRUE(s3_.HeadObject(cid).has_value());
  store_.Remove(cid);
  EXPECT_FALSE(s3_.HeadObject(cid).has_value()) << "the object is still in the bucket";
  EXPECT_TRUE(pinning_.Find(cid).empty()) << "the pin is still there";
  store_.Remove(cid);  // gone already: still no error
}

TEST_F(FilebaseStoreV0Test, TheServerRefusesToStartWhenFilebaseCidsAreNotTheConfiguredProfile) {
  const auto config = filebase_.Config();
  const std::string log = dir_.Path() + "/serve.err";
  const std::vector<std::string> env = {
      "DATABASE_URL=postgresql://nobody@127.0.0.1:1/none",  // never reached: the probe comes first
      "GW_KEY_PEPPER=" + std::string(40, 'p'),
      "GW_FCGI_SOCKET=" + dir_.Path() + "/fcgi.sock",
      "GW_LOG_DIR=" + dir_.Path() + "/logs",
      "GW_RUN_DIR=" + dir_.Path() + "/run",
      "GW_STORE_DIR=" + dir_.Path() + "/store",
      "GW_STORAGE=filebase",
      "GW_CID_PROFILE=kubo-add-cidv1",
      "FILEBASE_ENDPOINT=" + config.endpoint,
      "FILEBASE_BUCKET=" + config.bucket,
      "FILEBASE_ACCESS_KEY=" + config.access_key,
      "FILEBASE_SECRET_KEY=" + config.secret_key,
      "FILEBASE_PINNING_URL=" + filebase_.PinningUrl(),
      "FILEBASE_PINNING_TOKEN=" + std::string(test::FilebaseDouble::kPinningToken),
  };
  std::vector<std::string> argv = {"env", "-i"};
  argv.insert(argv.end(), env.begin(), env.end());
  argv.push_back(GW_GATEWAY_BINARY);
  argv.push_back("serve");
  test::ChildProcess serve(argv, log);
  const auto status = serve.Wait(std::chrono::seconds(30));
  ASSERT_TRUE(status.has_value()) << "serve did not stop";
  EXPECT_TRUE(WIFEXITED(*status) && WEXITSTATUS(*status) == 78) << "status " << *status;  // kExitConfig
  const std::string err = test::ReadFileText(log);
  EXPECT_NE(err.find("QmUSjGawaz4ptvREcMKSMJneWCa5j8dAz2wSAAvHtW2rnB"), std::string::npos) << err;
}

}  // namespace
}  // namespace gw::persistence
