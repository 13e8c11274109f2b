#pragma once
/// @file Unsigned LEB128 varints as multiformats and protobuf use them.
///
/// Reading is strict because CIDs are identifiers: a non-minimal encoding (e.g. `81 00` for 1)
/// would give one CID two byte forms, so it is rejected, as multiformats/unsigned-varint requires.
/// The 9-byte (63-bit) bound is the multiformats limit and keeps the shift below 64 (no UB).

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

namespace gw::domain {

inline constexpr std::size_t kMaxVarintBytes = 9;

inline void AppendVarint(std::vector<std::uint8_t>& out, std::uint64_t value) {
  while (value >= 0x80) {
    out.push_back(static_cast<std::uint8_t>(value | 0x80));
    value >>= 7;
  }
  out.push_back(static_cast<std::uint8_t>(value));
}

inline std::size_t VarintSize(std::uint64_t value) {
  std::size_t n = 1;
  while (value >= 0x80) {
    value >>= 7;
    ++n;
  }
  return n;
}

/// Reads one minimal varint from the front of `in` and advances it. Returns false (leaving `in`
/// unspecified) on truncation, a non-minimal encoding or more than kMaxVarintBytes bytes.
inline bool ReadVarint(std::span<const std::uint8_t>& in, std::uint64_t& value) {
  value = 0;
  for (std::size_t i = 0; i < in.size() && i < kMaxVarintBytes; ++i) {
    const std::uint8_t byte = in[i];
    value |= static_cast<std::uint64_t>(byte & 0x7f) << (7 * i);
    if ((byte & 0x80) == 0) {
      if (byte == 0 && i > 0) return false;  // trailing zero group: not minimal
      in = in.subspan(i + 1);
      return true;
    }
  }
  return false;
}

}  // namespace gw::domain
