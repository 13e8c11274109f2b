#pragma once
/// @file SHA-256 as a port: the importer and the CID code depend on this interface so tests and
/// benchmarks can swap the implementation; production uses OpenSslSha256 (sha256_openssl.hpp).
///
/// Incremental on purpose: the importer hashes each chunk while its bytes arrive, so it never
/// has to hold a chunk in memory.

#include <array>
#include <cstdint>
#include <span>

namespace gw::domain {

using Sha256Digest = std::array<std::uint8_t, 32>;

class Sha256Hasher {
 public:
  virtual ~Sha256Hasher() = default;
  /// Starts a new message (also valid right after Final).
  virtual void Reset() = 0;
  virtual void Update(std::span<const std::uint8_t> data) = 0;
  /// Digest of everything since Reset; call Reset before hashing the next message.
  virtual Sha256Digest Final() = 0;

  /// One-shot convenience.
  Sha256Digest Digest(std::span<const std::uint8_t> data) {
    Reset();
    Update(data);
    return Final();
  }
};

}  // namespace gw::domain
