#include "domain/api_key.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

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

std::string HashApiKey(std::string_view pepper, std::string_view key) {
  std::array<unsigned char, EVP_MAX_MD_SIZE> mac{};
  unsigned int mac_length = 0;
  if (HMAC(EVP_sha256(), pepper.data(), static_cast<int>(pepper.size()),
           reinterpret_cast<const unsigned char*>(key.data()), key.size(), mac.data(), &mac_length) == nullptr) {
    throw Error(ErrorCode::kInternal, {}, {}, "HMAC-SHA256 failed");
  }
  return LowerHex(std::span<const std::uint8_t>(mac.data(), mac_length));
}

std::string_view PublicKeyPrefix(std::string_view key) {
  return key.substr(0, std::min(key.size(), kApiKeyPublicPrefixLength));
}

bool ConstantTimeEquals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

}  // namespace gw::domain
