#pragma once
/// @file Paging headers shared by list endpoints: X-Total-Count and an RFC 8288 Link header.

#include <nlohmann/json_fwd.hpp>

#include <cstdint>
#include <string_view>

#include "fcgi/http/http_request.hpp"
#include "fcgi/http/http_response.hpp"

namespace gw::web {

struct Paging {
  int page = 1;
  int limit = 20;
};

/// `page` (from 1) and `limit` (1-100, default 20) from the query; kInvalidQuery when malformed.
Paging ParsePaging(const Request& request);

/// A list endpoint's answer: the success envelope with `items` (an array) as data, plus the
/// paging headers below.
Response PagedJsonResponse(std::string_view message, const nlohmann::json& items, const Request& request,
                           std::int64_t total, const Paging& paging);

/// Adds X-Total-Count and Link (first, prev, next, last) built from the request's own path and
/// query, with only `page` replaced, so filters carry over to every link.
void SetPaginationHeaders(Response& response, const Request& request, std::int64_t total, int page, int limit);

}  // namespace gw::web
