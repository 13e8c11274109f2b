// The presigner against recorded outputs of botocore 1.29 (Debian 12's python3-botocore), so
// that it is checked even where Python is absent; presign_botocore_test.cpp asks botocore live.
#include <gtest/gtest.h>

#include <stdexcept>

#include "persistence/sigv4_presign.hpp"

namespace gw::persistence {
namespace {

using std::chrono::seconds;

std::chrono::system_clock::time_point At(std::int64_t unix_seconds) {
  return std::chrono::system_clock::time_point(seconds(unix_seconds));
}

TEST(AmzTimestamp, IsCompactIso8601Utc) {
  EXPECT_EQ(AmzTimestamp(At(1369353600)), "20130524T000000Z");
  EXPECT_EQ(AmzTimestamp(At(1767323045)), "20260102T030405Z");
}

// botocore_presign.py --endpoint https://examplebucket.s3.amazonaws.com --region us-east-1
//   --bucket examplebucket --key test.txt --access-key AKIAIOSFODNN7EXAMPLE
//   --secret-key wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY --expires 86400 --time 20130524T000000Z
TEST(PresignGetUrl, MatchesBotocoreForAwsDocumentationInputs) {
  const S3Config config{"https://examplebucket.s3.amazonaws.com", "us-east-1", "examplebucket", "AKIAIOSFODNN7EXAMPLE",
                        "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"};
  EXPECT_EQ(PresignGetUrl(config, "test.txt", seconds(86400), At(1369353600)),
            "https://examplebucket.s3.amazonaws.com/examplebucket/test.txt?X-Amz-Algorithm=AWS4-HMAC-SHA256"
            "&X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20130524%2Fus-east-1%2Fs3%2Faws4_request"
            "&X-Amz-Date=20130524T000000Z&X-Amz-Expires=86400&X-Amz-SignedHeaders=host"
            "&X-Amz-Signature=cbdaf3f07cfcb551dbd6bfdfadb0c1087dd8be47c79665ad427d5a9a2c1ac7b3");
}

// ... --endpoint http://127.0.0.1:9000 --bucket b --key 'dir/a b+c~ü.txt' --access-key AK
//   --secret-key SK --expires 900 --time 20260102T030405Z
TEST(PresignGetUrl, MatchesBotocoreForAnEncodedKeyAndAPort) {
  const S3Config config{"http://127.0.0.1:9000", "us-east-1", "b", "AK", "SK"};
  EXPECT_EQ(PresignGetUrl(config, "dir/a b+c~\xC3\xBC.txt", seconds(900), At(1767323045)),
            "http://127.0.0.1:9000/b/dir/a%20b%2Bc~%C3%BC.txt?X-Amz-Algorithm=AWS4-HMAC-SHA256"
            "&X-Amz-Credential=AK%2F20260102%2Fus-east-1%2Fs3%2Faws4_request&X-Amz-Date=20260102T030405Z"
            "&X-Amz-Expires=900&X-Amz-SignedHeaders=host"
            "&X-Amz-Signature=cbd2a975692f0bd6819ba6afeedc52e06e33473897d7b3f6d71c580e593ed8f2");
}

TEST(PresignGetUrl, RefusesExpiriesS3Refuses) {
  const S3Config config{"https://s3.filebase.com", "us-east-1", "b", "AK", "SK"};
  EXPECT_THROW(PresignGetUrl(config, "k", seconds(0), At(0)), std::invalid_argument);
  EXPECT_THROW(PresignGetUrl(config, "k", kMaxPresignExpiry + seconds(1), At(0)), std::invalid_argument);
  EXPECT_NO_THROW(PresignGetUrl(config, "k", kMaxPresignExpiry, At(0)));
}

}  // namespace
}  // namespace gw::persistence
