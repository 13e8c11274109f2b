#include "domain/api_key.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include <algorithm>
#include <array>

#include "domain/error.hpp"
#include "domain/multibase.hpp"

namespace gw::domain {

std::string Base64UrlEncode(std::span<const unsigned char> bytes) {
  static constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  std::string out;
  out.reserve((bytes.size() * 4 + 2) / 3);
  std::size_t i = 0;
  for (; i + 3 <= bytes.size(); i += 3) {
    const unsigned v = (bytes[i] << 16) | (bytes[i + 1] << 8) | bytes[i + 2];
    out += kAlphabet[(v >> 18) & 63];
    out += kAlphabet[(v >> 12) & 63];
    out += kAlphabet[(v >> 6) & 63];
    out += kAlphabet[v & 63];
  }
  if (const std::size_t rest = bytes.size() - i; rest > 0) {
    unsigned v = bytes[i] << 16;
    if (rest == 2) v |= bytes[i + 1] << 8;
    out += kAlphabet[(v >> 18) & 63];
    out += kAlphabet[(v >> 12) & 63];
    if (rest == 2) out += kAlphabet[(v >> 6) & 63];
  }
  return out;
}

std::string FormatApiKey(std::span<const unsigned char> random_bytes) {
  if (random_bytes.size() != kApiKeyRandomBytes) {
    throw Error(ErrorCode::kInternal, {}, {}, "FormatApiKey needs exactly 32 random bytes");
  }
  return std::string(kApiKeyPrefix) + Base64UrlEncode(random_bytes);
}

bool IsWellFormedApiKey(std::string_view key) {
  if (key.size() != kApiKeyLength || !key.starts_with(kApiKeyPrefix)) return false;
  const std::string_view body = key.substr(kApiKeyPrefix.size());
  return std::all_of(body.begin(), body.end(), [](char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
  });
}

namespace {

void Require(int ok, const char* what) {
  if (ok != 1) throw Error(ErrorCode::kInternal, {}, {}, what);
}

struct DigestContext {
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  DigestContext() {
    if (ctx == nullptr) throw Error(ErrorCode::kInternal, {}, {}, "EVP_MD_CTX_new failed");
  }
  ~DigestContext() { EVP_MD_CTX_free(ctx); }
  DigestContext(const DigestContext&) = delete;
  DigestContext& operator=(const DigestContext&) = delete;
};

}  // namespace

struct KeyHasher::State {
  EVP_MD* sha256 = nullptr;
  DigestContext inner;  // SHA-256 after (key XOR ipad)
  DigestContext outer;  // SHA-256 after (key XOR opad)
  ~State() { EVP_MD_free(sha256); }
};

KeyHasher::KeyHasher(std::string_view pepper) : state_(std::make_unique<State>()) {
  // RFC 2104 with SHA-256's 64-byte block: a longer key is hashed first, a shorter one padded
  // with zeros.
  constexpr std::size_t kBlock = 64;
  state_->sha256 = EVP_MD_fetch(nullptr, "SHA256", nullptr);
  if (state_->sha256 == nullptr) throw Error(ErrorCode::kInternal, {}, {}, "SHA-256 is not available");
  std::array<unsigned char, kBlock> block{};
  if (pepper.size() > kBlock) {
    unsigned int length = 0;
    Require(EVP_Digest(pepper.data(), pepper.size(), block.data(), &length, state_->sha256, nullptr),
            "SHA-256 of the pepper failed");
  } else {
    std::copy(pepper.begin(), pepper.end(), block.begin());
  }
  std::array<unsigned char, kBlock> pad{};
  const auto start = [&](EVP_MD_CTX* ctx, unsigned char mask) {
    for (std::size_t i = 0; i < kBlock; ++i) pad[i] = static_cast<unsigned char>(block[i] ^ mask);
    Require(EVP_DigestInit_ex(ctx, state_->sha256, nullptr), "EVP_DigestInit_ex failed");
    Require(EVP_DigestUpdate(ctx, pad.data(), pad.size()), "EVP_DigestUpdate failed");
  };
  start(state_->inner.ctx, 0x36);
  start(state_->outer.ctx, 0x5c);
  OPENSSL_cleanse(block.data(), block.size());
  OPENSSL_cleanse(pad.data(), pad.size());
}

KeyHasher::~KeyHasher() = default;

std::string KeyHasher::Hash(std::string_view key) const {
  DigestContext work;
  std::array<unsigned char, EVP_MAX_MD_SIZE> inner{};
  std::array<unsigned char, EVP_MAX_MD_SIZE> mac{};
  unsigned int inner_length = 0;
  unsigned int mac_length = 0;
  Require(EVP_MD_CTX_copy_ex(work.ctx, state_->inner.ctx), "EVP_MD_CTX_copy_ex failed");
  Require(EVP_DigestUpdate(work.ctx, key.data(), key.size()), "EVP_DigestUpdate failed");
  Require(EVP_DigestFinal_ex(work.ctx, inner.data(), &inner_length), "EVP_DigestFinal_ex failed");
  Require(EVP_MD_CTX_copy_ex(work.ctx, state_->outer.ctx), "EVP_MD_CTX_copy_ex failed");
  Require(EVP_DigestUpdate(work.ctx, inner.data(), inner_length), "EVP_DigestUpdate failed");
  Require(EVP_DigestFinal_ex(work.ctx, mac.data(), &mac_length), "EVP_DigestFinal_ex failed");
  return LowerHex(std::span<const std::uint8_t>(mac.data(), mac_length));
}

std::string HashApiKey(std::string_view pepper, std::string_view key) { return KeyHasher(pepper).Hash(key); }

std::string_view PublicKeyPrefix(std::string_view key) {
  return key.substr(0, std::min(key.size(), kApiKeyPublicPrefixLength));
}

bool ConstantTimeEquals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

}  // namespace gw::domain
