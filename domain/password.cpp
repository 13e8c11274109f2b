#include "domain/password.hpp"

#include <argon2.h>

#include <stdexcept>
#include <vector>

#include "domain/error.hpp"

namespace gw::domain {
namespace {

constexpr std::size_t kHashLength = 32;

/// Counts code points, or returns npos when `s` is not valid UTF-8 or holds control characters.
std::size_t CountCodePointsOrInvalid(std::string_view s) {
  std::size_t count = 0;
  for (std::size_t i = 0; i < s.size();) {
    const auto c = static_cast<unsigned char>(s[i]);
    std::size_t len = 0;
    if (c < 0x80) {
      if (c < 0x20 || c == 0x7f) return std::string_view::npos;
      len = 1;
    } else if ((c & 0xE0) == 0xC0 && c >= 0xC2) {
      len = 2;
    } else if ((c & 0xF0) == 0xE0) {
      len = 3;
    } else if ((c & 0xF8) == 0xF0 && c <= 0xF4) {
      len = 4;
    } else {
      return std::string_view::npos;
    }
    if (i + len > s.size()) return std::string_view::npos;
    for (std::size_t k = 1; k < len; ++k) {
      if ((static_cast<unsigned char>(s[i + k]) & 0xC0) != 0x80) return std::string_view::npos;
    }
    // RFC 3629 table 3-7: the second byte's range rules out overlong forms, UTF-16 surrogates
    // and code points above U+10FFFF.
    if (len > 2) {
      const auto second = static_cast<unsigned char>(s[i + 1]);
      if ((c == 0xE0 && second < 0xA0) || (c == 0xED && second > 0x9F) || (c == 0xF0 && second < 0x90) ||
          (c == 0xF4 && second > 0x8F)) {
        return std::string_view::npos;
      }
    }
    i += len;
    ++count;
  }
  return count;
}

}  // namespace

void CheckPasswordPolicy(std::string_view password, std::string_view normalized_email) {
  const std::size_t length = CountCodePointsOrInvalid(password);
  if (length == std::string_view::npos) {
    throw FieldError("password", "'password' must be valid UTF-8 without control characters");
  }
  if (length < kMinPasswordLength) {
    throw FieldError("password",
                     "'password' must be at least " + std::to_string(kMinPasswordLength) + " characters long");
  }
  if (length > kMaxPasswordLength) {
    throw FieldError("password",
                     "'password' must be at most " + std::to_string(kMaxPasswordLength) + " characters long");
  }
  if (password == normalized_email) {
    throw FieldError("password", "'password' must not be the email address");
  }
}

std::string HashPassword(std::string_view password, std::span<const unsigned char> salt,
                         const PasswordHashParams& params) {
  const std::size_t encoded_length = argon2_encodedlen(params.time_cost, params.memory_kib, params.parallelism,
                                                       static_cast<uint32_t>(salt.size()), kHashLength, Argon2_id);
  std::vector<char> encoded(encoded_length);
  const int rc =
      argon2id_hash_encoded(params.time_cost, params.memory_kib, params.parallelism, password.data(), password.size(),
                            salt.data(), salt.size(), kHashLength, encoded.data(), encoded.size());
  if (rc != ARGON2_OK) {
    throw Error(ErrorCode::kInternal, {}, {}, std::string("argon2id_hash_encoded: ") + argon2_error_message(rc));
  }
  return std::string(encoded.data());
}

bool VerifyPassword(std::string_view password, const std::string& encoded_hash) {
  if (encoded_hash.empty()) return false;  // accounts without a password cannot log in by password
  return argon2id_verify(encoded_hash.c_str(), password.data(), password.size()) == ARGON2_OK;
}

}  // namespace gw::domain
