#include "fcgi/http/pagination.hpp"

#include <nlohmann/json.hpp>

#include <string>

#include "domain/audit_query.hpp"

namespace gw::web {
namespace {

std::string QueryWithoutPage(std::string_view query) {
  std::string kept;
  while (!query.empty()) {
    const std::size_t amp = query.find('&');
    const std::string_view pair = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view{} : query.substr(amp + 1);
    if (pair.empty() || pair.starts_with("page=") || pair == "page") continue;
    if (!kept.empty()) kept += '&';
    kept += pair;
  }
  return kept;
}

}  // namespace

Paging ParsePaging(const Request& request) {
  const auto page = request.QueryParam("page");
  const auto limit = request.QueryParam("limit");
  return {domain::ParsePageNumber(page ? std::optional<std::string_view>(*page) : std::nullopt),
          domain::ParsePageLimit(limit ? std::optional<std::string_view>(*limit) : std::nullopt)};
}

Response PagedJsonResponse(std::string_view message, const nlohmann::json& items, const Request& request,
                           std::int64_t total, const Paging& paging, bool total_exact) {
  Response response = JsonSuccess(200, message, items);
  SetPaginationHeaders(response, request, total, paging.page, paging.limit, total_exact);
  return response;
}

void SetPaginationHeaders(Response& response, const Request& request, std::int64_t total, int page, int limit,
                          bool total_exact) {
  response.SetHeader("X-Total-Count", std::to_string(total));
  if (!total_exact) response.SetHeader("X-Total-Count-Exact", "false");
  const std::int64_t last = total == 0 ? 1 : (total + limit - 1) / limit;
  const std::string base = request.path + "?" + [&] {
    std::string rest = QueryWithoutPage(request.query);
    return rest.empty() ? rest : rest + "&";
  }();
  const auto link = [&](std::int64_t target, std::string_view rel) {
    return "<" + base + "page=" + std::to_string(target) + ">; rel=\"" + std::string(rel) + "\"";
  };
  std::string header = link(1, "first");
  if (page > 1) header += ", " + link(std::min<std::int64_t>(page - 1, last), "prev");
  if (page < last) header += ", " + link(page + 1, "next");
  if (total_exact) header += ", " + link(last, "last");
  response.SetHeader("Link", header);
}

}  // namespace gw::web
