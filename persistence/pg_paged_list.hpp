#pragma once
/// @file Reading one page of a filtered list, shared by every paged list (files, tasks, audit).
///
/// A list statement selects its columns, then `PageTotalColumn()` (the count of every matching
/// row, computed with the page in one round trip), with its filter parameters first and
/// `LIMIT` / `OFFSET` as its last two. Its count statement has the same filter and parameters
/// without the window; it only runs for a page past the end, which has no row to carry the total.
/// Included by persistence/*.cpp only: it brings in libpqxx.

#include <pqxx/pqxx>

#include <cstdint>
#include <string>

#include "domain/account.hpp"
#include "persistence/pg_connection.hpp"

namespace gw::persistence {

/// ", count(*) OVER () AS page_total": appended to a list statement's columns.
std::string PageTotalColumn();

/// The rows one page covers. Throws kInvalidQuery unless page and limit are positive.
struct PageWindow {
  int page;
  int limit;
  std::int64_t offset;
};
PageWindow MakePageWindow(int page, int limit);

/// Runs `list_statement` (filters..., limit, offset), turns each row into an item with
/// `read_row`, and takes the total from the page (or from `count_statement` past the end).
template <typename Item, typename ReadRow, typename... Filters>
domain::Page<Item> ReadPage(pqxx::transaction_base& txn, const PageWindow& window, const char* list_statement,
                            const char* count_statement, ReadRow read_row, const Filters&... filters) {
  const auto result = txn.exec_prepared(list_statement, filters..., window.limit, window.offset);
  ExpectRows(result.size(), 0, static_cast<std::size_t>(window.limit), list_statement);
  domain::Page<Item> page;
  page.page = window.page;
  page.limit = window.limit;
  page.items.reserve(result.size());
  for (const auto& row : result) page.items.push_back(read_row(row));
  if (!result.empty()) {
    page.total = result[0]["page_total"].template as<std::int64_t>();
  } else if (window.offset > 0) {
    const auto count = txn.exec_prepared(count_statement, filters...);
    ExpectRows(count.size(), 1, 1, count_statement);
    page.total = count[0][0].template as<std::int64_t>();
  }
  return page;
}

}  // namespace gw::persistence
