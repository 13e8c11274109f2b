#pragma once
/// @file The libfcgi adapter: FastCGI request -> web::Request, web::Response -> FastCGI output.

#include <fcgiapp.h>

#include <cstddef>

#include "fcgi/http/http_request.hpp"
#include "fcgi/http/http_response.hpp"

namespace gw::fcgi {

/// Reads parameters, then the body, into `request` (so that the parameters, including the
/// request id, are there even when the body is refused). Throws domain::Error(kPayloadTooLarge)
/// when CONTENT_LENGTH exceeds `max_body`: nginx enforces the limits first, this is the
/// application's own check.
void ReadRequest(FCGX_Request& raw, std::size_t max_body, web::Request& request);

/// Writes status line, headers (Content-Type, Content-Length, X-Request-Id, Cache-Control
/// unless the handler set one) and body (omitted for HEAD).
void WriteResponse(FCGX_Request& raw, const web::Request& request, const web::Response& response);

}  // namespace gw::fcgi
