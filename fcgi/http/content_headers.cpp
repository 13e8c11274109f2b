#include "fcgi/http/content_headers.hpp"

#include <cstdint>

namespace gw::web {
namespace {

bool IsAttrChar(unsigned char c) {  // RFC 5987 attr-char
  if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) return true;
  return std::string_view("!#$&+-.^_`|~").find(static_cast<char>(c)) != std::string_view::npos;
}

}  // namespace

std::string ContentDisposition(std::string_view disposition, std::string_view filename) {
  std::string ascii;
  std::string encoded;
  static constexpr char kHex[] = "0123456789ABCDEF";
  for (const char raw : filename) {
    const auto c = static_cast<unsigned char>(raw);
    const bool printable_ascii = c >= 0x20 && c < 0x7f && c != '"' && c != '\\';
    // A run of UTF-8 continuation bytes collapses into the '_' written for its lead byte.
    if (printable_ascii) {
      ascii += static_cast<char>(c);
    } else if ((c & 0xC0) != 0x80) {
      ascii += '_';
    }
    if (IsAttrChar(c)) {
      encoded += static_cast<char>(c);
    } else {
      encoded += '%';
      encoded += kHex[c >> 4];
      encoded += kHex[c & 15];
    }
  }
  return std::string(disposition) + "; filename=\"" + ascii + "\"; filename*=UTF-8''" + encoded;
}

bool IfNoneMatchMatches(std::string_view header, std::string_view cid) {
  std::size_t pos = 0;
  while (pos < header.size()) {
    while (pos < header.size() && (header[pos] == ' ' || header[pos] == ',' || header[pos] == '\t')) ++pos;
    if (pos >= header.size()) break;
    if (header[pos] == '*') return true;
    if (header.substr(pos, 2) == "W/") pos += 2;
    if (pos >= header.size() || header[pos] != '"') return false;  // malformed: never a match
    const std::size_t close = header.find('"', pos + 1);
    if (close == std::string_view::npos) return false;
    if (header.substr(pos + 1, close - pos - 1) == cid) return true;
    pos = close + 1;
  }
  return false;
}

RangeVerdict CheckRange(std::string_view header, std::uint64_t size) {
  // nginx: a value shorter than 7 bytes or not starting with "bytes=" (any case) is no range.
  if (header.size() < 7) return RangeVerdict::kIgnored;
  for (std::size_t i = 0; i < 6; ++i) {
    const char c = header[i] >= 'A' && header[i] <= 'Z' ? static_cast<char>(header[i] - 'A' + 'a') : header[i];
    if (c != "bytes="[i]) return RangeVerdict::kIgnored;
  }
  // off_t arithmetic as in ngx_http_range_parse, cut at the first NUL as nginx's C string is
  constexpr std::uint64_t kMax = static_cast<std::uint64_t>(INT64_MAX);
  constexpr std::uint64_t kCutoff = kMax / 10;
  constexpr std::uint64_t kCutlim = kMax % 10;
  const std::string_view text = header.substr(0, header.find('\0'));
  std::size_t p = 6;
  const auto at = [&text](std::size_t i) { return i < text.size() ? text[i] : '\0'; };
  const auto digit = [&at](std::size_t i) { return at(i) >= '0' && at(i) <= '9'; };
  const auto skip_spaces = [&at, &p] {
    while (at(p) == ' ') ++p;
  };
  const auto number = [&](std::uint64_t& value) {
    while (digit(p)) {
      const auto d = static_cast<std::uint64_t>(at(p) - '0');
      if (value >= kCutoff && (value > kCutoff || d > kCutlim)) return false;
      value = value * 10 + d;
      ++p;
    }
    return true;
  };
  std::uint64_t total = 0;
  std::size_t ranges = 0;
  for (;;) {
    std::uint64_t start = 0;
    std::uint64_t end = 0;
    bool suffix = false;
    bool open_end = false;
    skip_spaces();
    if (at(p) != '-') {
      if (!digit(p) || !number(start)) return RangeVerdict::kUnsatisfiable;
      skip_spaces();
      if (at(p++) != '-') return RangeVerdict::kUnsatisfiable;
      skip_spaces();
      if (at(p) == ',' || at(p) == '\0') {
        end = size;
        open_end = true;
      }
    } else {
      suffix = true;
      ++p;
    }
    if (!open_end) {
      if (!digit(p) || !number(end)) return RangeVerdict::kUnsatisfiable;
      skip_spaces();
      if (at(p) != ',' && at(p) != '\0') return RangeVerdict::kUnsatisfiable;
      if (suffix) {  // the last `end` bytes
        start = end < size ? size - end : 0;
        end = size;
      } else {
        end = end >= size ? size : end + 1;
      }
    }
    if (start < end) {
      if (total > kMax - (end - start)) return RangeVerdict::kUnsatisfiable;
      total += end - start;
      ++ranges;
    } else if (start == 0) {
      return RangeVerdict::kIgnored;
    }
    if (at(p++) != ',') break;
  }
  if (ranges == 0) return RangeVerdict::kUnsatisfiable;
  if (total > size) return RangeVerdict::kIgnored;
  return RangeVerdict::kSatisfiable;
}

}  // namespace gw::web
