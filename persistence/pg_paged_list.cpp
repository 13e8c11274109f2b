#include "persistence/pg_paged_list.hpp"

#include "domain/error.hpp"

namespace gw::persistence {

std::string PageTotalColumn() { return ", count(*) OVER () AS page_total"; }

PageWindow MakePageWindow(int page, int limit) {
  if (page < 1 || limit < 1) throw domain::Error(domain::ErrorCode::kInvalidQuery, "page and limit must be positive");
  return {page, limit, static_cast<std::int64_t>(page - 1) * limit};
}

}  // namespace gw::persistence
