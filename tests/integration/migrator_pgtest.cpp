#include <filesystem>
#include <fstream>
#include <future>
#include <random>

#include "domain/error.hpp"
#include "persistence/migrator.hpp"
#include "pg_test_support.hpp"

namespace gw::persistence::testing {
namespace {

namespace fs = std::filesystem;

/// A copy of the real migrations in a temporary directory, to which a test may append.
class MigrationsCopy {
 public:
  MigrationsCopy() : dir_(fs::temp_directory_path() / ("gw_migrations_" + std::to_string(std::random_device{}()))) {
    fs::create_directories(dir_);
    fs::copy(MigrationsDir(), dir_, fs::copy_options::recursive);
  }
  ~MigrationsCopy() { fs::remove_all(dir_); }
  void Write(const std::string& name, const std::string& content) const { std::ofstream(dir_ / name) << content; }
  void Append(const std::string& name, const std::string& content) const {
    std::ofstream(dir_ / name, std::ios::app) << content;
  }
  std::string Dir() const { return dir_.string(); }

 private:
  fs::path dir_;
};

// The suite database starts empty: only the first test uses it; tests that add their own
// migrations work in a database of their own so that they cannot disturb each other.
class MigratorPgTest : public ::testing::Test {
 public:
  static void SetUpTestSuite() {
    if (AdminDsn()) db_ = std::make_unique<ScratchDatabase>();
  }
  static void TearDownTestSuite() { db_.reset(); }

 protected:
  void SetUp() override {
    if (!db_) GTEST_FAIL() << "GW_TEST_DATABASE_URL is not set: integration tests need a PostgreSQL DSN";
  }
  static std::unique_ptr<ScratchDatabase> db_;
};
std::unique_ptr<ScratchDatabase> MigratorPgTest::db_;

/// The project's migrations in order, as migrations.txt lists them (the test must not need an
/// edit for every new migration).
std::vector<std::string> ListedMigrations() {
  std::ifstream order(MigrationsDir() + "/migrations.txt");
  std::vector<std::string> names;
  for (std::string line; std::getline(order, line);) {
    if (!line.empty() && line[0] != '#') names.push_back(line);
  }
  return names;
}

TEST_F(MigratorPgTest, AppliesEverythingOnAnEmptyDatabaseAndNothingTheSecondTime) {
  const auto listed = ListedMigrations();
  ASSERT_GE(listed.size(), 2u);
  EXPECT_EQ(listed.front(), "V001__accounts.sql");
  EXPECT_EQ(ApplyMigrations(db_->Dsn(), MigrationsDir()), listed);
  EXPECT_EQ(db_->Scalar("SELECT count(*) FROM schema_migrations"), std::to_string(listed.size()));
  EXPECT_EQ(db_->Scalar("SELECT min(length(checksum)) FROM schema_migrations"), "64");
  EXPECT_EQ(db_->Scalar("SELECT to_regclass('public.audit_log') IS NOT NULL"), "t");
  EXPECT_TRUE(ApplyMigrations(db_->Dsn(), MigrationsDir()).empty());
}

TEST_F(MigratorPgTest, AppliesOnlyTheNewMigrationAppendedToTheList) {
  ScratchDatabase db;
  ApplyMigrations(db.Dsn(), MigrationsDir());
  MigrationsCopy copy;
  copy.Write("V900__test_extra.sql", "CREATE TABLE migrator_test_extra (id int);");
  copy.Append("migrations.txt", "\n# a comment\nV900__test_extra.sql\n");
  EXPECT_EQ(ApplyMigrations(db.Dsn(), copy.Dir()), std::vector<std::string>{"V900__test_extra.sql"});
  EXPECT_TRUE(ApplyMigrations(db.Dsn(), copy.Dir()).empty());

  // V900 is applied now: editing it must stop the migrator with a clear message.
  copy.Append("V900__test_extra.sql", "\nALTER TABLE migrator_test_extra ADD COLUMN x int;");
  try {
    ApplyMigrations(db.Dsn(), copy.Dir());
    FAIL() << "a modified applied migration was accepted";
  } catch (const domain::Error& e) {
    EXPECT_EQ(e.Code(), domain::ErrorCode::kInternal);
    EXPECT_NE(std::string(e.InternalMessage()).find("V900__test_extra.sql was modified"), std::string::npos)
        << e.InternalMessage();
  }
  // Dropping an applied migration from the list is refused too.
  EXPECT_THROW(ApplyMigrations(db.Dsn(), MigrationsDir()), domain::Error);
}

TEST_F(MigratorPgTest, AFailingMigrationLeavesNoTraceAndReportsTheFile) {
  ScratchDatabase db;
  ApplyMigrations(db.Dsn(), MigrationsDir());
  MigrationsCopy copy;
  copy.Write("V901__broken.sql", "CREATE TABLE half_done (id int); SELECT * FROM no_such_table;");
  copy.Append("migrations.txt", "V901__broken.sql\n");
  try {
    ApplyMigrations(db.Dsn(), copy.Dir());
    FAIL() << "a broken migration was accepted";
  } catch (const domain::Error& e) {
    EXPECT_NE(std::string(e.InternalMessage()).find("V901__broken.sql failed"), std::string::npos);
  }
  EXPECT_EQ(db.Scalar("SELECT to_regclass('public.half_done') IS NULL"), "t");
  EXPECT_EQ(db.Scalar("SELECT count(*) FROM schema_migrations WHERE version = 'V901__broken.sql'"), "0");
}

TEST_F(MigratorPgTest, ConcurrentRunsOnAFreshDatabaseApplyEachMigrationOnce) {
  ScratchDatabase fresh;
  auto run = [&] { return ApplyMigrations(fresh.Dsn(), MigrationsDir()); };
  auto first = std::async(std::launch::async, run);
  auto second = std::async(std::launch::async, run);
  const auto a = first.get();
  const auto b = second.get();
  EXPECT_EQ(a.size() + b.size(), ListedMigrations().size());
  EXPECT_EQ(fresh.Scalar("SELECT count(*) FROM schema_migrations"), std::to_string(ListedMigrations().size()));
}

TEST_F(MigratorPgTest, AnUnreachableDatabaseIsReportedAsUnavailable) {
  try {
    ApplyMigrations("host=/nonexistent-gw-socket-dir port=1 connect_timeout=2", MigrationsDir());
    FAIL() << "no error";
  } catch (const domain::Error& e) {
    EXPECT_EQ(e.Code(), domain::ErrorCode::kDatabaseUnavailable) << e.InternalMessage();
  }
}

}  // namespace
}  // namespace gw::persistence::testing
