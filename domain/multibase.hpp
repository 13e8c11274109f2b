#pragma once
/// @file The multibase encodings a gateway meets in CIDs: base32 (b/B), base58btc (z),
/// base36 (k/K) and base16 (f/F).
///
/// Decoding is canonical-only (no padding, zero trailing bits, one letter case per prefix) so
/// that every accepted string re-encodes to itself: a CID then has exactly one spelling per base
/// and string comparison of CIDs from the same base is meaningful.

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace gw::domain {

enum class Multibase { kBase32, kBase32Upper, kBase58Btc, kBase36, kBase36Upper, kBase16, kBase16Upper };

/// Encodes with the multibase prefix character.
std::string MultibaseEncode(Multibase base, std::span<const std::uint8_t> bytes);

/// The base named by a prefix character, or nullopt if it is not one we support.
std::optional<Multibase> MultibaseFromPrefix(char prefix);

/// Decodes a prefixed string; nullopt on unknown prefix or any non-canonical/invalid character.
std::optional<std::vector<std::uint8_t>> MultibaseDecode(std::string_view text);

/// Bare (unprefixed) codecs; CIDv0 uses base58btc without a prefix. LowerHex is bare base16,
/// the form digests and MACs are written in.
std::string LowerHex(std::span<const std::uint8_t> bytes);
std::string Base58BtcEncode(std::span<const std::uint8_t> bytes);
std::optional<std::vector<std::uint8_t>> Base58BtcDecode(std::string_view text);

}  // namespace gw::domain
