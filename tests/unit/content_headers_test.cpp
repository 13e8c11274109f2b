#include "fcgi/http/content_headers.hpp"

#include <gtest/gtest.h>

namespace gw::web {
namespace {

TEST(ContentDisposition, AsciiNameIsQuotedAndEncoded) {
  EXPECT_EQ(ContentDisposition("attachment", "report 1.pdf"),
            "attachment; filename=\"report 1.pdf\"; filename*=UTF-8''report%201.pdf");
}

TEST(ContentDisposition, NonAsciiQuotesAndBackslashesGetAnAsciiFallback) {
  EXPECT_EQ(ContentDisposition("attachment", "été\"x\\.txt"),
            "attachment; filename=\"_t__x_.txt\"; filename*=UTF-8''%C3%A9t%C3%A9%22x%5C.txt");
}

TEST(ContentDisposition, ControlCharactersCannotBreakTheHeader) {
  const std::string header = ContentDisposition("attachment", "a\r\nSet-Cookie: x");
  EXPECT_EQ(header.find('\r'), std::string::npos);
  EXPECT_EQ(header.find('\n'), std::string::npos);
}

TEST(IfNoneMatch, MatchesStrongWeakListsAndStar) {
  EXPECT_TRUE(IfNoneMatchMatches("\"bafyabc\"", "bafyabc"));
  EXPECT_TRUE(IfNoneMatchMatches("W/\"bafyabc\"", "bafyabc"));
  EXPECT_TRUE(IfNoneMatchMatches("\"other\", W/\"bafyabc\"", "bafyabc"));
  EXPECT_TRUE(IfNoneMatchMatches("*", "bafyabc"));
}

TEST(IfNoneMatch, DoesNotMatchOthersOrMalformedValues) {
  EXPECT_FALSE(IfNoneMatchMatches("\"bafyabcd\"", "bafyabc"));
  EXPECT_FALSE(IfNoneMatchMatches("bafyabc", "bafyabc"));
  EXPECT_FALSE(IfNoneMatchMatches("\"bafyabc", "bafyabc"));
  EXPECT_FALSE(IfNoneMatchMatches("", "bafyabc"));
}

// CheckRange decides as nginx 1.22's ngx_http_range_parse does: every case below is what nginx
// 1.22.1 answered for a static 12-byte (and an empty) file: 206, 416, or 200 (ignored).
TEST(CheckRange, RangesWithinTheFileAreSatisfiable) {
  for (const char* range : {"bytes=0-0", "bytes=0-", "bytes=11-", "bytes=5-100", "bytes=-1", "bytes=-100", "BYTES=0-1",
                            "bytes= 0 - 1 , 3-4", "bytes=0-1,999-"}) {
    EXPECT_EQ(CheckRange(range, 12), RangeVerdict::kSatisfiable) << range;
  }
}

TEST(CheckRange, RangesPastTheEndOrMalformedAfterBytesAreUnsatisfiable) {
  for (const char* range : {"bytes=12-", "bytes=999999999-", "bytes=12-20", "bytes=12-20,13-", "bytes=-0", "bytes=abc",
                            "bytes=1-x", "bytes=--1", "bytes=5-1x", "bytes=1-2;", "bytes=,",
                            "bytes=99999999999999999999-", "bytes=0-99999999999999999999", "bytes=5-1"}) {
    EXPECT_EQ(CheckRange(range, 12), RangeVerdict::kUnsatisfiable) << range;
  }
}

TEST(CheckRange, WhatNginxAnswersWithTheWholeFileIsIgnored) {
  for (const char* range : {"", "bytes=", "bits=0-1", "items=0-1", "bytes=0-5,0-5,0-5"}) {
    EXPECT_EQ(CheckRange(range, 12), RangeVerdict::kIgnored) << range;
  }
  // an empty file: "0-" asks for nothing from byte 0, which nginx answers with the whole (empty) file
  EXPECT_EQ(CheckRange("bytes=0-", 0), RangeVerdict::kIgnored);
  EXPECT_EQ(CheckRange("bytes=1-", 0), RangeVerdict::kUnsatisfiable);
  EXPECT_EQ(CheckRange("bytes=-5", 0), RangeVerdict::kIgnored);
}

}  // namespace
}  // namespace gw::web
