#pragma once
/// @file Paging headers shared by list endpoints: X-Total-Count and an RFC 8288 Link header.

#include <cstdint>

#include "fcgi/http_request.hpp"
#include "fcgi/http_response.hpp"

namespace gw::web {

/// Adds X-Total-Count and Link (first, prev, next, last) built from the request's own path and
/// query, with only `page` replaced, so filters carry over to every link.
void SetPaginationHeaders(Response& response, const Request& request, std::int64_t total, int page, int limit);

}  // namespace gw::web
