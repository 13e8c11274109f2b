#include "domain/multibase.hpp"

#include <algorithm>
#include <array>

namespace gw::domain {
namespace {

/// An alphabet with its reverse lookup (character -> digit, -1 outside), built at compile time.
struct Alphabet {
  std::string_view chars;
  std::array<int, 256> digit;
};

constexpr Alphabet MakeAlphabet(std::string_view chars) {
  Alphabet a{chars, {}};
  for (auto& d : a.digit) d = -1;
  for (std::size_t i = 0; i < chars.size(); ++i) a.digit[static_cast<unsigned char>(chars[i])] = static_cast<int>(i);
  return a;
}

constexpr Alphabet kBase32Lower = MakeAlphabet("abcdefghijklmnopqrstuvwxyz234567");
constexpr Alphabet kBase32Upper = MakeAlphabet("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567");
constexpr Alphabet kBase58 = MakeAlphabet("123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz");
constexpr Alphabet kBase36Lower = MakeAlphabet("0123456789abcdefghijklmnopqrstuvwxyz");
constexpr Alphabet kBase36Upper = MakeAlphabet("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ");
constexpr Alphabet kBase16Lower = MakeAlphabet("0123456789abcdef");
constexpr Alphabet kBase16Upper = MakeAlphabet("0123456789ABCDEF");

std::string Base32Encode(std::span<const std::uint8_t> bytes, const Alphabet& alphabet) {
  std::string out;
  out.reserve((bytes.size() * 8 + 4) / 5);
  std::uint32_t buffer = 0;
  int bits = 0;
  for (const std::uint8_t byte : bytes) {
    buffer = (buffer << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      bits -= 5;
      out.push_back(alphabet.chars[(buffer >> bits) & 31]);
    }
  }
  if (bits > 0) out.push_back(alphabet.chars[(buffer << (5 - bits)) & 31]);
  return out;
}

std::optional<std::vector<std::uint8_t>> Base32Decode(std::string_view text, const Alphabet& alphabet) {
  std::vector<std::uint8_t> out;
  out.reserve(text.size() * 5 / 8);
  std::uint32_t buffer = 0;
  int bits = 0;
  for (const char c : text) {
    const int digit = alphabet.digit[static_cast<unsigned char>(c)];
    if (digit < 0) return std::nullopt;
    buffer = (buffer << 5) | static_cast<std::uint32_t>(digit);
    bits += 5;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<std::uint8_t>(buffer >> bits));
      buffer &= (1u << bits) - 1;
    }
  }
  // Leftover bits must be padding of a partial character (<5) and zero, else not canonical.
  if (bits >= 5 || buffer != 0) return std::nullopt;
  return out;
}

/// Big-number base conversion for base58/base36; each leading zero byte becomes alphabet.chars[0].
std::string BaseNEncode(std::span<const std::uint8_t> bytes, const Alphabet& alphabet) {
  const std::uint32_t radix = static_cast<std::uint32_t>(alphabet.chars.size());
  std::size_t zeros = 0;
  while (zeros < bytes.size() && bytes[zeros] == 0) ++zeros;
  std::vector<std::uint8_t> digits;  // little-endian digits in `radix`
  digits.reserve(bytes.size() * 2);
  for (std::size_t i = zeros; i < bytes.size(); ++i) {
    std::uint32_t carry = bytes[i];
    for (auto& digit : digits) {
      carry += static_cast<std::uint32_t>(digit) << 8;
      digit = static_cast<std::uint8_t>(carry % radix);
      carry /= radix;
    }
    while (carry > 0) {
      digits.push_back(static_cast<std::uint8_t>(carry % radix));
      carry /= radix;
    }
  }
  std::string out(zeros, alphabet.chars[0]);
  for (auto it = digits.rbegin(); it != digits.rend(); ++it) out.push_back(alphabet.chars[*it]);
  return out;
}

std::optional<std::vector<std::uint8_t>> BaseNDecode(std::string_view text, const Alphabet& alphabet) {
  const std::uint32_t radix = static_cast<std::uint32_t>(alphabet.chars.size());
  std::size_t zeros = 0;
  while (zeros < text.size() && text[zeros] == alphabet.chars[0]) ++zeros;
  std::vector<std::uint8_t> bytes;  // little-endian base-256
  bytes.reserve(text.size());
  for (std::size_t i = zeros; i < text.size(); ++i) {
    const int digit = alphabet.digit[static_cast<unsigned char>(text[i])];
    if (digit < 0) return std::nullopt;
    std::uint32_t carry = static_cast<std::uint32_t>(digit);
    for (auto& byte : bytes) {
      carry += static_cast<std::uint32_t>(byte) * radix;
      byte = static_cast<std::uint8_t>(carry & 0xff);
      carry >>= 8;
    }
    while (carry > 0) {
      bytes.push_back(static_cast<std::uint8_t>(carry & 0xff));
      carry >>= 8;
    }
  }
  std::vector<std::uint8_t> out(zeros, 0);
  out.insert(out.end(), bytes.rbegin(), bytes.rend());
  return out;
}

