#include "persistence/pg_paged_list.hpp"

#include "domain/error.hpp"

namespace gw::persistence {

PageWindow MakePageWindow(int page, int limit) {
  if (page < 1 || limit < 1) throw domain::Error(domain::ErrorCode::kInvalidQuery, "page and limit must be positive");
  return {page, limit, static_cast<std::int64_t>(page - 1) * limit};
}

std::string BoundedCountStatement(std::string_view filter, int limit_param) {
  return "SELECT count(*) FROM (SELECT 1" + std::string(filter) + " LIMIT $" + std::to_string(limit_param) +
         ") bounded";
}

std::string CounterSql() {
  return "SELECT COALESCE(sum(n), 0)::bigint FROM list_counts WHERE list = $1 AND owner = $2";
}

}  // namespace gw::persistence
