#pragma once
/// @file Reading one page of a filtered list, shared by every paged list (files, tasks, audit, users).
///
/// A page costs about the same at either end of a long list, and its total never counts the
/// whole list:
/// - The total comes first. An unfiltered list (and a few common filters) reads it from the
///   exact counters migrations/V007__list_counts.sql keeps (`ReadCounter`: a handful of rows by
///   primary key). Any other filter counts its matches, but only up to a bound (`CountAtMost`):
///   past it the total is a lower bound and the page says so (Page::total_exact).
/// - With an exact total, a page in the second half of the list is read from the other end:
///   the list's reversed statement (the same ORDER BY, every key reversed) with the smaller
///   offset, and its rows turned back. The last page then costs what the first does.
/// A list statement takes its filter parameters first and `LIMIT` / `OFFSET` as its last two.
/// Included by persistence/*.cpp only: it brings in libpqxx.

#include <pqxx/pqxx>

#include <algorithm>
#include <cstdint>
#include <string>
#include <string_view>

#include "domain/account.hpp"
#include "persistence/pg_connection.hpp"

namespace gw::persistence {

/// A read-only list's transaction: the total and the page from one snapshot (read-only and
/// repeatable read: it neither waits for nor fails on a writer).
using SnapshotRead = pqxx::transaction<pqxx::repeatable_read, pqxx::read_only>;

/// A filtered count stops after this many rows (or after the requested page, if that is further).
inline constexpr std::int64_t kCountBound = 10000;

/// The rows one page covers. Throws kInvalidQuery unless page and limit are positive.
struct PageWindow {
  int page;
  int limit;
  std::int64_t offset;
};
PageWindow MakePageWindow(int page, int limit);

struct PageTotal {
  std::int64_t count = 0;
  bool exact = true;
};

/// "SELECT count(*) FROM (SELECT 1 <filter> LIMIT $<limit_param>) bounded": the count statement
/// for CountAtMost, from a list's "FROM ... WHERE ..." text.
std::string BoundedCountStatement(std::string_view filter, int limit_param);

/// "SELECT COALESCE(sum(n), 0)::bigint FROM list_counts WHERE list = $1 AND owner = $2": the
/// exact count of a list ('files', 'pinned_files', 'jobs', 'audit') for one owner (a user id;
/// 0: every user), see V007. Each repository prepares it under its own name.
std::string CounterSql();

/// Runs a statement whose one row and column is an exact count (CounterSql, or another that
/// sums list_counts) with `params`.
template <typename... Params>
PageTotal ReadCounter(pqxx::transaction_base& txn, const char* statement, const Params&... params) {
  const auto result = txn.exec_prepared(statement, params...);
  ExpectRows(result.size(), 1, 1, statement);
  return {result[0][0].template as<std::int64_t>(), true};
}

/// Runs `statement` (filters..., row bound): the matches, counted up to
/// max(kCountBound, the window's end) + 1 rows. More than the bound: a lower bound, not exact.
template <typename... Filters>
PageTotal CountAtMost(pqxx::transaction_base& txn, const PageWindow& window, const char* statement,
                      const Filters&... filters) {
  const std::int64_t bound = std::max(kCountBound, window.offset + window.limit);
  const auto result = txn.exec_prepared(statement, filters..., bound + 1);
  ExpectRows(result.size(), 1, 1, statement);
  const auto counted = result[0][0].template as<std::int64_t>();
  return {counted, counted <= bound};
}

/// Runs `forward` or `reversed` (filters..., limit, offset) for `window` and turns each row into
/// an item with `read_row`, in the list's order. `total` comes from ReadCounter or CountAtMost.
template <typename Item, typename ReadRow, typename... Filters>
domain::Page<Item> ReadPage(pqxx::transaction_base& txn, const PageWindow& window, const PageTotal& total,
                            const char* forward, const char* reversed, ReadRow read_row, const Filters&... filters) {
  domain::Page<Item> page;
  page.page = window.page;
  page.limit = window.limit;
  page.total = total.count;
  page.total_exact = total.exact;
  const std::int64_t remaining = total.count - window.offset;
  if (total.exact && remaining <= 0) return page;  // past the end: nothing to read
  // From the nearer end: the reversed offset is what lies after the page.
  const bool from_end = total.exact && window.offset > remaining - window.limit;
  const std::int64_t rows = from_end ? std::min<std::int64_t>(window.limit, remaining) : window.limit;
  const std::int64_t offset = from_end ? remaining - rows : window.offset;
  const char* statement = from_end ? reversed : forward;
  const auto result = txn.exec_prepared(statement, filters..., rows, offset);
  ExpectRows(result.size(), 0, static_cast<std::size_t>(rows), statement);
  page.items.reserve(result.size());
  for (const auto& row : result) page.items.push_back(read_row(row));
  if (from_end) std::reverse(page.items.begin(), page.items.end());
  return page;
}

}  // namespace gw::persistence
