#pragma once
/// @file The one table that maps domain error codes to HTTP.

#include <string_view>

#include "domain/error.hpp"
#include "fcgi/http/http_response.hpp"

namespace gw::web {

struct HttpError {
  int status;
  std::string_view code;     //!< stable snake_case, part of the API contract
  std::string_view message;  //!< default human-readable text
};

/// Never fails: a code missing from the table falls back to 400 or 500 by its position relative
/// to ErrorCode::kServerSideError.
HttpError ToHttpError(domain::ErrorCode code);

/// The error envelope:
/// {"status", "message", "error": {"code", "details": {...}, "request_id"}}
Response ErrorResponse(const domain::Error& error, std::string_view request_id);

}  // namespace gw::web
