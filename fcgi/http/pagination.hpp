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
/// `total_exact` false: `total` is only a lower bound (see SetPaginationHeaders).
Response PagedJsonResponse(std::string_view message, const nlohmann::json& items, const Request& request,
                           std::int64_t total, const Paging& paging, bool total_exact = true);

/// Adds X-Total-Count and Link (first, prev, next, last) built from the request's own path and
/// query, with only `page` replaced, so filters carry over to every link. When the total is
/// only a lower bound (`total_exact` false), X-Total-Count-Exact: false says so and the Link
/// header has no "last" (nobody knows where it is; "next" is there while the bound says more).
void SetPaginationHeaders(Response& response, const Request& request, std::int64_t total, int page, int limit,
                          bool total_exact = true);

}  // namespace gw::web
