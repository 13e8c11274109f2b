#include "domain/sha256_openssl.hpp"

#include <openssl/evp.h>

#include "domain/error.hpp"

namespace gw::domain {
namespace {

[[noreturn]] void Fail(const char* what) {
  throw Error(ErrorCode::kInternal, {}, {}, std::string("OpenSSL SHA-256: ") + what);
}

}  // namespace

OpenSslSha256::OpenSslSha256() : ctx_(EVP_MD_CTX_new()), md_(EVP_MD_fetch(nullptr, "SHA256", nullptr)) {
  if (ctx_ == nullptr || md_ == nullptr) {
    EVP_MD_CTX_free(ctx_);
    EVP_MD_free(md_);
    Fail("cannot allocate context");
  }
  Reset();
}

OpenSslSha256::~OpenSslSha256() {
  EVP_MD_CTX_free(ctx_);
  EVP_MD_free(md_);
}

void OpenSslSha256::Reset() {
  if (EVP_DigestInit_ex(ctx_, md_, nullptr) != 1) Fail("init failed");
}

void OpenSslSha256::Update(std::span<const std::uint8_t> data) {
  if (data.empty()) return;
  if (EVP_DigestUpdate(ctx_, data.data(), data.size()) != 1) Fail("update failed");
}

Sha256Digest OpenSslSha256::Final() {
  Sha256Digest digest{};
  unsigned int length = 0;
  if (EVP_DigestFinal_ex(ctx_, digest.data(), &length) != 1 || length != digest.size()) Fail("final failed");
  return digest;
}

}  // namespace gw::domain
