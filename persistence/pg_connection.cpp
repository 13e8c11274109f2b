#include "persistence/pg_connection.hpp"

#include <pqxx/pqxx>

#include "domain/error.hpp"

namespace gw::persistence {

using domain::Error;
using domain::ErrorCode;

struct PgConnection::Impl {
  std::string dsn;
  std::vector<PreparedStatement> statements;
  std::unique_ptr<pqxx::connection> connection;
};

PgConnection::PgConnection(std::string dsn, std::vector<PreparedStatement> statements)
    : impl_(std::make_unique<Impl>(Impl{std::move(dsn), std::move(statements), nullptr})) {}

PgConnection::~PgConnection() = default;

void PgConnection::Drop() noexcept { impl_->connection.reset(); }

pqxx::connection_base& PgConnection::Get() {
  // A connection that broke is replaced here rather than left to libpqxx's silent
  // reactivation, so that statements are prepared again by us, exactly once per connection.
  if (impl_->connection && !impl_->connection->is_open()) Drop();
  // A connection the server closed while it sat idle (PostgreSQL restarted, or a proxy or
  // idle timeout cut it) would fail the first statement and the request with it. Reading
  // what the socket holds (non-blocking) finds such a connection before anything is sent, so
  // it is replaced here and no caller ever sees a restart the database has finished.
  // Twice: the first read takes the server's farewell message (FATAL "terminating connection",
  // which libpq files as a notice and still reports the connection as fine), the second meets
  // the end of the stream. On a healthy idle connection each is one recv() that finds nothing.
  if (impl_->connection) {
    try {
      impl_->connection->get_notifs();
      impl_->connection->get_notifs();
    } catch (const std::exception&) {
      Drop();
    }
    if (impl_->connection && !impl_->connection->is_open()) Drop();
  }
  if (!impl_->connection) {
    auto connection = std::make_unique<pqxx::connection>(impl_->dsn);
    for (const auto& statement : impl_->statements) connection->prepare(statement.name, statement.sql);
    impl_->connection = std::move(connection);
  }
  return *impl_->connection;
}

void PgConnection::TranslateCurrentException() {
  const bool lost = impl_->connection && !impl_->connection->is_open();
  try {
    throw;
  } catch (const Error&) {
    throw;
  } catch (const pqxx::broken_connection& e) {
    Drop();
    throw Error(ErrorCode::kDatabaseUnavailable, {}, {}, std::string("database connection lost: ") + e.what());
  } catch (const pqxx::in_doubt_error& e) {
    // The commit may or may not have happened; the connection is unusable either way.
    Drop();
    throw Error(ErrorCode::kDatabaseUnavailable, {}, {}, std::string("commit outcome unknown: ") + e.what());
  } catch (const pqxx::sql_error& e) {
    if (lost) Drop();
    throw Error(lost ? ErrorCode::kDatabaseUnavailable : ErrorCode::kInternal, {}, {},
                "sql error " + e.sqlstate() + ": " + e.what() + " in: " + e.query());
  } catch (const std::exception& e) {
    if (lost) Drop();
    throw Error(lost ? ErrorCode::kDatabaseUnavailable : ErrorCode::kInternal, {}, {},
                std::string("database failure: ") + e.what());
  }
}

void ExpectRows(std::size_t rows, std::size_t min_rows, std::size_t max_rows, const char* statement) {
  if (rows < min_rows || rows > max_rows) {
    throw Error(ErrorCode::kInternal, {}, {},
                std::string(statement) + " returned " + std::to_string(rows) + " rows, expected " +
                    std::to_string(min_rows) + ".." + std::to_string(max_rows));
  }
}

std::string IsoUtc(const std::string& column) {
  return "to_char(" + column + " AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"')";
}

}  // namespace gw::persistence
