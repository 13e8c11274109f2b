#pragma once
/// @file Turning an upload request into the byte range of nginx's spooled body to import.

#include "domain/content_service.hpp"
#include "fcgi/http/http_request.hpp"

namespace gw::web {

/// multipart/form-data: the `file` part of the body file (its filename from the part headers).
/// Any other Content-Type: the whole body is the file, named by `?filename=`.
/// Throws kPayloadTooLarge when Content-Length is over `max_file_bytes` (plus the multipart
/// framing allowance for a multipart body), kBadRequest for a malformed multipart body,
/// kValidationFailed without a `file` part, kBadRequest for a multipart Content-Type without a
/// form-data boundary and for an empty raw body without ?filename= (docs/api.md, "Uploads"). The file's own size is
/// checked by the use case.
domain::UploadSource UploadSourceOf(const Request& request, std::uint64_t max_file_bytes);

}  // namespace gw::web
