#pragma once
/// @file API key format and keyed hashing.
///
/// A key is "ipfs_gw_" followed by 32 random bytes in unpadded base64url (43 characters). Only
/// HMAC-SHA256(pepper, key) is stored: a database dump alone does not let anyone use a key, and
/// since keys carry 256 bits of entropy a fast keyed hash is enough (no password hashing needed).

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

/// Lower-case hex HMAC-SHA256 of the key under the server's secret pepper.
std::string HashApiKey(std::string_view pepper, std::string_view key);

/// The part of a key that is safe to log: never more than kApiKeyPublicPrefixLength characters.
std::string_view PublicKeyPrefix(std::string_view key);

/// Constant-time equality for secrets of equal length (false when lengths differ).
bool ConstantTimeEquals(std::string_view a, std::string_view b);

/// Unpadded base64url, as used in keys and request ids.
std::string Base64UrlEncode(std::span<const unsigned char> bytes);

}  // namespace gw::domain
