#pragma once
/// @file domain::RandomSource backed by OpenSSL's CSPRNG (keys and salts).

#include <span>

#include "domain/ports.hpp"

namespace gw::persistence {

class OpenSslRandom final : public domain::RandomSource {
 public:
  /// Throws Error(kInternal) when OpenSSL cannot produce random bytes (never falls back).
  void Fill(std::span<unsigned char> out) override;
};

}  // namespace gw::persistence
