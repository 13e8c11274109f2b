#include "fcgi/http/upload_source.hpp"

#include <optional>
#include <string>
#include <string_view>

#include "domain/error.hpp"
#include "domain/multipart.hpp"
#include "fcgi/http/file_byte_source.hpp"

namespace gw::web {
namespace {

using domain::Error;
using domain::ErrorCode;

/// A multipart Content-Type without a usable form-data boundary: its body cannot be split into
/// parts, and storing it whole would give the caller a file of framing they never meant to send.
bool IsMultipartWithoutBoundary(std::string_view content_type, const std::optional<std::string>& boundary) {
  if (boundary) return false;
  std::string lowered(content_type.substr(0, 10));
  for (char& c : lowered) c = static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
  return lowered == "multipart/";
}

/// A raw (not multipart) upload of zero bytes is a file only when the caller named it: a POST
/// without a body and without ?filename= is a mistake (a forgotten -d/--data-binary), not the
/// empty file. The empty file itself (IPFS has a CID for it) is uploaded with ?filename= or as
/// an explicitly empty multipart part.
void RefuseUnnamedEmptyBody(const Request& request) {
  if (request.QueryParam("filename").value_or("").empty()) {
    throw Error(ErrorCode::kBadRequest,
                "The upload has no body: send the file as the multipart/form-data field 'file', or as the body "
                "with ?filename=<name> (an empty file needs ?filename=)",
                {{"reason", "empty_body"}});
  }
}

}  // namespace

domain::UploadSource UploadSourceOf(const Request& request, std::uint64_t max_file_bytes) {
  // Fail fast on the declared length, before touching the body file. A multipart body may
  // exceed the file limit by its framing; its part is checked by ContentService::Upload.
  const auto boundary = domain::MultipartBoundary(request.content_type);
  if (IsMultipartWithoutBoundary(request.content_type, boundary)) {
    throw Error(ErrorCode::kBadRequest,
                "A multipart upload must be multipart/form-data with a boundary parameter (1 to 70 characters)",
                {{"reason", "missing_boundary"}});
  }
  const std::uint64_t max_body = max_file_bytes + (boundary ? domain::kMultipartFramingAllowance : 0);
  if (request.ContentLength() > max_body) {
    throw Error(ErrorCode::kPayloadTooLarge, {}, {{"limit_bytes", std::to_string(max_file_bytes)}});
  }
  domain::UploadSource source;
  source.path = std::string(request.Param("REQUEST_BODY_FILE"));
  if (source.path.empty()) {
    // nginx spools every /upload body to a file; no file means an empty body.
    if (request.ContentLength() != 0 || request.Param("HTTP_TRANSFER_ENCODING") == "chunked") {
      throw Error(ErrorCode::kInternal, {}, {},
                  "upload body was not spooled to a file: check the nginx /upload location");
    }
    RefuseUnnamedEmptyBody(request);
    source.path = "/dev/null";
    source.filename = request.QueryParam("filename").value_or("");
    return source;
  }
  const FileByteSource body(source.path);
  if (boundary) {
    const domain::MultipartFile part = domain::FindMultipartFile(body, *boundary, "file");
    source.offset = part.offset;
    source.length = part.length;
    source.filename = part.filename;
  } else {
    source.length = body.Size();
    if (source.length == 0) RefuseUnnamedEmptyBody(request);
    source.filename = request.QueryParam("filename").value_or("");
  }
  return source;  // ContentService::Upload enforces the limit on the part itself
}

}  // namespace gw::web
