#pragma once
/// @file Shared set-up of the PostgreSQL integration tests: one throwaway database per suite.

#include <gtest/gtest.h>

#include <memory>
#include <optional>
#include <string>

#include "tests/common/temp_dir.hpp"

namespace gw::persistence::testing {

using gw::test::TempDir;

/// GW_TEST_DATABASE_URL, or nullopt when unset (the tests then fail, they never skip).
std::optional<std::string> AdminDsn();
/// GW_TEST_MIGRATIONS_DIR, or the source tree's migrations/ directory.
std::string MigrationsDir();
/// `dsn` (URI or key=value form) pointing at `database` instead.
std::string WithDatabase(const std::string& dsn, const std::string& database);

/// A freshly created database with a random name, dropped on destruction.
class ScratchDatabase {
 public:
  /// Throws when GW_TEST_DATABASE_URL is unset or the database cannot be created.
  ScratchDatabase();
  ~ScratchDatabase();
  ScratchDatabase(const ScratchDatabase&) = delete;
  ScratchDatabase& operator=(const ScratchDatabase&) = delete;

  const std::string& Dsn() const { return dsn_; }
  /// Runs `sql` and returns the single value it selects, as text ("" for NULL).
  std::string Scalar(const std::string& sql) const;
  /// Runs `sql` with one text parameter $1 and returns the single value it selects.
  std::string Scalar(const std::string& sql, const std::string& param) const;
  /// Ends every other connection to this database and waits until their backends exited
  /// (simulates a completed database restart).
  void TerminateOtherConnections() const;

 private:
  std::string admin_dsn_;
  std::string name_;
  std::string dsn_;
};

/// Fixture base: SetUpTestSuite creates and migrates a fresh database, TearDownTestSuite drops
/// it; every test fails with a clear message when that was impossible.
class PgSuite : public ::testing::Test {
 public:
  static void SetUpTestSuite();
  static void TearDownTestSuite();

 protected:
  void SetUp() override;
  static ScratchDatabase& Db() { return *db_; }
  static bool HasDatabase() { return db_ != nullptr; }

 private:
  static std::unique_ptr<ScratchDatabase> db_;
  static std::string setup_error_;
};

}  // namespace gw::persistence::testing
