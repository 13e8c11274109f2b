#include "domain/password.hpp"

#include <gtest/gtest.h>

#include <array>
#include <string>

#include "domain/error.hpp"

namespace gw::domain {
namespace {

// Argon2 needs at least 8 KiB per lane; 64 KiB and one pass keep each hash well under 1 ms.
constexpr PasswordHashParams kCheap{1, 64, 1};
constexpr std::array<unsigned char, 16> kSalt{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16};
constexpr std::string_view kEmail = "alice@example.com";

bool Allowed(std::string_view password, std::string_view email = kEmail) {
  try {
    CheckPasswordPolicy(password, email);
    return true;
  } catch (const Error& error) {
    EXPECT_EQ(error.Code(), ErrorCode::kValidationFailed);
    EXPECT_EQ(error.Details(), (ErrorDetails{{"field", "password"}}));
    return false;
  }
}

std::string Repeat(std::string_view unit, std::size_t times) {
  std::string out;
  for (std::size_t i = 0; i < times; ++i) out += unit;
  return out;
}

TEST(PasswordPolicy, RejectsElevenCharacters) { EXPECT_FALSE(Allowed("abcdefghijk")); }

TEST(PasswordPolicy, AcceptsTwelveCharacters) { EXPECT_TRUE(Allowed("abcdefghijkl")); }

TEST(PasswordPolicy, CountsMultiByteCharactersAsOne) {
  // 11 two-byte characters are 22 bytes but only 11 code points.
  EXPECT_FALSE(Allowed(Repeat("\xC3\xA9", 11)));
  EXPECT_TRUE(Allowed(Repeat("\xC3\xA9", 12)));
  // Three- and four-byte characters too (euro sign, emoji).
  EXPECT_FALSE(Allowed(Repeat("\xE2\x82\xAC", 11)));
  EXPECT_TRUE(Allowed(Repeat("\xF0\x9F\x98\x80", 12)));
}

TEST(PasswordPolicy, Accepts256AndRejects257CodePoints) {
  EXPECT_TRUE(Allowed(std::string(256, 'a')));
  EXPECT_FALSE(Allowed(std::string(257, 'a')));
  // The limit is in code points, not bytes: 256 two-byte characters are allowed.
  EXPECT_TRUE(Allowed(Repeat("\xC3\xA9", 256)));
  EXPECT_FALSE(Allowed(Repeat("\xC3\xA9", 257)));
}

TEST(PasswordPolicy, RejectsTruncatedMultiByteSequence) { EXPECT_FALSE(Allowed("abcdefghijkl\xC3")); }

TEST(PasswordPolicy, RejectsStrayContinuationByte) { EXPECT_FALSE(Allowed("abcdef\x80ghijkl")); }

TEST(PasswordPolicy, RejectsInvalidLeadBytes) {
  EXPECT_FALSE(Allowed("abcdefghijkl\xFF"));
  EXPECT_FALSE(Allowed("abcdefghijkl\xC0\xAF"));  // overlong '/', lead byte C0 is never valid
  EXPECT_FALSE(Allowed("abcdefghijkl\xF5\x80\x80\x80"));
}

TEST(PasswordPolicy, RejectsOverlongThreeByteEncoding) {
  // E0 80 AF is an overlong encoding of '/': not valid UTF-8 (RFC 3629 section 3).
  EXPECT_FALSE(Allowed("abcdefghijkl\xE0\x80\xAF"));
}

TEST(PasswordPolicy, RejectsEncodedUtf16Surrogate) {
  // ED A0 80 would be U+D800, a surrogate: not valid UTF-8 (RFC 3629 section 3).
  EXPECT_FALSE(Allowed("abcdefghijkl\xED\xA0\x80"));
}

TEST(PasswordPolicy, RejectsCodePointsAboveU10FFFF) {
  // F4 90 80 80 would be U+110000.
  EXPECT_FALSE(Allowed("abcdefghijkl\xF4\x90\x80\x80"));
}

TEST(PasswordPolicy, RejectsControlCharacters) {
  EXPECT_FALSE(Allowed("abcdef\tghijkl"));
  EXPECT_FALSE(Allowed("abcdef\nghijkl"));
  EXPECT_FALSE(Allowed("abcdef\x7Fghijkl"));
  EXPECT_FALSE(Allowed(std::string("abcdef\0ghijkl", 13)));
}

TEST(PasswordPolicy, AcceptsSpacesAndPunctuation) { EXPECT_TRUE(Allowed("correct horse battery staple!")); }

TEST(PasswordPolicy, RejectsPasswordEqualToTheEmail) {
  EXPECT_FALSE(Allowed("alice.long@example.com", "alice.long@example.com"));
  EXPECT_TRUE(Allowed("alice.long@example.com", "bob.long@example.com"));
}

TEST(PasswordHash, ProducesArgon2idPhcString) {
  const std::string hash = HashPassword("correct horse battery", kSalt, kCheap);
  EXPECT_TRUE(hash.starts_with("$argon2id$v=19$m=64,t=1,p=1$")) << hash;
}

TEST(PasswordHash, RoundTripsTheRightPassword) {
  const std::string hash = HashPassword("correct horse battery", kSalt, kCheap);
  EXPECT_TRUE(VerifyPassword("correct horse battery", hash));
}

TEST(PasswordHash, RejectsAWrongPassword) {
  const std::string hash = HashPassword("correct horse battery", kSalt, kCheap);
  EXPECT_FALSE(VerifyPassword("correct horse batterY", hash));
  EXPECT_FALSE(VerifyPassword("", hash));
}

TEST(PasswordHash, EmptyStoredHashNeverVerifies) {
  EXPECT_FALSE(VerifyPassword("", ""));
  EXPECT_FALSE(VerifyPassword("anything at all", ""));
}

TEST(PasswordHash, GarbageStoredHashDoesNotVerify) { EXPECT_FALSE(VerifyPassword("password1234", "$argon2id$junk")); }

TEST(PasswordHash, DifferentSaltsGiveDifferentHashesThatBothVerify) {
  std::array<unsigned char, 16> other_salt = kSalt;
  other_salt[0] ^= 0xFF;
  const std::string a = HashPassword("correct horse battery", kSalt, kCheap);
  const std::string b = HashPassword("correct horse battery", other_salt, kCheap);
  EXPECT_NE(a, b);
  EXPECT_TRUE(VerifyPassword("correct horse battery", b));
}

TEST(PasswordHash, ImpossibleParametersThrowInternalError) {
  try {
    HashPassword("correct horse battery", kSalt, PasswordHashParams{1, 1, 1});
    FAIL() << "expected an Error";
  } catch (const Error& error) {
    EXPECT_EQ(error.Code(), ErrorCode::kInternal);
    EXPECT_TRUE(error.PublicMessage().empty());
  }
}

}  // namespace
}  // namespace gw::domain
