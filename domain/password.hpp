#pragma once
/// @file Password policy and Argon2id hashing (libargon2).

#include <span>
#include <string>
#include <string_view>

namespace gw::domain {

/// Minimum and maximum password length in Unicode code points. The maximum bounds the cost of
/// hashing an attacker-chosen input, not the user's creativity.
inline constexpr std::size_t kMinPasswordLength = 12;
inline constexpr std::size_t kMaxPasswordLength = 256;

/// Throws a kValidationFailed Error naming the `password` field when `password` breaks the
/// policy: length in code points within [12, 256], valid UTF-8, no control characters, and not
/// the same as the email address.
void CheckPasswordPolicy(std::string_view password, std::string_view normalized_email);

/// Argon2id cost parameters. Defaults follow OWASP's 2023 recommendation (19 MiB, t=2, p=1),
/// which costs about 20 ms on one core here: slow for a guesser, fine for register/renew.
struct PasswordHashParams {
  unsigned time_cost = 2;
  unsigned memory_kib = 19 * 1024;
  unsigned parallelism = 1;
};

/// Hashes with Argon2id and the given 16-byte random salt; returns the PHC-encoded string
/// ($argon2id$v=19$m=...,t=...,p=...$salt$hash), which carries its own parameters.
std::string HashPassword(std::string_view password, std::span<const unsigned char> salt,
                         const PasswordHashParams& params = {});

/// Verifies in constant time (libargon2 compares with a constant-time loop).
bool VerifyPassword(std::string_view password, const std::string& encoded_hash);

}  // namespace gw::domain
