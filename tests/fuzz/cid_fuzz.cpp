// Fuzz target: CID and multibase parsing (domain/cid.*, domain/multibase.*). The input is tried
// as a CID string, as a binary CID and as a multibase string. Decoding is canonical-only, so
// whatever parses must re-encode to exactly the input, and every other spelling of the CID
// must parse back to the same CID; a bad input is refused with kInvalidCid only.
#include "domain/cid.hpp"
#include "domain/error.hpp"
#include "domain/multibase.hpp"
#include "tests/fuzz/fuzz_check.hpp"

namespace {

using gw::domain::Cid;
using gw::domain::Multibase;

constexpr Multibase kBases[] = {Multibase::kBase32,     Multibase::kBase32Upper, Multibase::kBase58Btc,
                                Multibase::kBase36,     Multibase::kBase36Upper, Multibase::kBase16,
                                Multibase::kBase16Upper};

void CheckCid(const Cid& cid) {
  GW_FUZZ_CHECK(Cid::FromBytes(cid.Bytes()) == cid);
  GW_FUZZ_CHECK(Cid::Parse(cid.ToString()) == cid);
  const Cid v1 = cid.ToV1();
  GW_FUZZ_CHECK(v1.version == 1 && v1.multihash == cid.multihash);
  GW_FUZZ_CHECK(Cid::Parse(cid.ToCanonicalV1String()) == v1);
  for (const Multibase base : kBases) GW_FUZZ_CHECK(Cid::Parse(cid.ToString(base)) == v1);
  if (const auto v0 = cid.ToV0()) {
    GW_FUZZ_CHECK(v0->version == 0 && v0->ToV1() == v1);
    GW_FUZZ_CHECK(Cid::Parse(v0->ToString()) == *v0);
  }
  // the digest is the tail of the multihash, as long as its length varint says
  const auto digest = cid.Digest();
  GW_FUZZ_CHECK(digest.size() <= cid.multihash.size());
  GW_FUZZ_CHECK(digest.empty() || digest.data() + digest.size() == cid.multihash.data() + cid.multihash.size());
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text = gw::fuzz::AsText(data, size);
  const auto bytes = gw::fuzz::AsBytes(text);
  using gw::domain::ErrorCode;

  // the string form: a parsed CID prints as the input (same base, one spelling per base)
  std::optional<Cid> parsed;
  if (!gw::fuzz::Refused(ErrorCode::kInvalidCid, [&] { parsed = Cid::Parse(text); })) {
    if (parsed->version == 0) {
      GW_FUZZ_CHECK(parsed->ToString() == text);
    } else {
      GW_FUZZ_CHECK(parsed->ToString(*gw::domain::MultibaseFromPrefix(text.front())) == text);
    }
    CheckCid(*parsed);
  }

  // the binary form: no trailing bytes, so it is exactly Bytes()
  std::optional<Cid> binary;
  if (!gw::fuzz::Refused(ErrorCode::kInvalidCid, [&] { binary = Cid::FromBytes(bytes); })) {
    const auto again = binary->Bytes();
    GW_FUZZ_CHECK(std::equal(again.begin(), again.end(), bytes.begin(), bytes.end()));
    CheckCid(*binary);
  }

  // bare multibase (bounded like CID strings: base58/base36 decoding is quadratic)
  if (size <= gw::domain::kMaxCidStringLength) {
    if (const auto decoded = gw::domain::MultibaseDecode(text)) {
      GW_FUZZ_CHECK(gw::domain::MultibaseEncode(*gw::domain::MultibaseFromPrefix(text.front()), *decoded) == text);
    }
    if (const auto decoded = gw::domain::Base58BtcDecode(text)) {
      GW_FUZZ_CHECK(gw::domain::Base58BtcEncode(*decoded) == text);
    }
    const std::string hex = gw::domain::LowerHex(bytes);
    GW_FUZZ_CHECK(hex.size() == 2 * size);
    GW_FUZZ_CHECK(gw::domain::MultibaseDecode("f" + hex) == std::vector<std::uint8_t>(bytes.begin(), bytes.end()));
    for (const Multibase base : kBases) {
      GW_FUZZ_CHECK(gw::domain::MultibaseDecode(gw::domain::MultibaseEncode(base, bytes)) ==
                    std::vector<std::uint8_t>(bytes.begin(), bytes.end()));
    }
  }
  return 0;
}
