#pragma once
/// @file API key format and keyed hashing.
///
/// A key is "ipfs_gw_" followed by 32 random bytes in unpadded base64url (43 characters). Only
/// HMAC-SHA256(pepper, key) is stored: a database dump alone does not let anyone use a key, and
/// since keys carry 256 bits of entropy a fast keyed hash is enough (no password hashing needed).

#include <memory>
#include <span>
#include <string>
#include <string_view>

namespace gw::domain {

inline constexpr std::string_view kApiKeyPrefix = "ipfs_gw_";
inline constexpr std::size_t kApiKeyRandomBytes = 32;
inline constexpr std::size_t kApiKeyLength = kApiKeyPrefix.size() + 43;
/// How many leading characters of a key may appear in logs and listings ("ipfs_gw_" + 6).
inline constexpr std::size_t kApiKeyPublicPrefixLength = kApiKeyPrefix.size() + 6;

/// Builds a key from exactly kApiKeyRandomBytes random bytes supplied by the caller (the
/// adapter owns the randomness source, so this stays a pure function).
std::string FormatApiKey(std::span<const unsigned char> random_bytes);

/// True when `key` has the exact shape of a key we issue; cheap, and done before any lookup.
bool IsWellFormedApiKey(std::string_view key);

/// Lower-case hex HMAC-SHA256 of the key under the server's secret pepper (one-off: a hot path
/// keeps a KeyHasher).
std::string HashApiKey(std::string_view pepper, std::string_view key);

/// HMAC-SHA256 under one pepper, with the pepper's inner and outer pad states computed once.
/// OpenSSL 3's one-shot HMAC() looks the digest and MAC up in its provider tables and allocates
/// its contexts on every call (several microseconds, behind shared locks): this runs on every
/// authenticated request, so the service keeps one KeyHasher and pays two SHA-256 compressions
/// per key instead. Thread safe: Hash() only reads the precomputed states.
class KeyHasher {
 public:
  explicit KeyHasher(std::string_view pepper);
  ~KeyHasher();
  KeyHasher(const KeyHasher&) = delete;
  KeyHasher& operator=(const KeyHasher&) = delete;

  /// Lower-case hex HMAC-SHA256(pepper, key): the same as HashApiKey(pepper, key).
  std::string Hash(std::string_view key) const;

 private:
  struct State;
  std::unique_ptr<State> state_;  // opaque: keeps OpenSSL's headers out of this header
};

/// The part of a key that is safe to log: never more than kApiKeyPublicPrefixLength characters.
std::string_view PublicKeyPrefix(std::string_view key);

/// Constant-time equality for secrets of equal length (false when lengths differ).
bool ConstantTimeEquals(std::string_view a, std::string_view b);

/// Unpadded base64url, as used in keys and request ids.
std::string Base64UrlEncode(std::span<const unsigned char> bytes);

}  // namespace gw::domain
