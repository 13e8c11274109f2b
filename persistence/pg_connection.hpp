#pragma once
/// @file One lazily opened PostgreSQL connection with its prepared statements.
///
/// Not thread-safe: a connection and everything made from it belong to one thread. libpqxx stays
/// out of this header (it is heavy to compile); only its connection class is forward declared so
/// that repositories can run transactions on it from their .cpp files.

#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace pqxx {
class connection_base;
}  // namespace pqxx

namespace gw::persistence {

/// A statement prepared on every new connection.
struct PreparedStatement {
  std::string name;
  std::string sql;
};

class PgConnection {
 public:
  PgConnection(std::string dsn, std::vector<PreparedStatement> statements);
  ~PgConnection();
  PgConnection(const PgConnection&) = delete;
  PgConnection& operator=(const PgConnection&) = delete;

  /// Runs `work` on the (re)opened connection. Every libpqxx exception leaves as domain::Error:
  /// a lost connection is dropped (the next call reconnects) and reported as kDatabaseUnavailable,
  /// anything else as kInternal. Domain errors thrown by `work` pass through unchanged.
  template <typename Work>
  decltype(auto) Run(Work&& work) {
    try {
      return std::forward<Work>(work)(Get());
    } catch (...) {
      TranslateCurrentException();
    }
  }

  /// Closes the connection; the next Run opens a new one.
  void Drop() noexcept;

 private:
  pqxx::connection_base& Get();
  [[noreturn]] void TranslateCurrentException();

  struct Impl;
  std::unique_ptr<Impl> impl_;
};

/// Throws kInternal unless `rows` is within [min_rows, max_rows]: every query states how many
/// rows it may return instead of indexing blindly.
void ExpectRows(std::size_t rows, std::size_t min_rows, std::size_t max_rows, const char* statement);

/// libpqxx 6.4 cannot bind std::optional; it sends a null `const char*` as SQL NULL.
inline const char* NullableParam(const std::optional<std::string>& value) { return value ? value->c_str() : nullptr; }

/// SQL expression rendering a timestamptz `column` as ISO 8601 UTC with microseconds.
std::string IsoUtc(const std::string& column);

}  // namespace gw::persistence
