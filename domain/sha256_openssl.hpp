#pragma once
/// @file Sha256Hasher backed by OpenSSL's libcrypto (SHA-NI/AVX2 code paths). Pure computation,
/// so it lives in the domain library, which already links libcrypto. Not thread-safe: use one
/// instance per thread.

#include "domain/sha256.hpp"

struct evp_md_ctx_st;
struct evp_md_st;

namespace gw::domain {

class OpenSslSha256 final : public Sha256Hasher {
 public:
  OpenSslSha256();
  ~OpenSslSha256() override;
  OpenSslSha256(const OpenSslSha256&) = delete;
  OpenSslSha256& operator=(const OpenSslSha256&) = delete;

  void Reset() override;
  void Update(std::span<const std::uint8_t> data) override;
  Sha256Digest Final() override;

 private:
  evp_md_ctx_st* ctx_;
  evp_md_st* md_;  // fetched once: OpenSSL 3's implicit fetch per init costs a lock and a lookup
};

}  // namespace gw::domain
