// The presigner byte for byte against botocore's generate_presigned_url (Debian's
// python3-botocore through botocore_presign.py, its clock frozen), and a presigned URL
// against the Filebase double, which verifies query signatures with AWS's own signer.
#include <gtest/gtest.h>

#include <fstream>
#include <string>
#include <vector>

#include "child_process.hpp"
#include "filebase_double.hpp"
#include "persistence/curl_http.hpp"
#include "persistence/s3_client.hpp"
#include "persistence/sigv4_presign.hpp"
#include "tests/unit/fake_clock.hpp"

namespace gw::persistence {
namespace {

using std::chrono::seconds;

struct Case {
  S3Config config;
  std::string key;
  seconds expires;
  std::string time;  // as botocore_presign.py takes it
  std::int64_t unix_time;
};

std::string Botocore(const Case& c) {
  std::string url = test::RunAndCapture(
      {GW_TEST_PYTHON3, GW_BOTOCORE_PRESIGN, "--endpoint", c.config.endpoint, "--region", c.config.region, "--bucket",
       c.config.bucket, "--key", c.key, "--access-key", c.config.access_key, "--secret-key", c.config.secret_key,
       "--expires", std::to_string(c.expires.count()), "--time", c.time},
      std::chrono::seconds(30));
  if (!url.empty() && url.back() == '\n') url.pop_back();
  return url;
}

TEST(PresignGetUrlVersusBotocore, IsByteForByteTheSame) {
  const std::vector<Case> cases{
      {{"https://s3.filebase.com", "us-east-1", "ipfs-gateway", "AKIAEXAMPLE", "secret"},
       "bafkreihdwdcefgh4dqkjv67uzcmw7ojee6xedzdetojuzjevtenxquvyku",
       seconds(300),
       "20260315T120000Z",
       1773576000},
      {{"https://s3.filebase.com:443", "auto", "my.bucket-1", "AK/+=", "S K"},
       "a/b/../c?d#e%f!*'()&=;:@,$[] \xC3\xBC~",
       kMaxPresignExpiry,
       "20240229T235959Z",
       1709251199},
      {{"http://127.0.0.1:9000/", "eu-west-2", "b", "AK", "SK"}, "x", seconds(1), "20000101T000000Z", 946684800},
  };
  for (const auto& c : cases) {
    const std::string ours =
        PresignGetUrl(c.config, c.key, c.expires, std::chrono::system_clock::time_point(seconds(c.unix_time)));
    EXPECT_EQ(ours, Botocore(c)) << c.config.endpoint << " " << c.key;
  }
}

TEST(PresignGetUrlVersusFilebaseDouble, FetchesTheObjectAndNothingElse) {
  test::FilebaseDouble filebase;
  test::FakeClock clock;
  domain::CircuitBreaker breaker("s3", {}, clock);
  const domain::BackoffRetry retry(
      {}, [] { return 0.0; }, [](std::chrono::milliseconds) {});
  S3Client client(filebase.Config(), {}, breaker, retry);
  const test::TempDir dir;
  const std::string path = dir.Path() + "/object";
  const std::string content = "presigned bytes\n";
  { std::ofstream(path, std::ios::binary) << content; }
  client.PutObject("some/key.txt", {path, 0, content.size()});

  CurlHttp http({std::chrono::seconds(2), std::chrono::seconds(10)});
  const auto get = [&](const std::string& url) {
    HttpRequest request;
    request.method = "GET";
    request.url = url;
    return http.Perform(request);
  };
  const std::string url =
      PresignGetUrl(filebase.Config(), "some/key.txt", seconds(300), std::chrono::system_clock::now());
  const HttpResponse response = get(url);
  EXPECT_EQ(response.status, 200) << response.body;
  EXPECT_EQ(response.body, content);

  // A signature covers the key and the expiry: changing either is refused.
  std::string other_key = url;
  other_key.replace(other_key.find("key.txt"), 7, "key.txx");
  EXPECT_EQ(get(other_key).status, 403);
  std::string longer = url;
  longer.replace(longer.find("X-Amz-Expires=300"), 17, "X-Amz-Expires=900");
  EXPECT_EQ(get(longer).status, 403);
  // Expired an hour ago.
  const std::string expired = PresignGetUrl(filebase.Config(), "some/key.txt", seconds(60),
                                            std::chrono::system_clock::now() - std::chrono::hours(1));
  EXPECT_EQ(get(expired).status, 403);
}

}  // namespace
}  // namespace gw::persistence
