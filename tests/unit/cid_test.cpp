#include "domain/cid.hpp"

#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

#include "domain/error.hpp"
#include "domain/multibase.hpp"
#include "domain/sha256_openssl.hpp"

namespace gw::domain {
namespace {

constexpr const char* kHelloRaw = "bafkreifzjut3te2nhyekklss27nh3k72ysco7y32koao5eei66wof36n5e";
constexpr const char* kHelloV0 = "Qmf412jQZiuVUtdgnB36FXFX7xg5V6KEbSJ4dpQuhkLyfD";
constexpr const char* kHelloV0AsV1 = "bafybeihykld7uyxzogax6vgyvag42y7464eywpf55gxi5qpoisibh3c5wa";

std::vector<std::uint8_t> Bytes(std::string_view s) { return {s.begin(), s.end()}; }

/// Asserts that parsing fails with the domain's invalid-CID error and nothing else.
void ExpectInvalid(std::string_view text) {
  try {
    const Cid cid = Cid::Parse(text);
    ADD_FAILURE() << "accepted invalid CID '" << text << "' as " << cid.ToString();
  } catch (const Error& e) {
    EXPECT_EQ(e.Code(), ErrorCode::kInvalidCid) << text;
    EXPECT_TRUE(e.PublicMessage().starts_with("Invalid CID: ")) << e.PublicMessage();
  }
}

void ExpectInvalidBytes(const std::vector<std::uint8_t>& bytes) { EXPECT_THROW(Cid::FromBytes(bytes), Error); }

TEST(LowerHex, WritesEachByteAsTwoLowerCaseDigits) {
  const std::vector<std::uint8_t> bytes{0x00, 0x0f, 0xab, 0xff};
  EXPECT_EQ(LowerHex(bytes), "000fabff");
  EXPECT_EQ(LowerHex({}), "");
}

TEST(Cid, FromSha256MatchesSpecVector) {
  OpenSslSha256 sha;
  const Cid cid = Cid::FromSha256(codec::kRaw, sha.Digest(Bytes("hello world")));
  EXPECT_EQ(cid.ToString(), kHelloRaw);
  const auto bytes = cid.Bytes();
  ASSERT_EQ(bytes.size(), 36u);
  EXPECT_EQ(bytes[0], 0x01);
  EXPECT_EQ(bytes[1], 0x55);
  EXPECT_EQ(bytes[2], 0x12);
  EXPECT_EQ(bytes[3], 0x20);
  EXPECT_EQ(bytes[4], 0xb9);
  EXPECT_EQ(cid.HashFunction(), multihash::kSha2_256);
  EXPECT_EQ(cid.Digest().size(), 32u);
}

TEST(Cid, ParsesV1Base32AndRoundTrips) {
  const Cid cid = Cid::Parse(kHelloRaw);
  EXPECT_EQ(cid.version, 1);
  EXPECT_EQ(cid.codec, codec::kRaw);
  EXPECT_EQ(cid.ToString(), kHelloRaw);
  EXPECT_EQ(cid.ToCanonicalV1String(), kHelloRaw);
  EXPECT_EQ(Cid::FromBytes(cid.Bytes()), cid);
}

TEST(Cid, ParsesV0AndConvertsToV1) {
  const Cid v0 = Cid::Parse(kHelloV0);
  EXPECT_EQ(v0.version, 0);
  EXPECT_EQ(v0.codec, codec::kDagPb);
  EXPECT_EQ(v0.ToString(), kHelloV0);
  EXPECT_EQ(v0.Bytes().size(), 34u);
  EXPECT_EQ(v0.ToCanonicalV1String(), kHelloV0AsV1);
  EXPECT_EQ(Cid::FromBytes(v0.Bytes()), v0);
  const Cid v1 = Cid::Parse(kHelloV0AsV1);
  EXPECT_EQ(v1.version, 1);
  EXPECT_EQ(v1.codec, codec::kDagPb);
  EXPECT_EQ(v1.multihash, v0.multihash);
  EXPECT_EQ(v0.ToV1(), v1);
}

TEST(Cid, ToV0ExistsOnlyForDagPbSha256) {
  const Cid v0 = Cid::Parse(kHelloV0);
  EXPECT_EQ(Cid::Parse(kHelloV0AsV1).ToV0(), v0);
  EXPECT_EQ(v0.ToV0(), v0);
  EXPECT_EQ(Cid::Parse(kHelloV0AsV1).ToV0()->ToString(), kHelloV0);
  EXPECT_EQ(Cid::Parse(kHelloRaw).ToV0(), std::nullopt);   // raw codec: CIDv0 implies dag-pb
  EXPECT_EQ(Cid::Parse("bafkqaaa").ToV0(), std::nullopt);  // identity multihash
}

TEST(Cid, ParsesEveryMultibaseToTheSameCid) {
  // Expected strings computed independently (Python base64 / big-int base conversion).
  const std::vector<std::pair<Multibase, std::string>> forms = {
      {Multibase::kBase32, kHelloRaw},
      {Multibase::kBase32Upper, "BAFKREIFZJUT3TE2NHYEKKLSS27NH3K72YSCO7Y32KOAO5EEI66WOF36N5E"},
      {Multibase::kBase58Btc, "zb2rhj7crUKTQYRGCRATFaQ6YFLTde2YzdqbbhAASkL9uRDXn"},
      {Multibase::kBase36, "k2cwued9o1pvrt3q271rrqbo49x30tbxwpoeaq75z14e5ui2rzygpbe1"},
      {Multibase::kBase16, "f01551220b94d27b9934d3e08a52e52d7da7dabfac484efe37a5380ee9088f7ace2efcde9"},
      {Multibase::kBase16Upper, "F01551220B94D27B9934D3E08A52E52D7DA7DABFAC484EFE37A5380EE9088F7ACE2EFCDE9"},
  };
  const Cid expected = Cid::Parse(kHelloRaw);
  for (const auto& [base, text] : forms) {
    EXPECT_EQ(Cid::Parse(text), expected) << text;
    EXPECT_EQ(expected.ToString(base), text);
  }
}

TEST(Cid, AcceptsOtherKnownCodecsAndIdentity) {
  const Cid json = Cid::Parse("baguqeeraxfgspomtju7arjjokll5u7nl7lcij37dpjjyb3uqrd32zyxpzxuq");
  EXPECT_EQ(json.codec, codec::kDagJson);
  EXPECT_EQ(json.Bytes().size(), 37u);       // dag-json is a two-byte varint
  const Cid probe = Cid::Parse("bafkqaaa");  // identity, empty: the gateway probe CID
  EXPECT_EQ(probe.HashFunction(), multihash::kIdentity);
  EXPECT_TRUE(probe.Digest().empty());
  EXPECT_EQ(probe.ToString(), "bafkqaaa");
  std::vector<std::uint8_t> inline128 = {0x01, 0x72, 0x00, 0x80, 0x01};
  inline128.resize(inline128.size() + 128, 0xab);
  EXPECT_EQ(Cid::FromBytes(inline128).codec, codec::kLibp2pKey);
}

TEST(Cid, RejectsMalformedStrings) {
  ExpectInvalid("");
  ExpectInvalid("Qm" + std::string(44, '0'));  // '0' is not base58
  ExpectInvalid("Qm" + std::string(44, 'z'));  // base58 but not a 34-byte 12 20 multihash
  ExpectInvalid("QmShortButNotV0");
  ExpectInvalid("bafkreifzjut3te2nhyekklss27nh3k72ysco7y32koao5eei66wof36n51");  // '1' not base32
  ExpectInvalid("bafkreifzjut3te2nhyekklss27nh3k72ysco7y32koao5eei66wof36n5E");  // mixed case
  ExpectInvalid("bafkreifzjut3te2nhyekklss27nh3k72ysco7y32koao5eei66wof36n5f");  // nonzero pad bits
  ExpectInvalid("bafkreifzjut3te2nhyekklss27nh3k72ysco7y32koao5eei66wof36n5e====");
  ExpectInvalid("xafkreifzjut3te2nhyekklss27nh3k72ysco7y32koao5eei66wof36n5e");  // unknown prefix
  ExpectInvalid("mAXASIA");                                                      // base64 is not accepted
  ExpectInvalid("bafkreifzjut3te2nhyekklss27nh3k72ysco7y32koao5eei66wof36");     // truncated digest
  ExpectInvalid("b");
  ExpectInvalid(std::string(kHelloRaw) + "aa");                      // trailing bytes
  ExpectInvalid("zQmf412jQZiuVUtdgnB36FXFX7xg5V6KEbSJ4dpQuhkLyfD");  // v0 inside multibase
  ExpectInvalid("f1220b94d27b9934d3e08a52e52d7da7dabfac484efe37a5380ee9088f7ace2efcde9");
  ExpectInvalid("f01551220b94d27b9934d3e08a52e52d7da7dabfac484efe37a5380ee9088f7ace2efcde");  // odd hex
  ExpectInvalid(std::string(600, 'b'));
  ExpectInvalid(std::string("b\0afk", 5));
}

TEST(Cid, RejectsMalformedBinary) {
  std::vector<std::uint8_t> good = Cid::Parse(kHelloRaw).Bytes();
  auto with = [&](std::size_t index, std::uint8_t value) {
    auto copy = good;
    copy[index] = value;
    return copy;
  };
  ExpectInvalidBytes({});
  ExpectInvalidBytes(with(0, 0x02));                   // version 2
  ExpectInvalidBytes(with(0, 0x00));                   // version 0 must be bare
  ExpectInvalidBytes(with(1, 0x56));                   // unknown codec
  ExpectInvalidBytes(with(2, 0x13));                   // sha2-512 not supported
  ExpectInvalidBytes(with(3, 0x1f));                   // sha2-256 with 31-byte length
  ExpectInvalidBytes({good.begin(), good.end() - 1});  // truncated digest
  auto trailing = good;
  trailing.push_back(0);
  ExpectInvalidBytes(trailing);
  ExpectInvalidBytes({0x81, 0x00, 0x55, 0x00, 0x00});  // non-minimal version varint
  ExpectInvalidBytes({0x01, 0xd5, 0x00, 0x00, 0x00});  // non-minimal codec varint (0x55)
  ExpectInvalidBytes({0x01, 0x55, 0x00, 0x81, 0x01});  // identity length 129
  ExpectInvalidBytes({0x01, 0x55, 0x00, 0x05, 0x01});  // identity length 5, 1 byte present
  ExpectInvalidBytes({0x01, 0x55, 0x00, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01});
  ExpectInvalidBytes({0x01, 0x55, 0x00, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f});
  ExpectInvalidBytes({0x01, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff});  // unterminated
  ExpectInvalidBytes({0x12, 0x20, 0x00});                                            // short v0
}

/// Parses `text`; if accepted, it must re-encode to exactly `text` in its own base.
void CheckParseIsTotal(const std::string& text, int& accepted) {
  try {
    const Cid cid = Cid::Parse(text);
    if (cid.version == 0) {
      ASSERT_EQ(cid.ToString(), text);
    } else {
      const auto base = MultibaseFromPrefix(text.front());
      ASSERT_TRUE(base.has_value());
      ASSERT_EQ(cid.ToString(*base), text);
    }
    ASSERT_EQ(Cid::FromBytes(cid.Bytes()), cid);
    ++accepted;
  } catch (const Error& e) {
    ASSERT_EQ(e.Code(), ErrorCode::kInvalidCid);
  }
}

TEST(Cid, FuzzParseNeverCrashesAndRoundTrips) {
  std::mt19937_64 rng(20260501);
  const std::string alphabet = "bBzkKfFQm0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ=+/\x01\x80\xff";
  const std::vector<Multibase> bases = {Multibase::kBase32,     Multibase::kBase32Upper, Multibase::kBase58Btc,
                                        Multibase::kBase36,     Multibase::kBase36Upper, Multibase::kBase16,
                                        Multibase::kBase16Upper};
  const std::vector<std::uint64_t> codecs = {0x55, 0x70, 0x71, 0x72, 0x0129, 0x00, 0x56, 0x300};
  auto pick = [&](std::size_t n) { return static_cast<std::size_t>(rng() % n); };
  const Cid seed = Cid::Parse(kHelloRaw);
  int accepted = 0;
  for (int i = 0; i < 100000; ++i) {
    std::string text;
    switch (i % 3) {
      case 0: {  // random characters
        const std::size_t length = pick(70);
        for (std::size_t j = 0; j < length; ++j) text.push_back(alphabet[pick(alphabet.size())]);
        if (i % 6 == 0 && text.size() >= 2) text = "Qm" + text.substr(2);
        break;
      }
      case 1: {  // a valid CID in some base with one random edit
        text = i % 7 == 0 ? std::string(kHelloV0) : seed.ToString(bases[pick(bases.size())]);
        const std::size_t at = pick(text.size());
        switch (pick(4)) {
          case 0: text[at] = alphabet[pick(alphabet.size())]; break;
          case 1: text.erase(at, 1); break;
          case 2: text.insert(at, 1, alphabet[pick(alphabet.size())]); break;
          default: text.resize(at); break;
        }
        break;
      }
      default: {  // structured random binary, encoded in a random base
        std::vector<std::uint8_t> bytes;
        bytes.push_back(static_cast<std::uint8_t>(pick(8) == 0 ? pick(256) : 1));
        const std::uint64_t codec = codecs[pick(codecs.size())];
        if (codec >= 0x80) {
          bytes.push_back(static_cast<std::uint8_t>((codec & 0x7f) | 0x80));
          bytes.push_back(static_cast<std::uint8_t>(codec >> 7));
        } else {
          bytes.push_back(static_cast<std::uint8_t>(codec));
        }
        bytes.push_back(pick(2) == 0 ? 0x12 : static_cast<std::uint8_t>(pick(3) == 0 ? pick(256) : 0));
        const std::size_t length = pick(3) == 0 ? pick(140) : 32;
        bytes.push_back(static_cast<std::uint8_t>(length < 128 ? length : pick(256)));
        const std::size_t extra = pick(4) == 0 ? pick(5) : 0;
        for (std::size_t j = 0; j < length + extra; ++j) bytes.push_back(static_cast<std::uint8_t>(rng()));
        if (pick(10) == 0 && !bytes.empty()) bytes.resize(pick(bytes.size()));
        try {
          const Cid cid = Cid::FromBytes(bytes);
          ASSERT_EQ(cid.Bytes(), bytes);
        } catch (const Error& e) {
          ASSERT_EQ(e.Code(), ErrorCode::kInvalidCid);
        }
        text = MultibaseEncode(bases[pick(bases.size())], bytes);
        break;
      }
    }
    ASSERT_NO_FATAL_FAILURE(CheckParseIsTotal(text, accepted)) << "input: " << text;
  }
  EXPECT_GT(accepted, 1000);  // the fuzzer must exercise the success path, not just rejections
}

}  // namespace
}  // namespace gw::domain
