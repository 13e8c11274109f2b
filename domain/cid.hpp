#pragma once
/// @file Content identifiers (multiformats CID v0/v1): parsing, validation and encoding.
///
/// The gateway takes CIDs from URLs and request bodies, so parsing is strict and total: every
/// malformed input throws domain::Error (see InvalidCid in cid.cpp) and nothing else. Only the
/// codecs and hashes this service can store or serve are accepted (sha2-256, plus identity for
/// inline probe CIDs such as bafkqaaa).

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "domain/multibase.hpp"
#include "domain/sha256.hpp"

namespace gw::domain {

namespace codec {
inline constexpr std::uint64_t kRaw = 0x55;
inline constexpr std::uint64_t kDagPb = 0x70;
inline constexpr std::uint64_t kDagCbor = 0x71;
inline constexpr std::uint64_t kLibp2pKey = 0x72;
inline constexpr std::uint64_t kDagJson = 0x0129;
}  // namespace codec

namespace multihash {
inline constexpr std::uint64_t kIdentity = 0x00;
inline constexpr std::uint64_t kSha2_256 = 0x12;
inline constexpr std::size_t kSha2_256Length = 32;
inline constexpr std::size_t kMaxIdentityLength = 128;
}  // namespace multihash

/// Longest CID string we try to decode; the largest valid one (identity, 128-byte digest, base16)
/// is under 300 chars, and the cap keeps base58/base36 decoding (quadratic) cheap.
inline constexpr std::size_t kMaxCidStringLength = 512;

struct Cid {
  int version = 1;
  std::uint64_t codec = codec::kRaw;
  /// Full multihash: varint(function) ‖ varint(length) ‖ digest.
  std::vector<std::uint8_t> multihash;

  /// CIDv1 (or v0 when version == 0, which implies dag-pb) of a sha2-256 digest.
  static Cid FromSha256(std::uint64_t codec, const Sha256Digest& digest, int version = 1);
  /// Parses the string form (v0 "Qm…" or multibase v1). Throws Error on any malformed input.
  static Cid Parse(std::string_view text);
  /// Parses the binary form (as found in dag-pb links and CAR sections); no trailing bytes.
  static Cid FromBytes(std::span<const std::uint8_t> bytes);

  /// v1: base32 lower with 'b' prefix; v0: bare base58btc "Qm…".
  std::string ToString() const;
  /// Multibase form in `base`; a v0 CID has none, so its v1 equivalent is encoded.
  std::string ToString(Multibase base) const;
  /// v0 -> v1 (same multihash, dag-pb); v1 unchanged.
  Cid ToV1() const;
  /// The CIDv0 of the same content when there is one (dag-pb with a sha2-256 multihash), else
  /// nullopt; a v0 CID is returned unchanged.
  std::optional<Cid> ToV0() const;
  /// One spelling per content: v1 base32. Use as the storage key.
  std::string ToCanonicalV1String() const { return ToV1().ToString(); }
  /// Binary CID: v1 = varint(1) ‖ varint(codec) ‖ multihash; v0 = the bare multihash.
  std::vector<std::uint8_t> Bytes() const;

  std::uint64_t HashFunction() const;
  /// The digest part of the multihash.
  std::span<const std::uint8_t> Digest() const;

  friend bool operator==(const Cid&, const Cid&) = default;
};

}  // namespace gw::domain
