#pragma once
/// @file The MIME type of uploaded content, sniffed from its first bytes with libmagic: never
/// taken from the client.

#include <cstdint>
#include <span>
#include <string>

namespace gw::persistence {

/// MIME type recorded for an empty upload: the generic type for bytes (RFC 9110 §8.3), which is
/// what a client gets for any content libmagic cannot name either (libmagic itself would say
/// "application/x-empty", which no client knows).
inline constexpr const char* kEmptyContentMimeType = "application/octet-stream";

/// The type libmagic names for content starting with `head` (the first 64 KiB are plenty);
/// kEmptyContentMimeType for no bytes. Thread-safe. Throws Error(kInternal) when libmagic fails.
std::string DetectMimeType(std::span<const std::uint8_t> head);

}  // namespace gw::persistence
