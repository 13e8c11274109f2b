#include "persistence/pg_job_queue.hpp"

#include <pqxx/pqxx>

#include "domain/error.hpp"
#include "persistence/pg_field.hpp"
#include "persistence/pg_job_queue_sql.hpp"
#include "persistence/pg_paged_list.hpp"

namespace gw::persistence {
namespace {

using domain::Error;
using domain::ErrorCode;
using domain::Job;
using domain::JobState;
using namespace job_sql;

Job ReadJob(const pqxx::row& row) {
  Job job;
  job.id = row[0].as<std::string>();
  job.type = row[1].as<std::string>();
  job.user_id = Nullable<domain::UserId>(row[2]);
  job.payload_json = row[3].as<std::string>();
  const auto state = domain::ParseJobState(row[4].as<std::string>());
  if (!state) throw Error(ErrorCode::kInternal, {}, {}, "jobs: unknown state " + row[4].as<std::string>());
  job.state = *state;
  job.attempts = row[5].as<int>();
  job.max_attempts = row[6].as<int>();
  job.progress_done = row[7].as<std::int64_t>();
  job.progress_total = Nullable<std::int64_t>(row[8]);
  job.result_json = Nullable<std::string>(row[9]);
  job.error_code = Nullable<std::string>(row[10]);
  job.error_message = Nullable<std::string>(row[11]);
  job.created_at = row[12].as<std::string>();
  job.updated_at = row[13].as<std::string>();
  job.run_after = row[14].as<std::string>();
  job.finished_at = Nullable<std::string>(row[15]);
  return job;
}

std::optional<std::string> Text(const std::optional<std::int64_t>& value) {
  if (!value) return std::nullopt;
  return std::to_string(*value);
}

// A text[] literal ({"a","b"}), or NULL for "any type": libpqxx 6.4 cannot bind containers.
std::optional<std::string> TypesParam(const std::vector<std::string>& types) {
  if (types.empty()) return std::nullopt;
  std::string literal = "{";
  for (const auto& type : types) {
    if (literal.size() > 1) literal += ',';
    literal += '"';
    for (const char c : type) {
      if (c == '"' || c == '\\') literal += '\\';
      literal += c;
    }
    literal += '"';
  }
  return literal + "}";
}

}  // namespace

PgJobQueue::PgJobQueue(PgConnection& connection) : connection_(connection) {}

PgJobQueue::PgJobQueue(std::string dsn)
    : owned_(std::make_unique<PgConnection>(std::move(dsn), Statements())), connection_(*owned_) {}

PgJobQueue::~PgJobQueue() = default;

std::string PgJobQueue::Enqueue(pqxx::transaction_base& txn, std::string_view type,
                                std::optional<domain::UserId> user_id, std::string_view payload_json,
                                int max_attempts) {
  if (max_attempts < 1) throw Error(ErrorCode::kInternal, {}, {}, "Enqueue: max_attempts must be at least 1");
  const auto user = Text(user_id);
  const auto result =
      txn.exec_prepared(kEnqueue, std::string(type), NullableParam(user), std::string(payload_json), max_attempts);
  ExpectRows(result.size(), 1, 1, kEnqueue);
  return result[0][0].as<std::string>();
}

std::string PgJobQueue::Enqueue(std::string_view type, std::optional<domain::UserId> user_id,
                                std::string_view payload_json, int max_attempts) {
  return connection_.Run([&](pqxx::connection_base& connection) {
    pqxx::work txn(connection);
    auto id = Enqueue(txn, type, user_id, payload_json, max_attempts);
    txn.commit();
    return id;
  });
}

std::optional<Job> PgJobQueue::Claim(std::string_view worker_id, std::chrono::milliseconds lease,
                                     const std::vector<std::string>& types) {
  const auto types_param = TypesParam(types);
  // Two statements, each its own transaction: the sweep need not be atomic with the claim.
  return connection_.Run([&](pqxx::connection_base& connection) -> std::optional<Job> {
    pqxx::nontransaction txn(connection);
    txn.exec_prepared(kSweep);
    const auto result = txn.exec_prepared(kClaim, std::string(worker_id), lease.count(), NullableParam(types_param));
    ExpectRows(result.size(), 0, 1, kClaim);
    if (result.empty()) return std::nullopt;
    return ReadJob(result[0]);
  });
}

template <typename... Args>
bool PgJobQueue::UpdateOne(const char* name, std::string_view id, const Args&... args) {
  if (!domain::IsJobId(id)) return false;
  return connection_.Run([&](pqxx::connection_base& connection) {
    pqxx::nontransaction txn(connection);
    const auto result = txn.exec_prepared(name, std::string(id), args...);
    ExpectRows(result.size(), 0, 1, name);
    return result.size() == 1;
  });
}

bool PgJobQueue::Heartbeat(std::string_view id, std::string_view worker_id, std::chrono::milliseconds lease,
                           std::optional<std::int64_t> progress_done, std::optional<std::int64_t> progress_total) {
  const auto done = Text(progress_done);
  const auto total = Text(progress_total);
  return UpdateOne(kHeartbeat, id, std::string(worker_id), lease.count(), NullableParam(done), NullableParam(total));
}

bool PgJobQueue::Complete(std::string_view id, std::string_view worker_id,
                          const std::optional<std::string>& result_json, std::optional<std::int64_t> progress_done,
                          std::optional<std::int64_t> progress_total) {
  const auto done = Text(progress_done);
  const auto total = Text(progress_total);
  return UpdateOne(kComplete, id, std::string(worker_id), NullableParam(result_json), NullableParam(done),
                   NullableParam(total));
}

bool PgJobQueue::Fail(std::string_view id, std::string_view worker_id, std::string_view error_code,
                      std::string_view error_message, const domain::RetryPolicy& policy, double jitter01) {
  return FailAttempt(id, worker_id, error_code, error_message, policy, jitter01, false);
}

bool PgJobQueue::Bury(std::string_view id, std::string_view worker_id, std::string_view error_code,
                      std::string_view error_message) {
  return FailAttempt(id, worker_id, error_code, error_message, {}, 0.0, true);
}

int PgJobQueue::ReclaimOrphans(std::string_view owner_prefix) {
  if (owner_prefix.empty()) throw Error(ErrorCode::kInternal, {}, {}, "ReclaimOrphans needs an owner prefix");
  return connection_.Run([&](pqxx::connection_base& connection) {
    pqxx::nontransaction txn(connection);
    return static_cast<int>(txn.exec_prepared(kReclaimOrphans, std::string(owner_prefix)).affected_rows());
  });
}

bool PgJobQueue::FailAttempt(std::string_view id, std::string_view worker_id, std::string_view error_code,
                             std::string_view error_message, const domain::RetryPolicy& policy, double jitter01,
                             bool permanent) {
  if (!domain::IsJobId(id)) return false;
  return connection_.Run([&](pqxx::connection_base& connection) {
    pqxx::work txn(connection);
    const auto owned = txn.exec_prepared(kLockOwned, std::string(id), std::string(worker_id));
    ExpectRows(owned.size(), 0, 1, kLockOwned);
    if (owned.empty()) return false;
    const int attempts = owned[0][0].as<int>();
    const bool last = permanent || attempts >= owned[0][1].as<int>();
    const auto delay = domain::BackoffDelay(policy, attempts, jitter01);
    const auto result = txn.exec_prepared(kFail, std::string(id), std::string(worker_id), std::string(error_code),
                                          std::string(error_message), last, delay.count());
    ExpectRows(result.size(), 1, 1, kFail);
    txn.commit();
    return true;
  });
}

bool PgJobQueue::Release(std::string_view id, std::string_view worker_id) {
  return UpdateOne(kRelease, id, std::string(worker_id));
}

bool PgJobQueue::Postpone(std::string_view id, std::string_view worker_id, std::string_view error_code,
                          std::string_view error_message, std::chrono::milliseconds delay) {
  return UpdateOne(kPostpone, id, std::string(worker_id), std::string(error_code), std::string(error_message),
                   delay.count());
}

std::optional<Job> PgJobQueue::Find(std::string_view id) {
  if (!domain::IsJobId(id)) return std::nullopt;
  return connection_.Run([&](pqxx::connection_base& connection) -> std::optional<Job> {
    pqxx::nontransaction txn(connection);
    const auto result = txn.exec_prepared(kFind, std::string(id));
    ExpectRows(result.size(), 0, 1, kFind);
    if (result.empty()) return std::nullopt;
    return ReadJob(result[0]);
  });
}

domain::Page<Job> PgJobQueue::List(domain::UserId user_id, const std::vector<JobState>& states, int page, int limit) {
  const auto window = MakePageWindow(page, limit);
  // libpqxx 6.4 binds no arrays: the states travel as one comma-separated text (NULL: all).
  std::optional<std::string> state_text;
  for (const auto state : states) {
    state_text = (state_text ? *state_text + "," : std::string()) + std::string(domain::ToString(state));
  }
  return connection_.Run([&](pqxx::connection_base& connection) {
    SnapshotRead txn(connection);
    // The counter answers the unfiltered list; a state filter is counted.
    const auto total = state_text ? CountAtMost(txn, window, kCount, user_id, NullableParam(state_text))
                                  : ReadCounter(txn, kCounter, "jobs", user_id);
    auto jobs = ReadPage<Job>(txn, window, total, kList, kListReversed, ReadJob, user_id, NullableParam(state_text));
    txn.commit();
    return jobs;
  });
}

std::vector<std::string> PgJobQueue::LivePayloadValues(std::string_view type, std::string_view field) {
  return connection_.Run([&](pqxx::connection_base& connection) {
    pqxx::nontransaction txn(connection);
    std::vector<std::string> values;
    for (const auto& row : txn.exec_prepared(kLivePayloadValues, std::string(type), std::string(field))) {
      values.push_back(row[0].as<std::string>());
    }
    return values;
  });
}

domain::QueueStats PgJobQueue::Stats() {
  return connection_.Run([](pqxx::connection_base& connection) {
    pqxx::nontransaction txn(connection);
    const auto result = txn.exec_prepared(kStats);
    ExpectRows(result.size(), 1, 1, kStats);
    const auto row = result[0];
    domain::QueueStats stats;
    stats.queued = row[0].as<std::int64_t>();
    stats.running = row[1].as<std::int64_t>();
    stats.succeeded = row[2].as<std::int64_t>();
    stats.failed = row[3].as<std::int64_t>();
    stats.dead = row[4].as<std::int64_t>();
    stats.oldest_queued_age_seconds = row[5].as<double>();
    for (const auto& count : txn.exec_prepared(kStatsByType)) {
      stats.by_type_and_state.push_back(
          {count[0].as<std::string>(), count[1].as<std::string>(), count[2].as<std::int64_t>()});
    }
    return stats;
  });
}

bool PgJobQueue::Retry(std::string_view id) { return UpdateOne(kRetry, id); }

}  // namespace gw::persistence
