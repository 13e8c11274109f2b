#include "fcgi/http/content_headers.hpp"

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

}  // namespace gw::web
