#pragma once
/// @file Shared set-up of the job queue integration tests.

#include <chrono>
#include <memory>
#include <string>
#include <thread>

#include "persistence/pg_job_queue.hpp"
#include "pg_test_support.hpp"

namespace gw::persistence::testing {

/// Every test starts with an empty jobs table and a queue on a connection of its own.
class JobQueueSuite : public PgSuite {
 protected:
  void SetUp() override {
    PgSuite::SetUp();
    if (HasFatalFailure()) return;
    Db().Scalar("WITH gone AS (DELETE FROM jobs RETURNING 1) SELECT count(*) FROM gone");
    queue_ = std::make_unique<PgJobQueue>(Db().Dsn());
  }

  /// A user to own jobs (user_id references users).
  domain::UserId NewUser(const std::string& email) const {
    return std::stoll(Db().Scalar("INSERT INTO users (email) VALUES ($1) RETURNING id", email));
  }
  /// One column of job `id`, as text ("" for NULL).
  std::string Column(const std::string& id, const std::string& expression) const {
    return Db().Scalar("SELECT " + expression + " FROM jobs WHERE id = $1::uuid", id);
  }
  std::string Count(const std::string& where = "true") const {
    return Db().Scalar("SELECT count(*) FROM jobs WHERE " + where);
  }

  std::unique_ptr<PgJobQueue> queue_;
};

}  // namespace gw::persistence::testing
