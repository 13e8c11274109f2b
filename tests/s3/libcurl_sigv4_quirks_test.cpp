// What libcurl 7.88's CURLOPT_AWS_SIGV4 gets wrong, shown against the Filebase double (which
// verifies with AWS's own signer), and that the canonical URLs of s3_url.hpp avoid it. If a
// newer libcurl fixes a quirk, its "IsRefused" test fails: the workaround may then go.
#include <gtest/gtest.h>

#include <string>

#include "filebase_double.hpp"
#include "persistence/curl_http.hpp"
#include "persistence/s3_payload.hpp"
#include "persistence/s3_url.hpp"
#include "persistence/s3_xml.hpp"

namespace gw::persistence {
namespace {

class LibcurlSigV4Quirks : public ::testing::Test {
 protected:
  // A request signed by libcurl exactly as the S3 client signs, but with the URL as given.
  HttpResponse Send(const std::string& method, const std::string& key_and_query, const std::string& body = {}) {
    const S3Config config = filebase_.Config();
    HttpRequest request;
    request.method = method;
    request.url = config.endpoint + "/" + config.bucket + "/" + key_and_query;
    request.body = body;
    request.headers.push_back("x-amz-content-sha256: " + Sha256Hex(body));
    request.sigv4 = HttpRequest::AwsSigV4{"aws:amz:" + config.region + ":s3", config.access_key, config.secret_key};
    return http_.Perform(request);
  }
  std::string ErrorCode(const HttpResponse& response) {
    const auto error = ParseS3Error(response.body);
    return error ? error->code : "";
  }
  std::string Initiate() {
    const HttpResponse response = Send("POST", "k?uploads=");
    EXPECT_EQ(response.status, 200) << response.body;
    return ParseUploadId(response.body).value_or("");
  }

  test::FilebaseDouble filebase_;
  CurlHttp http_{{std::chrono::seconds(2), std::chrono::seconds(10)}};
};

TEST_F(LibcurlSigV4Quirks, AValuelessParameterIsSignedWithoutItsEqualsSignAndRefused) {
  const HttpResponse bare = Send("POST", "k?uploads");
  EXPECT_EQ(bare.status, 403);
  EXPECT_EQ(ErrorCode(bare), "SignatureDoesNotMatch");
  EXPECT_FALSE(Initiate().empty()) << "?uploads= is accepted";
}

TEST_F(LibcurlSigV4Quirks, UnsortedParametersAreSignedUnsortedAndRefused) {
  const std::string upload_id = Initiate();
  const std::string id = SigV4Encode(upload_id, false);
  const HttpResponse unsorted = Send("PUT", "k?uploadId=" + id + "&partNumber=1", "part");
  EXPECT_EQ(unsorted.status, 403);
  EXPECT_EQ(ErrorCode(unsorted), "SignatureDoesNotMatch");
  const HttpResponse sorted =
      Send("PUT", "k?" + CanonicalQuery({{"uploadId", upload_id}, {"partNumber", "1"}}), "part");
  EXPECT_EQ(sorted.status, 200) << sorted.body;
}

TEST_F(LibcurlSigV4Quirks, LowerCasePercentEscapesAreSignedAsWrittenAndRefused) {
  const HttpResponse lower = Send("DELETE", "k?uploadId=a%2bb");
  EXPECT_EQ(lower.status, 403);
  EXPECT_EQ(ErrorCode(lower), "SignatureDoesNotMatch");
  const HttpResponse upper = Send("DELETE", "k?" + CanonicalQuery({{"uploadId", "a+b"}}));
  EXPECT_EQ(upper.status, 404) << "signed correctly; there is just no such upload";
  EXPECT_EQ(ErrorCode(upper), "NoSuchUpload");
}

}  // namespace
}  // namespace gw::persistence
