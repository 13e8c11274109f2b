#include "domain/filename.hpp"

#include <cstdint>

namespace gw::domain {
namespace {

/// Decodes one UTF-8 sequence at `i`; returns the code point and advances `i`, or returns
/// U+FFFD and advances by one byte on an invalid sequence.
char32_t NextCodePoint(std::string_view s, std::size_t& i) {
  const auto byte = [&](std::size_t k) { return static_cast<unsigned char>(s[k]); };
  const unsigned char c = byte(i);
  std::size_t length = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xE ? 3 : (c >> 3) == 0x1E ? 4 : 0;
  if (length == 0 || i + length > s.size()) {
    ++i;
    return 0xFFFD;
  }
  char32_t cp = length == 1 ? c : length == 2 ? (c & 0x1F) : length == 3 ? (c & 0x0F) : (c & 0x07);
  for (std::size_t k = 1; k < length; ++k) {
    if ((byte(i + k) & 0xC0) != 0x80) {
      ++i;
      return 0xFFFD;
    }
    cp = (cp << 6) | (byte(i + k) & 0x3F);
  }
  const bool overlong = (length == 2 && cp < 0x80) || (length == 3 && cp < 0x800) || (length == 4 && cp < 0x10000);
  if (overlong || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
    ++i;
    return 0xFFFD;
  }
  i += length;
  return cp;
}

void AppendUtf8(std::string& out, char32_t cp) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

bool IsDropped(char32_t cp) {
  const bool control = cp < 0x20 || (cp >= 0x7F && cp <= 0x9F);
  const bool bidi =
      (cp >= 0x202A && cp <= 0x202E) || (cp >= 0x2066 && cp <= 0x2069) || cp == 0x200E || cp == 0x200F || cp == 0x061C;
  return control || bidi || cp == 0xFEFF;
}

/// Cuts `name` to at most `limit` bytes without splitting a UTF-8 sequence.
std::string CutUtf8(const std::string& name, std::size_t limit) {
  if (name.size() <= limit) return name;
  std::size_t end = limit;
  while (end > 0 && (static_cast<unsigned char>(name[end]) & 0xC0) == 0x80) --end;
  return name.substr(0, end);
}

}  // namespace

std::string StorableText(std::string_view raw, std::size_t max_bytes) {
  std::string out;
  for (std::size_t i = 0; i < raw.size();) {
    const char32_t cp = NextCodePoint(raw, i);
    if (cp != 0) AppendUtf8(out, cp);
  }
  return CutUtf8(out, max_bytes);
}

std::string SafeFilename(std::string_view raw, std::string_view fallback) {
  const std::size_t slash = raw.find_last_of("/\\");
  if (slash != std::string_view::npos) raw = raw.substr(slash + 1);
  std::string cleaned;
  for (std::size_t i = 0; i < raw.size();) {
    const char32_t cp = NextCodePoint(raw, i);
    if (!IsDropped(cp)) AppendUtf8(cleaned, cp);
  }
  const std::size_t first = cleaned.find_first_not_of(". ");
  cleaned = first == std::string::npos ? std::string() : cleaned.substr(first);
  while (!cleaned.empty() && (cleaned.back() == ' ' || cleaned.back() == '.')) cleaned.pop_back();
  if (cleaned.size() > kMaxFilenameBytes) {
    const std::size_t dot = cleaned.rfind('.');
    const std::size_t extension = dot == std::string::npos ? 0 : cleaned.size() - dot;
    if (extension > 0 && extension <= 16) {
      cleaned = CutUtf8(cleaned.substr(0, dot), kMaxFilenameBytes - extension) + cleaned.substr(dot);
    } else {
      cleaned = CutUtf8(cleaned, kMaxFilenameBytes);
    }
  }
  // the cut may end on a space or dot again (never on all of them: the first character is neither)
  while (!cleaned.empty() && (cleaned.back() == ' ' || cleaned.back() == '.')) cleaned.pop_back();
  return cleaned.empty() ? std::string(fallback) : cleaned;
}

}  // namespace gw::domain
