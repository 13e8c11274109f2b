// GET /files?page=&limit=&pinned=&name=&cid=: the caller's files, newest first.
#include <nlohmann/json.hpp>

#include "domain/error.hpp"
#include "domain/filename.hpp"
#include "fcgi/http/context.hpp"
#include "fcgi/http/file_json.hpp"
#include "fcgi/http/handlers/handlers.hpp"
#include "fcgi/http/pagination.hpp"

namespace gw::web::handlers {
namespace {

domain::FileQuery ParseQuery(const Request& request) {
  domain::FileQuery query;
  const Paging paging = ParsePaging(request);
  query.page = paging.page;
  query.limit = paging.limit;
  if (const auto pinned = request.QueryParam("pinned")) {
    if (*pinned != "true" && *pinned != "false") {
      throw domain::Error(domain::ErrorCode::kInvalidQuery, "'pinned' must be true or false",
                          {{"parameter", "pinned"}});
    }
    query.pinned = *pinned == "true";
  }
  if (auto name = request.QueryParam("name"); name && !name->empty()) {
    if (name->size() > 255) {
      throw domain::Error(domain::ErrorCode::kInvalidQuery, "'name' must be at most 255 bytes",
                          {{"parameter", "name"}});
    }
    // The names it is compared with are UTF-8 text without NUL (domain::StorableText); PostgreSQL
    // refuses invalid UTF-8 in a parameter (a 500 before) and libpq would cut it at a NUL.
    if (domain::StorableText(*name, name->size()) != *name) {
      throw domain::Error(domain::ErrorCode::kInvalidQuery, "'name' must be UTF-8 text without NUL",
                          {{"parameter", "name"}});
    }
    query.name = std::move(name);
  }
  if (auto cid = request.QueryParam("cid"); cid && !cid->empty()) query.cid = std::move(cid);
  return query;
}

}  // namespace

Handler GetFiles(domain::ContentService& content) {
  return [&content](Request& request, Context& context) {
    const auto query = ParseQuery(request);
    const auto page = content.List(context.files, *request.principal, query, AuditContextOf(request));
    nlohmann::json items = nlohmann::json::array();
    for (const auto& file : page.items) items.push_back(FileToJson(file));
    return PagedJsonResponse("Files", items, request, page.total, {query.page, query.limit}, page.total_exact);
  };
}

}  // namespace gw::web::handlers