std::string Base16Encode(std::span<const std::uint8_t> bytes, const Alphabet& alphabet) {
  std::string out;
  out.reserve(bytes.size() * 2);
  for (const std::uint8_t byte : bytes) {
    out.push_back(alphabet.chars[byte >> 4]);
    out.push_back(alphabet.chars[byte & 15]);
  }
  return out;
}

std::optional<std::vector<std::uint8_t>> Base16Decode(std::string_view text, const Alphabet& alphabet) {
  if (text.size() % 2 != 0) return std::nullopt;
  std::vector<std::uint8_t> out;
  out.reserve(text.size() / 2);
  for (std::size_t i = 0; i < text.size(); i += 2) {
    const int hi = alphabet.digit[static_cast<unsigned char>(text[i])];
    const int lo = alphabet.digit[static_cast<unsigned char>(text[i + 1])];
    if (hi < 0 || lo < 0) return std::nullopt;
    out.push_back(static_cast<std::uint8_t>((hi << 4) | lo));
  }
  return out;
}

char Prefix(Multibase base) {
  switch (base) {
    case Multibase::kBase32: return 'b';
    case Multibase::kBase32Upper: return 'B';
    case Multibase::kBase58Btc: return 'z';
    case Multibase::kBase36: return 'k';
    case Multibase::kBase36Upper: return 'K';
    case Multibase::kBase16: return 'f';
    case Multibase::kBase16Upper: return 'F';
  }
  return 'b';
}

}  // namespace

std::string MultibaseEncode(Multibase base, std::span<const std::uint8_t> bytes) {
  std::string body;
  switch (base) {
    case Multibase::kBase32: body = Base32Encode(bytes, kBase32Lower); break;
    case Multibase::kBase32Upper: body = Base32Encode(bytes, kBase32Upper); break;
    case Multibase::kBase58Btc: body = BaseNEncode(bytes, kBase58); break;
    case Multibase::kBase36: body = BaseNEncode(bytes, kBase36Lower); break;
    case Multibase::kBase36Upper: body = BaseNEncode(bytes, kBase36Upper); break;
    case Multibase::kBase16: body = Base16Encode(bytes, kBase16Lower); break;
    case Multibase::kBase16Upper: body = Base16Encode(bytes, kBase16Upper); break;
  }
  return Prefix(base) + body;
}

std::optional<Multibase> MultibaseFromPrefix(char prefix) {
  switch (prefix) {
    case 'b': return Multibase::kBase32;
    case 'B': return Multibase::kBase32Upper;
    case 'z': return Multibase::kBase58Btc;
    case 'k': return Multibase::kBase36;
    case 'K': return Multibase::kBase36Upper;
    case 'f': return Multibase::kBase16;
    case 'F': return Multibase::kBase16Upper;
    default: return std::nullopt;
  }
}

std::optional<std::vector<std::uint8_t>> MultibaseDecode(std::string_view text) {
  if (text.empty()) return std::nullopt;
  const auto base = MultibaseFromPrefix(text.front());
  if (!base) return std::nullopt;
  const std::string_view body = text.substr(1);
  switch (*base) {
    case Multibase::kBase32: return Base32Decode(body, kBase32Lower);
    case Multibase::kBase32Upper: return Base32Decode(body, kBase32Upper);
    case Multibase::kBase58Btc: return BaseNDecode(body, kBase58);
    case Multibase::kBase36: return BaseNDecode(body, kBase36Lower);
    case Multibase::kBase36Upper: return BaseNDecode(body, kBase36Upper);
    case Multibase::kBase16: return Base16Decode(body, kBase16Lower);
    case Multibase::kBase16Upper: return Base16Decode(body, kBase16Upper);
  }
  return std::nullopt;
}

std::string LowerHex(std::span<const std::uint8_t> bytes) { return Base16Encode(bytes, kBase16Lower); }

std::string Base58BtcEncode(std::span<const std::uint8_t> bytes) { return BaseNEncode(bytes, kBase58); }

std::optional<std::vector<std::uint8_t>> Base58BtcDecode(std::string_view text) { return BaseNDecode(text, kBase58); }

}  // namespace gw::domain
