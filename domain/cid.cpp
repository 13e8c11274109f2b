#include "domain/cid.hpp"

#include "domain/error.hpp"
#include "domain/varint.hpp"

namespace gw::domain {
namespace {

/// The one place that decides how a bad CID is reported.
[[noreturn]] void InvalidCid(std::string why) { throw Error(ErrorCode::kInvalidCid, "Invalid CID: " + why); }

bool IsKnownCodec(std::uint64_t codec) {
  return codec == codec::kRaw || codec == codec::kDagPb || codec == codec::kDagCbor || codec == codec::kDagJson ||
         codec == codec::kLibp2pKey;
}

/// Validates a multihash that must span exactly `bytes` (no trailing data).
void CheckMultihash(std::span<const std::uint8_t> bytes) {
  std::uint64_t function = 0;
  std::uint64_t length = 0;
  if (!ReadVarint(bytes, function)) InvalidCid("malformed multihash function varint");
  if (!ReadVarint(bytes, length)) InvalidCid("malformed multihash length varint");
  if (function == multihash::kSha2_256) {
    if (length != multihash::kSha2_256Length) InvalidCid("sha2-256 digest must be 32 bytes");
  } else if (function == multihash::kIdentity) {
    if (length > multihash::kMaxIdentityLength) InvalidCid("identity digest longer than 128 bytes");
  } else {
    InvalidCid("unsupported multihash function");
  }
  if (bytes.size() < length) InvalidCid("truncated digest");
  if (bytes.size() > length) InvalidCid("trailing bytes after digest");
}

Cid FromV0Multihash(std::span<const std::uint8_t> bytes) {
  if (bytes.size() != 2 + multihash::kSha2_256Length || bytes[0] != multihash::kSha2_256 ||
      bytes[1] != multihash::kSha2_256Length) {
    InvalidCid("CIDv0 must be a 34-byte sha2-256 multihash");
  }
  return Cid{0, codec::kDagPb, std::vector<std::uint8_t>(bytes.begin(), bytes.end())};
}

}  // namespace

Cid Cid::FromSha256(std::uint64_t codec, const Sha256Digest& digest, int version) {
  Cid cid{version, version == 0 ? codec::kDagPb : codec, {}};
  cid.multihash.reserve(2 + digest.size());
  cid.multihash.push_back(static_cast<std::uint8_t>(multihash::kSha2_256));
  cid.multihash.push_back(static_cast<std::uint8_t>(multihash::kSha2_256Length));
  cid.multihash.insert(cid.multihash.end(), digest.begin(), digest.end());
  return cid;
}

Cid Cid::FromBytes(std::span<const std::uint8_t> bytes) {
  if (bytes.empty()) InvalidCid("empty");
  if (bytes[0] == multihash::kSha2_256) return FromV0Multihash(bytes);
  std::uint64_t version = 0;
  std::uint64_t codec = 0;
  if (!ReadVarint(bytes, version)) InvalidCid("malformed version varint");
  if (version == 0) InvalidCid("version 0 must be a bare multihash");
  if (version != 1) InvalidCid("unsupported CID version");
  if (!ReadVarint(bytes, codec)) InvalidCid("malformed codec varint");
  if (!IsKnownCodec(codec)) InvalidCid("unsupported codec");
  CheckMultihash(bytes);
  return Cid{1, codec, std::vector<std::uint8_t>(bytes.begin(), bytes.end())};
}

Cid Cid::Parse(std::string_view text) {
  if (text.empty()) InvalidCid("empty");
  if (text.size() > kMaxCidStringLength) InvalidCid("too long");
  // multiformats/cid: exactly 46 chars starting "Qm" is CIDv0 (base58btc, no multibase prefix).
  if (text.size() == 46 && text.starts_with("Qm")) {
    const auto bytes = Base58BtcDecode(text);
    if (!bytes) InvalidCid("invalid base58btc character");
    return FromV0Multihash(*bytes);
  }
  if (!MultibaseFromPrefix(text.front())) InvalidCid("unsupported multibase prefix");
  const auto bytes = MultibaseDecode(text);
  if (!bytes) InvalidCid("invalid multibase encoding");
  if (bytes->empty()) InvalidCid("empty");
  // A multibase string that decodes to a v0 multihash is rejected, as multiformats/cid says.
  if ((*bytes)[0] == multihash::kSha2_256) InvalidCid("CIDv0 cannot be multibase-encoded");
  return FromBytes(*bytes);
}

std::vector<std::uint8_t> Cid::Bytes() const {
  if (version == 0) return multihash;
  std::vector<std::uint8_t> out;
  out.reserve(1 + VarintSize(codec) + multihash.size());
  AppendVarint(out, static_cast<std::uint64_t>(version));
  AppendVarint(out, codec);
  out.insert(out.end(), multihash.begin(), multihash.end());
  return out;
}

std::string Cid::ToString() const {
  if (version == 0) return Base58BtcEncode(multihash);
  return MultibaseEncode(Multibase::kBase32, Bytes());
}

std::string Cid::ToString(Multibase base) const { return MultibaseEncode(base, ToV1().Bytes()); }

Cid Cid::ToV1() const {
  if (version != 0) return *this;
  return Cid{1, codec::kDagPb, multihash};
}

std::optional<Cid> Cid::ToV0() const {
  if (codec != codec::kDagPb || HashFunction() != multihash::kSha2_256 ||
      Digest().size() != multihash::kSha2_256Length) {
    return std::nullopt;
  }
  return Cid{0, codec::kDagPb, multihash};
}

std::uint64_t Cid::HashFunction() const {
  std::span<const std::uint8_t> rest(multihash);
  std::uint64_t function = 0;
  return ReadVarint(rest, function) ? function : multihash::kIdentity;
}

std::span<const std::uint8_t> Cid::Digest() const {
  std::span<const std::uint8_t> rest(multihash);
  std::uint64_t function = 0;
  std::uint64_t length = 0;
  if (!ReadVarint(rest, function) || !ReadVarint(rest, length) || length > rest.size()) return {};
  return rest.first(static_cast<std::size_t>(length));
}

}  // namespace gw::domain
