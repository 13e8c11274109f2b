// The named CID profiles against the vectors of ipfs-specs.md §1.12 (checked there with
// ipfs-unixfs-importer 17.1.1, and again here with tests/reference under every profile).
#include "domain/cid_profile.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "domain/sha256_openssl.hpp"

namespace gw::domain {
namespace {

/// `pattern N` of the spec: N bytes where byte i is i % 251 (no chunk repeats another).
std::vector<std::uint8_t> Pattern(std::size_t size) {
  std::vector<std::uint8_t> bytes(size);
  for (std::size_t i = 0; i < size; ++i) bytes[i] = static_cast<std::uint8_t>(i % 251);
  return bytes;
}

std::string CidOf(CidProfile profile, const std::vector<std::uint8_t>& bytes) {
  OpenSslSha256 sha;
  return ImportBytes(sha, bytes, ImportParamsOf(profile)).root.ToString();
}

std::vector<std::uint8_t> Text(std::string_view text) { return {text.begin(), text.end()}; }

TEST(CidProfile, NamesAreStableAndRoundTrip) {
  EXPECT_EQ(CidProfileName(CidProfile::kKuboAddCidV1), "kubo-add-cidv1");
  EXPECT_EQ(CidProfileName(CidProfile::kUnixFsV1_2025), "unixfs-v1-2025");
  EXPECT_EQ(CidProfileName(CidProfile::kUnixFsV0_2015), "unixfs-v0-2015");
  for (const CidProfile profile : kCidProfiles) EXPECT_EQ(ParseCidProfile(CidProfileName(profile)), profile);
  EXPECT_EQ(kCidProfiles.front(), CidProfile::kKuboAddCidV1);  // the default comes first
  EXPECT_EQ(CidProfileNames(), "kubo-add-cidv1, unixfs-v1-2025, unixfs-v0-2015");
}

TEST(CidProfile, OnlyExactNamesParse) {
  for (const std::string_view bad : {"", "auto", "Unixfs-v0-2015", "unixfs-v0-2015 ", "legacy-cid-v0", "v1", "kubo"}) {
    EXPECT_EQ(ParseCidProfile(bad), std::nullopt) << bad;
  }
}

TEST(CidProfile, ImportParamsFollowTheSpecTable) {
  const ImportParams kubo = ImportParamsOf(CidProfile::kKuboAddCidV1);
  EXPECT_EQ(kubo.chunk_size, 262144u);
  EXPECT_EQ(kubo.max_links, 174u);
  EXPECT_TRUE(kubo.raw_leaves);
  EXPECT_EQ(kubo.cid_version, 1);
  const ImportParams v1 = ImportParamsOf(CidProfile::kUnixFsV1_2025);
  EXPECT_EQ(v1.chunk_size, 1048576u);
  EXPECT_EQ(v1.max_links, 1024u);
  EXPECT_TRUE(v1.raw_leaves);
  EXPECT_EQ(v1.cid_version, 1);
  const ImportParams v0 = ImportParamsOf(CidProfile::kUnixFsV0_2015);
  EXPECT_EQ(v0.chunk_size, 262144u);
  EXPECT_EQ(v0.max_links, 174u);
  EXPECT_FALSE(v0.raw_leaves);
  EXPECT_EQ(v0.cid_version, 0);
}

struct ProfileVector {
  const char* input;
  std::vector<std::uint8_t> bytes;
  const char* kubo;
  const char* v1_2025;
  const char* v0_2015;
};

TEST(CidProfile, SpecVectors) {
  const std::vector<ProfileVector> vectors = {
      // The empty file: one empty raw block (v1) or one dag-pb File node `0a 04 08 02 18 00` (v0).
      {"empty",
       {},
       "bafkreihdwdcefgh4dqkjv67uzcmw7ojee6xedzdetojuzjevtenxquvyku",
       "bafkreihdwdcefgh4dqkjv67uzcmw7ojee6xedzdetojuzjevtenxquvyku",
       "QmbFMke1KXqnYyBBWxB74N4c5SBnJMVAiMNRcGu6x1AwQH"},
      {"hello world\\n", Text("hello world\n"), "bafkreifjjcie6lypi6ny7amxnfftagclbuxndqonfipmb64f2km2devei4",
       "bafkreifjjcie6lypi6ny7amxnfftagclbuxndqonfipmb64f2km2devei4", "QmT78zSuBmuS4z925WZfrqQ1qHaJ56DQaTfyMUF7F8ff5o"},
      // One byte past a 256 KiB chunk: two leaves except under unixfs-v1-2025 (one 1 MiB leaf).
      {"pattern 262145", Pattern(262145), "bafybeiexg2oqkfnj56l7fcmawswqbijt5shq4b5rg6a546uwpkqqzwjioi",
       "bafkreidkcavdl3yt2jt36sd4cuqnqk2p6vaxq66iykemz6mk527hnbqbni", "QmUSjGawaz4ptvREcMKSMJneWCa5j8dAz2wSAAvHtW2rnB"},
      {"pattern 1048577", Pattern(1048577), "bafybeig7rd7v2ygpkiiyu3kzsojmrj3ujtinivk7fxid5p33t6kdewzvsm",
       "bafybeidjogjfwuhbzwopgd4bn3skcf5m6oz72xshywcndzxgqb623nfclu", "QmXFGdWM6dMXHxGby9dZifmvH5ws2MwYCE1paUfJSp3Kj6"},
  };
  for (const auto& v : vectors) {
    SCOPED_TRACE(v.input);
    EXPECT_EQ(CidOf(CidProfile::kKuboAddCidV1, v.bytes), v.kubo);
    EXPECT_EQ(CidOf(CidProfile::kUnixFsV1_2025, v.bytes), v.v1_2025);
    EXPECT_EQ(CidOf(CidProfile::kUnixFsV0_2015, v.bytes), v.v0_2015);
  }
}

}  // namespace
}  // namespace gw::domain
