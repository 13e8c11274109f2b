// Fuzz target: the file-name sanitiser (domain/filename.*) and the Content-Disposition header
// built from a name (fcgi/http/content_headers.*). Checks what SafeFilename promises (no path,
// no control or bidi characters, no leading dot, valid UTF-8, at most kMaxFilenameBytes, never
// empty), that it is idempotent, what StorableText promises, and that Content-Disposition
// never carries a control character (no header injection) and its filename* decodes to the name.
#include <cctype>
#include <string>

#include "domain/filename.hpp"
#include "fcgi/http/content_headers.hpp"
#include "tests/fuzz/fuzz_check.hpp"

namespace {

/// Code points of valid UTF-8 `s`, one at a time.
template <typename Visit>
void ForEachCodePoint(std::string_view s, Visit&& visit) {
  for (std::size_t i = 0; i < s.size();) {
    const auto c = static_cast<unsigned char>(s[i]);
    const std::size_t n = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xE ? 3 : 4;
    char32_t cp = n == 1 ? c : n == 2 ? (c & 0x1F) : n == 3 ? (c & 0x0F) : (c & 0x07);
    for (std::size_t k = 1; k < n; ++k) cp = (cp << 6) | (static_cast<unsigned char>(s[i + k]) & 0x3F);
    visit(cp);
    i += n;
  }
}

void CheckSafe(const std::string& name) {
  GW_FUZZ_CHECK(!name.empty() && name.size() <= gw::domain::kMaxFilenameBytes);
  GW_FUZZ_CHECK(gw::fuzz::ValidUtf8(name));
  GW_FUZZ_CHECK(name.find_first_of("/\\") == std::string::npos);
  GW_FUZZ_CHECK(name.front() != '.' && name != "." && name != "..");
  ForEachCodePoint(name, [](char32_t cp) {
    GW_FUZZ_CHECK(cp >= 0x20 && !(cp >= 0x7F && cp <= 0x9F));                           // no control characters
    GW_FUZZ_CHECK(!(cp >= 0x202A && cp <= 0x202E) && !(cp >= 0x2066 && cp <= 0x2069));  // no bidi overrides
    GW_FUZZ_CHECK(cp != 0x200E && cp != 0x200F && cp != 0x061C && cp != 0xFEFF);
  });
}

int HexValue(char c) { return c <= '9' ? c - '0' : c - 'A' + 10; }

void CheckContentDisposition(std::string_view name) {
  const std::string header = gw::web::ContentDisposition("attachment", name);
  for (const char c : header) {
    const auto byte = static_cast<unsigned char>(c);
    GW_FUZZ_CHECK(byte >= 0x20 && byte < 0x7f);  // ASCII only: nothing to split or confuse a header
  }
  // filename="...": no quote or backslash inside, so the quoted string ends where it should
  const std::string open = "attachment; filename=\"";
  GW_FUZZ_CHECK(header.starts_with(open));
  const std::size_t close = header.find('"', open.size());
  GW_FUZZ_CHECK(close != std::string::npos);
  const std::string ext = "\"; filename*=UTF-8''";
  GW_FUZZ_CHECK(header.compare(close, ext.size(), ext) == 0);
  // filename*: percent-decoding gives back the exact name
  std::string decoded;
  const std::string_view encoded = std::string_view(header).substr(close + ext.size());
  for (std::size_t i = 0; i < encoded.size(); ++i) {
    if (encoded[i] == '%') {
      GW_FUZZ_CHECK(i + 2 < encoded.size());
      GW_FUZZ_CHECK(std::isxdigit(static_cast<unsigned char>(encoded[i + 1])) &&
                    std::isxdigit(static_cast<unsigned char>(encoded[i + 2])));
      decoded += static_cast<char>(HexValue(encoded[i + 1]) * 16 + HexValue(encoded[i + 2]));
      i += 2;
    } else {
      decoded += encoded[i];
    }
  }
  GW_FUZZ_CHECK(decoded == name);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view raw = gw::fuzz::AsText(data, size);
  const std::string safe = gw::domain::SafeFilename(raw);
  CheckSafe(safe);
  GW_FUZZ_CHECK(gw::domain::SafeFilename(safe) == safe);  // already safe: left alone

  for (const std::size_t max : {std::size_t{0}, std::size_t{1}, std::size_t{7}, std::size_t{255}, size}) {
    const std::string text = gw::domain::StorableText(raw, max);
    GW_FUZZ_CHECK(text.size() <= max && gw::fuzz::ValidUtf8(text));
    GW_FUZZ_CHECK(text.find('\0') == std::string::npos);
    if (gw::fuzz::ValidUtf8(raw) && raw.find('\0') == std::string_view::npos && raw.size() <= max) {
      GW_FUZZ_CHECK(text == raw);  // nothing else changed
    }
  }

  CheckContentDisposition(safe);
  CheckContentDisposition(raw);
  return 0;
}
