#include "persistence/migrator.hpp"

#include <openssl/evp.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <pqxx/pqxx>
#include <sstream>

#include "domain/error.hpp"
#include "domain/multibase.hpp"
#include "persistence/pg_connection.hpp"

namespace gw::persistence {
namespace {

using domain::Error;
using domain::ErrorCode;

// Arbitrary but fixed: every instance of the service must take the same advisory lock.
constexpr std::int64_t kMigrationLockKey = 0x67772d6d69677261;  // "gw-migra"
constexpr const char* kLock = "migrate_lock";
constexpr const char* kUnlock = "migrate_unlock";
constexpr const char* kApplied = "migrate_applied";
constexpr const char* kRecord = "migrate_record";

[[noreturn]] void Fail(const std::string& message) {
  throw Error(ErrorCode::kInternal, {}, {}, "migrations: " + message);
}

std::string ReadFile(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) Fail("cannot read " + path.string());
  std::ostringstream content;
  content << in.rdbuf();
  return content.str();
}

std::vector<std::string> ReadOrder(const std::filesystem::path& dir) {
  std::vector<std::string> names;
  std::istringstream lines(ReadFile(dir / "migrations.txt"));
  for (std::string line; std::getline(lines, line);) {
    const auto begin = line.find_first_not_of(" \t\r");
    if (begin == std::string::npos || line[begin] == '#') continue;
    const auto end = line.find_last_not_of(" \t\r");
    names.push_back(line.substr(begin, end - begin + 1));
  }
  return names;
}

std::string Sha256Hex(const std::string& data) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  if (EVP_Digest(data.data(), data.size(), digest, &size, EVP_sha256(), nullptr) != 1) Fail("SHA-256 failed");
  return domain::LowerHex(std::span<const std::uint8_t>(digest, size));
}

std::map<std::string, std::string> AppliedChecksums(pqxx::connection_base& connection) {
  pqxx::nontransaction txn(connection);
  std::map<std::string, std::string> applied;
  for (const auto& row : txn.exec_prepared(kApplied)) applied[row[0].as<std::string>()] = row[1].as<std::string>();
  return applied;
}

std::vector<std::string> ApplyLocked(pqxx::connection_base& connection, const std::filesystem::path& dir) {
  const auto order = ReadOrder(dir);
  auto applied = AppliedChecksums(connection);
  for (const auto& [version, checksum] : applied) {
    if (std::find(order.begin(), order.end(), version) == order.end()) {
      Fail("applied migration " + version + " is no longer listed in migrations.txt (migrations are append-only)");
    }
  }
  std::vector<std::string> newly_applied;
  for (const auto& version : order) {
    const std::string sql = ReadFile(dir / version);
    const std::string checksum = Sha256Hex(sql);
    if (const auto it = applied.find(version); it != applied.end()) {
      if (it->second != checksum) {
        Fail("applied migration " + version + " was modified (checksum " + checksum + ", applied as " + it->second +
             "); migrations are append-only: restore the file and add a new migration instead");
      }
      continue;
    }
    pqxx::work txn(connection);
    try {
      txn.exec(sql);  // DDL cannot be parameterised; the file is trusted release content
    } catch (const pqxx::sql_error& e) {
      Fail(version + " failed: " + e.what());
    }
    txn.exec_prepared(kRecord, version, checksum);
    txn.commit();
    newly_applied.push_back(version);
  }
  return newly_applied;
}

}  // namespace

std::vector<std::string> ApplyMigrations(const std::string& dsn, const std::string& migrations_dir) {
  PgConnection connection(dsn, {{kLock, "SELECT pg_advisory_lock($1)"},
                                {kUnlock, "SELECT pg_advisory_unlock($1)"},
                                {kApplied, "SELECT version, checksum FROM schema_migrations"},
                                {kRecord, "INSERT INTO schema_migrations (version, checksum) VALUES ($1, $2)"}});
  return connection.Run([&](pqxx::connection_base& c) {
    // Session lock: held across the per-migration transactions, released on unlock or when
    // the connection closes (also if this process dies half-way).
    pqxx::nontransaction(c).exec_prepared(kLock, kMigrationLockKey);
    // Created under the lock: two first runs would otherwise race on CREATE TABLE.
    pqxx::nontransaction(c).exec(
        "CREATE TABLE IF NOT EXISTS schema_migrations (version text PRIMARY KEY, checksum text NOT NULL, "
        "applied_at timestamptz NOT NULL DEFAULT now())");
    auto newly_applied = ApplyLocked(c, migrations_dir);
    pqxx::nontransaction(c).exec_prepared(kUnlock, kMigrationLockKey);
    return newly_applied;
  });
}

}  // namespace gw::persistence
