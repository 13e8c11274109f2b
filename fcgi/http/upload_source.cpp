#include "fcgi/http/upload_source.hpp"

#include "domain/error.hpp"
#include "domain/multipart.hpp"
#include "fcgi/http/file_byte_source.hpp"

namespace gw::web {
namespace {

using domain::Error;
using domain::ErrorCode;

}  // namespace

domain::UploadSource UploadSourceOf(const Request& request, std::uint64_t max_file_bytes) {
  // Fail fast on the declared length, before touching the body file. A multipart body may
  // exceed the file limit by its framing; its part is checked by ContentService::Upload.
  const auto boundary = domain::MultipartBoundary(request.content_type);
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
    source.filename = request.QueryParam("filename").value_or("");
  }
  return source;  // ContentService::Upload enforces the limit on the part itself
}

}  // namespace gw::web
