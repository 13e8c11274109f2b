#include "persistence/s3_url.hpp"

#include <gtest/gtest.h>

#include <stdexcept>

namespace gw::persistence {
namespace {

const S3Config kConfig{"http://127.0.0.1:9000", "us-east-1", "bucket", "AK", "SK"};

TEST(SigV4Encode, KeepsOnlyUnreservedBytesAndUsesUpperCaseHex) {
  EXPECT_EQ(SigV4Encode("AZaz09-_.~", false), "AZaz09-_.~");
  EXPECT_EQ(SigV4Encode("a b+c=d&e", false), "a%20b%2Bc%3Dd%26e");
  EXPECT_EQ(SigV4Encode("\xC3\xBC", false), "%C3%BC");
  EXPECT_EQ(SigV4Encode("a/b", false), "a%2Fb");
  EXPECT_EQ(SigV4Encode("a/b", true), "a/b");
  EXPECT_EQ(SigV4Encode(std::string_view("\0\x7f", 2), false), "%00%7F");
}

// The workaround for libcurl 7.88, which signs the query exactly as written.
TEST(CanonicalQuery, AlwaysHasAnEqualsSignEvenForValuelessSubresources) {
  EXPECT_EQ(CanonicalQuery({{"uploads", ""}}), "uploads=");
}

TEST(CanonicalQuery, SortsByEncodedKeyThenValue) {
  EXPECT_EQ(CanonicalQuery({{"uploadId", "X"}, {"partNumber", "7"}}), "partNumber=7&uploadId=X");
  EXPECT_EQ(CanonicalQuery({{"b", "2"}, {"a", "2"}, {"a", "1"}}), "a=1&a=2&b=2");
  // Byte order: upper case sorts before lower case.
  EXPECT_EQ(CanonicalQuery({{"x-id", "1"}, {"X-Amz-Date", "2"}}), "X-Amz-Date=2&x-id=1");
}

TEST(CanonicalQuery, EncodesKeysAndValues) {
  EXPECT_EQ(CanonicalQuery({{"uploadId", "a+b/c="}}), "uploadId=a%2Bb%2Fc%3D");
  EXPECT_EQ(CanonicalQuery({{"k y", "v a"}}), "k%20y=v%20a");
  EXPECT_EQ(CanonicalQuery({}), "");
}

TEST(ObjectUrl, IsPathStyleWithTheKeyEncodedAndItsSlashesKept) {
  EXPECT_EQ(ObjectUrl(kConfig, "bafkreiabc"), "http://127.0.0.1:9000/bucket/bafkreiabc");
  EXPECT_EQ(ObjectUrl(kConfig, "dir/a b"), "http://127.0.0.1:9000/bucket/dir/a%20b");
  EXPECT_EQ(ObjectUrl(kConfig, "k", {{"uploadId", "u"}, {"partNumber", "2"}}),
            "http://127.0.0.1:9000/bucket/k?partNumber=2&uploadId=u");
  S3Config slash = kConfig;
  slash.endpoint += "/";
  EXPECT_EQ(ObjectUrl(slash, "k", {{"uploads", ""}}), "http://127.0.0.1:9000/bucket/k?uploads=");
}

TEST(HostOf, DropsDefaultPortsOnly) {
  EXPECT_EQ(HostOf("https://s3.filebase.com"), "s3.filebase.com");
  EXPECT_EQ(HostOf("https://s3.filebase.com:443"), "s3.filebase.com");
  EXPECT_EQ(HostOf("http://127.0.0.1:80/"), "127.0.0.1");
  EXPECT_EQ(HostOf("http://127.0.0.1:9000"), "127.0.0.1:9000");
  EXPECT_EQ(HostOf("https://s3.example:80"), "s3.example:80");
  EXPECT_EQ(HostOf("http://[::1]:9000"), "[::1]:9000");
  EXPECT_EQ(HostOf("http://[::1]"), "[::1]");
}

TEST(HostOf, RefusesWhatIsNotSchemeAndAuthority) {
  for (const char* bad :
       {"s3.filebase.com", "://host", "https://", "https://host/path", "https://u@host", "https://host?x"}) {
    EXPECT_THROW(HostOf(bad), std::invalid_argument) << bad;
  }
}

}  // namespace
}  // namespace gw::persistence
