#pragma once
/// @file Making a client-supplied file name safe to store, list and send back.

#include <string>
#include <string_view>

namespace gw::domain {

/// Longest stored name, in bytes; longer names are cut at a UTF-8 character boundary, keeping
/// the extension when it is short.
inline constexpr std::size_t kMaxFilenameBytes = 255;

/// Returns a name with no path (only the part after the last '/' or '\\'), no NUL or other
/// control characters, no bidirectional overrides (U+202A-U+202E, U+2066-U+2069) that make
/// "txt.exe" read as "exe.txt", no leading dots, no trailing dots or spaces, no "." or "..", valid UTF-8 (invalid
/// sequences become U+FFFD), at most kMaxFilenameBytes bytes. Other Unicode is kept.
/// Never returns an empty string: falls back to `fallback`.
std::string SafeFilename(std::string_view raw, std::string_view fallback = "file");

/// Returns `raw` as valid UTF-8 text without NUL bytes (invalid sequences become U+FFFD), cut to
/// at most `max_bytes` at a character boundary: storable as PostgreSQL text, nothing else
/// changed. For showing a client's original name back, never for building paths.
std::string StorableText(std::string_view raw, std::size_t max_bytes);

}  // namespace gw::domain
