#include "domain/api_key.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <string>
#include <thread>
#include <vector>

#include "domain/error.hpp"

namespace gw::domain {
namespace {

std::array<unsigned char, kApiKeyRandomBytes> Bytes(unsigned char seed) {
  std::array<unsigned char, kApiKeyRandomBytes> bytes{};
  for (std::size_t i = 0; i < bytes.size(); ++i) bytes[i] = static_cast<unsigned char>(seed + i * 37);
  return bytes;
}

std::string Encode(std::vector<unsigned char> bytes) { return Base64UrlEncode(bytes); }

TEST(ApiKey, FormattedKeyHasTheDocumentedLengthAndPrefix) {
  const std::string key = FormatApiKey(Bytes(7));
  EXPECT_EQ(key.size(), kApiKeyLength);
  EXPECT_EQ(kApiKeyLength, 51u);
  EXPECT_TRUE(key.starts_with("ipfs_gw_"));
}

TEST(ApiKey, FormattingIsDeterministicInTheRandomBytes) {
  EXPECT_EQ(FormatApiKey(Bytes(7)), FormatApiKey(Bytes(7)));
  EXPECT_NE(FormatApiKey(Bytes(7)), FormatApiKey(Bytes(8)));
}

TEST(ApiKey, FormattingRefusesTheWrongNumberOfBytes) {
  const std::array<unsigned char, 31> short_bytes{};
  try {
    FormatApiKey(short_bytes);
    FAIL() << "expected an Error";
  } catch (const Error& error) {
    EXPECT_EQ(error.Code(), ErrorCode::kInternal);
  }
}

TEST(ApiKey, GeneratedKeysAreWellFormed) {
  for (unsigned char seed : {0, 1, 99, 200, 255}) EXPECT_TRUE(IsWellFormedApiKey(FormatApiKey(Bytes(seed))));
  std::array<unsigned char, kApiKeyRandomBytes> all_ones{};
  all_ones.fill(0xFF);
  EXPECT_TRUE(IsWellFormedApiKey(FormatApiKey(all_ones)));  // "-" and "_" are in the alphabet
}

TEST(ApiKey, WellFormednessRejectsWrongPrefix) {
  std::string key = FormatApiKey(Bytes(3));
  key[0] = 'I';
  EXPECT_FALSE(IsWellFormedApiKey(key));
  EXPECT_FALSE(IsWellFormedApiKey("xxxx_gw_" + key.substr(8)));
}

TEST(ApiKey, WellFormednessRejectsWrongLength) {
  const std::string key = FormatApiKey(Bytes(3));
  EXPECT_FALSE(IsWellFormedApiKey(key.substr(0, key.size() - 1)));
  EXPECT_FALSE(IsWellFormedApiKey(key + "A"));
  EXPECT_FALSE(IsWellFormedApiKey(""));
  EXPECT_FALSE(IsWellFormedApiKey("ipfs_gw_"));
}

TEST(ApiKey, WellFormednessRejectsCharactersOutsideBase64Url) {
  for (const char bad : {'+', '/', '=', ' ', '.', '\0'}) {
    std::string key = FormatApiKey(Bytes(3));
    key[20] = bad;
    EXPECT_FALSE(IsWellFormedApiKey(key)) << "character code " << int(bad);
  }
}

TEST(ApiKey, HashIsDeterministicLowercaseHexOf64Characters) {
  const std::string key = FormatApiKey(Bytes(5));
  const std::string hash = HashApiKey("pepper-pepper-pepper-pepper-pepper", key);
  EXPECT_EQ(hash, HashApiKey("pepper-pepper-pepper-pepper-pepper", key));
  ASSERT_EQ(hash.size(), 64u);
  EXPECT_TRUE(std::all_of(hash.begin(), hash.end(), [](char c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
  })) << hash;
}

TEST(ApiKey, HashDiffersByPepper) {
  const std::string key = FormatApiKey(Bytes(5));
  EXPECT_NE(HashApiKey("pepper-one-pepper-one-pepper-one", key), HashApiKey("pepper-two-pepper-two-pepper-two", key));
}

TEST(ApiKey, HashDiffersByKey) {
  EXPECT_NE(HashApiKey("pepper", FormatApiKey(Bytes(5))), HashApiKey("pepper", FormatApiKey(Bytes(6))));
}

TEST(ApiKey, HashIsHmacSha256MatchingRfc4231TestCase2) {
  EXPECT_EQ(HashApiKey("Jefe", "what do ya want for nothing?"),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
}

TEST(KeyHasher, MatchesRfc4231ForShortAndLongerThanBlockKeys) {
  // Test case 1 (20-byte key), 2 (4-byte key) and 6 (131-byte key: hashed first).
  EXPECT_EQ(KeyHasher(std::string(20, '\x0b')).Hash("Hi There"),
            "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7");
  EXPECT_EQ(KeyHasher("Jefe").Hash("what do ya want for nothing?"),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
  EXPECT_EQ(KeyHasher(std::string(131, '\xaa')).Hash("Test Using Larger Than Block-Size Key - Hash Key First"),
            "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54");
}

TEST(KeyHasher, OneHasherGivesEachKeyItsOwnHashAgainAndAgain) {
  // The pad states are copied, never consumed: the n-th hash equals the first.
  const KeyHasher hasher("pepper-pepper-pepper-pepper-pepper");
  const std::string a = FormatApiKey(Bytes(1));
  const std::string b = FormatApiKey(Bytes(2));
  const std::string first = hasher.Hash(a);
  EXPECT_EQ(first, HashApiKey("pepper-pepper-pepper-pepper-pepper", a));
  EXPECT_NE(hasher.Hash(b), first);
  for (int i = 0; i < 3; ++i) EXPECT_EQ(hasher.Hash(a), first);
  EXPECT_EQ(KeyHasher(std::string(64, 'p')).Hash(""), HashApiKey(std::string(64, 'p'), ""));
}

TEST(KeyHasher, IsSafeToShareBetweenThreads) {
  const KeyHasher hasher("pepper-pepper-pepper-pepper-pepper");
  const std::string key = FormatApiKey(Bytes(3));
  const std::string expected = hasher.Hash(key);
  std::atomic<int> mismatches{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 500; ++i) {
        if (hasher.Hash(key) != expected) ++mismatches;
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(mismatches.load(), 0);
}

TEST(ApiKey, PublicPrefixIsNeverLongerThanTheLimit) {
  const std::string key = FormatApiKey(Bytes(9));
  EXPECT_EQ(PublicKeyPrefix(key), key.substr(0, kApiKeyPublicPrefixLength));
  EXPECT_EQ(PublicKeyPrefix(key).size(), kApiKeyPublicPrefixLength);
  EXPECT_LT(kApiKeyPublicPrefixLength, kApiKeyLength);
  EXPECT_EQ(PublicKeyPrefix("short"), "short");
  EXPECT_EQ(PublicKeyPrefix(""), "");
  EXPECT_LE(PublicKeyPrefix(std::string(1000, 'x')).size(), kApiKeyPublicPrefixLength);
}

TEST(ApiKey, ConstantTimeEqualsComparesContentAndLength) {
  EXPECT_TRUE(ConstantTimeEquals("abc", "abc"));
  EXPECT_FALSE(ConstantTimeEquals("abc", "abd"));
  EXPECT_FALSE(ConstantTimeEquals("abc", "abcd"));
  EXPECT_TRUE(ConstantTimeEquals("", ""));
}

TEST(Base64Url, EncodesRfc4648Vectors) {
  EXPECT_EQ(Encode({}), "");
  EXPECT_EQ(Encode({'f'}), "Zg");
  EXPECT_EQ(Encode({'f', 'o'}), "Zm8");
  EXPECT_EQ(Encode({'f', 'o', 'o'}), "Zm9v");
  EXPECT_EQ(Encode({'f', 'o', 'o', 'b'}), "Zm9vYg");
  EXPECT_EQ(Encode({'f', 'o', 'o', 'b', 'a', 'r'}), "Zm9vYmFy");
}

TEST(Base64Url, UsesDashAndUnderscoreWithoutPadding) {
  EXPECT_EQ(Encode({0xFB, 0xFF}), "-_8");
  EXPECT_EQ(Encode({0xFF, 0xFF, 0xFF}), "____");
  EXPECT_EQ(Encode({0x00, 0x00, 0x00}), "AAAA");
}

TEST(Base64Url, ThirtyTwoBytesGiveFortyThreeCharacters) { EXPECT_EQ(Base64UrlEncode(Bytes(1)).size(), 43u); }

}  // namespace
}  // namespace gw::domain
