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

}  // namespace
}  // namespace gw::web
