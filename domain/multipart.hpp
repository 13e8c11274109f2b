#pragma once
/// @file Locating the file part of a multipart/form-data body that sits in a file.
///
/// nginx spools an upload's body to a temporary file and hands the worker its path. The worker
/// never loads that body: this scanner reads it through a small window, finds the part whose
/// form name is wanted, and reports where its bytes start and how long they are, so that the
/// caller can hash and move exactly that byte range.

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace gw::domain {

/// Random-access reads from the spooled body (a file in production, a string in tests).
class ByteSource {
 public:
  virtual ~ByteSource() = default;
  virtual std::uint64_t Size() const = 0;
  /// Reads up to out.size() bytes at `offset`; returns how many were read (0 at the end).
  virtual std::size_t ReadAt(std::uint64_t offset, std::span<char> out) const = 0;
};

struct MultipartFile {
  std::uint64_t offset = 0;  //!< first byte of the part's content
  std::uint64_t length = 0;  //!< content length in bytes (may be 0)
  std::string filename;      //!< as sent (unsanitised), UTF-8; empty when absent
  std::string content_type;  //!< as sent by the client (informational only)
};

/// The boundary parameter of a multipart/form-data Content-Type, or nullopt when the type is
/// not multipart/form-data or has no valid boundary (RFC 2046: 1-70 characters).
std::optional<std::string> MultipartBoundary(std::string_view content_type);

/// Finds the first part whose form field name is `field`. Throws Error(kBadRequest) with a
/// clear message when the body is not well-formed multipart or has no such part.
MultipartFile FindMultipartFile(const ByteSource& body, std::string_view boundary, std::string_view field);

}  // namespace gw::domain
