#include "domain/filename.hpp"

#include <gtest/gtest.h>

#include <string>

namespace gw::domain {
namespace {

TEST(SafeFilename, KeepsOrdinaryNamesAndUnicode) {
  EXPECT_EQ(SafeFilename("report.pdf"), "report.pdf");
  EXPECT_EQ(SafeFilename("résumé 2026.txt"), "résumé 2026.txt");
  EXPECT_EQ(SafeFilename("日本語.png"), "日本語.png");
}

TEST(SafeFilename, DropsPathsAndTraversal) {
  EXPECT_EQ(SafeFilename("../../etc/passwd"), "passwd");
  EXPECT_EQ(SafeFilename("C:\\Users\\me\\secret.doc"), "secret.doc");
  EXPECT_EQ(SafeFilename(".."), "file");
  EXPECT_EQ(SafeFilename("dir/"), "file");
  EXPECT_EQ(SafeFilename(".hidden"), "hidden");
}

TEST(SafeFilename, DropsNulControlAndBidiOverrides) {
  EXPECT_EQ(SafeFilename(std::string("a\0b.txt", 7)), "ab.txt");
  EXPECT_EQ(SafeFilename("line\r\nbreak.txt"), "linebreak.txt");
  EXPECT_EQ(SafeFilename("invoice\u202Etxt.exe"), "invoicetxt.exe");
}

TEST(SafeFilename, ReplacesInvalidUtf8) {
  EXPECT_EQ(SafeFilename("bad\xff.txt"), "bad\uFFFD.txt");
  EXPECT_EQ(SafeFilename("\xC0\xAF.txt"), "\uFFFD\uFFFD.txt");  // overlong '/'
}

TEST(SafeFilename, KeepsCharactersBeyondTheBasicMultilingualPlane) {
  // four-byte UTF-8 (emoji, musical symbols) is decoded and written back unchanged
  EXPECT_EQ(SafeFilename("\U0001F600 party.png"), "\U0001F600 party.png");
  EXPECT_EQ(SafeFilename("score \U0001D11E.txt"), "score \U0001D11E.txt");
  EXPECT_EQ(StorableText("\U0001F600", 100), "\U0001F600");
}

TEST(SafeFilename, ReplacesASequenceCutShortByANonContinuationByte) {
  // E6 97 starts a three-byte character, 'z' is no continuation byte: the lead byte becomes
  // U+FFFD, then the stray continuation byte 97 another one, and 'z' is kept
  EXPECT_EQ(SafeFilename("a\xE6\x97z.txt"), "a\uFFFD\uFFFDz.txt");
  // a four-byte lead byte followed by ASCII
  EXPECT_EQ(SafeFilename(std::string("\xF0") + "abc.txt"), "\uFFFDabc.txt");
}

TEST(SafeFilename, CapsLengthKeepingTheExtensionAndWholeCharacters) {
  const std::string long_name = std::string(10'000, 'a') + ".txt";
  const std::string safe = SafeFilename(long_name);
  EXPECT_EQ(safe.size(), kMaxFilenameBytes);
  EXPECT_TRUE(safe.ends_with(".txt"));
  std::string accents;
  for (int i = 0; i < 200; ++i) accents += "é";
  const std::string cut = SafeFilename(accents);
  EXPECT_LE(cut.size(), kMaxFilenameBytes);
  EXPECT_EQ(cut.size() % 2, 0u);  // never half of a two-byte character
}

TEST(SafeFilename, FallsBackWhenNothingIsLeft) {
  EXPECT_EQ(SafeFilename(""), "file");
  EXPECT_EQ(SafeFilename("\x01\x02", "upload"), "upload");
}

}  // namespace
}  // namespace gw::domain

namespace gw::domain {
namespace {

TEST(StorableText, KeepsPathsButDropsNulAndRepairsUtf8) {
  EXPECT_EQ(StorableText("../../etc/passwd", 100), "../../etc/passwd");
  EXPECT_EQ(StorableText(std::string("a\0b", 3), 100), "ab");
  EXPECT_EQ(StorableText("x\xffy", 100), "x\uFFFDy");
  EXPECT_EQ(StorableText("ééé", 5), "éé");
  EXPECT_EQ(StorableText("a\U0001F600", 4), "a");  // never the first three bytes of a four-byte one
}

// Found by tests/fuzz/filename_fuzz.cpp: a name over the cap with no short extension was cut
// right after a space, so the result ended in one (and SafeFilename of it gave another name).
TEST(SafeFilename, NoTrailingSpaceOrDotAfterTheCut) {
  const std::string hex =
      "e282ace282ace282ace282ace282ace282ace282ace282ace282ace282ace282ace282ace282ace282ace282ace282ac"
      "e282ace282ace2822e2e2e2064647e6e656e20ace282ace282ace282ace282ace282ace282ace282ace282ace282ace2"
      "82ace282ace282ace282ace282ace282ace282ace282ace282ace282ace282ace282ace282ace282ace282ace282ace2"
      "82ace282ace282ace282ace282ace282ace282ace282ace282ace282ace282ace282ace282ace282ace282ace282ace2"
      "82ace282ace282ace282ace282ace282ace282ace282ace282ace282ace282ace282ace282ace282ace282ac2ee282ac"
      "e28220ace282ace282ace282ace282ace282ace282ace282ace2";
  std::string raw;
  for (std::size_t i = 0; i < hex.size(); i += 2) raw += static_cast<char>(std::stoi(hex.substr(i, 2), nullptr, 16));
  const std::string safe = SafeFilename(raw);
  ASSERT_FALSE(safe.empty());
  EXPECT_LE(safe.size(), kMaxFilenameBytes);
  EXPECT_NE(safe.back(), ' ');
  EXPECT_NE(safe.back(), '.');
  EXPECT_EQ(SafeFilename(safe), safe);
  EXPECT_EQ(SafeFilename(std::string(254, 'a') + " b"), std::string(254, 'a'));
  EXPECT_EQ(SafeFilename(std::string(250, 'a') + "....." + std::string(20, 'b')), std::string(250, 'a'));
}

}  // namespace
}  // namespace gw::domain
