#include "pg_test_support.hpp"

#include <cstdlib>
#include <filesystem>
#include <pqxx/pqxx>
#include <random>
#include <stdexcept>

#include "persistence/migrator.hpp"

namespace gw::persistence::testing {

std::unique_ptr<ScratchDatabase> PgSuite::db_;
std::string PgSuite::setup_error_;

std::optional<std::string> AdminDsn() {
  const char* value = std::getenv("GW_TEST_DATABASE_URL");
  if (value == nullptr || *value == '\0') return std::nullopt;
  return std::string(value);
}

std::string MigrationsDir() {
  const char* value = std::getenv("GW_TEST_MIGRATIONS_DIR");
  return value != nullptr && *value != '\0' ? std::string(value) : std::string(GW_DEFAULT_MIGRATIONS_DIR);
}

std::string WithDatabase(const std::string& dsn, const std::string& database) {
  const auto scheme = dsn.find("://");
  if (scheme == std::string::npos) return dsn + " dbname=" + database;  // later keywords win
  const auto query = dsn.find('?', scheme + 3);
  const auto path = dsn.find('/', scheme + 3);
  const auto authority_end = query == std::string::npos ? dsn.size() : query;
  if (path == std::string::npos || path > authority_end) {
    return dsn.substr(0, authority_end) + "/" + database + dsn.substr(authority_end);
  }
  return dsn.substr(0, path) + "/" + database + dsn.substr(authority_end);
}

ScratchDatabase::ScratchDatabase() {
  const auto admin = AdminDsn();
  if (!admin) throw std::runtime_error("GW_TEST_DATABASE_URL is not set");
  admin_dsn_ = *admin;
  std::random_device random;
  name_ = "gw_test_" + std::to_string(random()) + std::to_string(random());
  pqxx::connection connection(admin_dsn_);
  pqxx::nontransaction(connection).exec("CREATE DATABASE " + connection.quote_name(name_));
  dsn_ = WithDatabase(admin_dsn_, name_);
}

ScratchDatabase::~ScratchDatabase() {
  try {
    pqxx::connection connection(admin_dsn_);
    pqxx::nontransaction(connection).exec("DROP DATABASE IF EXISTS " + connection.quote_name(name_) + " WITH (FORCE)");
  } catch (const std::exception& e) {
    ADD_FAILURE() << "could not drop test database " << name_ << ": " << e.what();
  }
}

std::string ScratchDatabase::Scalar(const std::string& sql) const {
  pqxx::connection connection(dsn_);
  pqxx::nontransaction txn(connection);
  const auto row = txn.exec1(sql);
  return row[0].is_null() ? std::string() : row[0].as<std::string>();
}

std::string ScratchDatabase::Scalar(const std::string& sql, const std::string& param) const {
  pqxx::connection connection(dsn_);
  pqxx::nontransaction txn(connection);
  const auto result = txn.exec_params(sql, param);
  if (result.size() != 1) throw std::runtime_error("expected one row from: " + sql);
  return result[0][0].is_null() ? std::string() : result[0][0].as<std::string>();
}

void ScratchDatabase::TerminateOtherConnections() const {
  // With a timeout (PostgreSQL 14+) it returns once each backend has exited and closed its
  // socket, as after a completed restart, rather than while they are still going away.
  Scalar(
      "SELECT count(pg_terminate_backend(pid, 5000)) FROM pg_stat_activity "
      "WHERE datname = current_database() AND pid <> pg_backend_pid()");
}

void PgSuite::SetUpTestSuite() {
  setup_error_.clear();
  if (!AdminDsn()) {
    setup_error_ =
        "GW_TEST_DATABASE_URL is not set: integration tests need a PostgreSQL DSN allowed to create "
        "databases, e.g. postgresql://postgres@/postgres?host=/tmp/pgsock&port=5432";
    return;
  }
  try {
    db_ = std::make_unique<ScratchDatabase>();
    ApplyMigrations(db_->Dsn(), MigrationsDir());
  } catch (const std::exception& e) {
    setup_error_ = std::string("could not prepare the test database: ") + e.what();
    db_.reset();
  }
}

void PgSuite::TearDownTestSuite() { db_.reset(); }

void PgSuite::SetUp() {
  if (!db_) GTEST_FAIL() << setup_error_;
}

}  // namespace gw::persistence::testing
