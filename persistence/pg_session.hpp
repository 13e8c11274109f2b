#pragma once
/// @file PgSession: the repositories of one worker thread over one PostgreSQL connection.
///
/// A libpqxx connection must never be used by two threads at once, so every request thread
/// owns one PgSession. The connection opens on first use and is replaced after it breaks; the
/// call that noticed the break throws Error(kDatabaseUnavailable), the next one reconnects.

#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "domain/content.hpp"
#include "domain/job.hpp"
#include "domain/ports.hpp"

namespace gw::persistence {

class PgSession {
 public:
  explicit PgSession(std::string dsn);
  ~PgSession();
  PgSession(const PgSession&) = delete;
  PgSession& operator=(const PgSession&) = delete;

  domain::AccountRepository& Accounts();
  domain::AuditRepository& Audit();
  domain::FileRepository& Files();
  domain::JobQueue& Jobs();
  domain::SessionRepository& Sessions();
  /// Runs SELECT 1; false when the database cannot be reached (for health checks).
  bool Ping();
  /// The service's PostgreSQL connections by pg_stat_activity state (for /metrics).
  std::vector<std::pair<std::string, std::int64_t>> ConnectionsByState();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace gw::persistence
