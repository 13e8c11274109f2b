#include "persistence/pg_job_queue_sql.hpp"

#include "persistence/pg_job_queue.hpp"
#include "persistence/pg_paged_list.hpp"

// The SQL of PgJobQueue, apart from its logic so that each file stays readable.
namespace gw::persistence {
namespace job_sql {

std::string JobColumns() {
  return "id::text, type, user_id, payload::text, state, attempts, max_attempts, progress_done, progress_total, "
         "result::text, last_error_code, last_error_message, " +
         IsoUtc("created_at") + ", " + IsoUtc("updated_at") + ", " + IsoUtc("run_after") + ", " + IsoUtc("finished_at");
}

}  // namespace job_sql

namespace {

using namespace job_sql;

// Only the lease holder of a running job may report on it.
constexpr const char* kOwned = " WHERE id = $1::uuid AND state = 'running' AND lease_owner = $2";
// Durations travel as milliseconds (libpqxx 6.4 has no interval type).
constexpr const char* kMs = "::bigint * interval '1 millisecond'";
// GET /tasks: one user's jobs ($1), in the states $2 lists (comma-separated; NULL: all).
constexpr const char* kListFilter =
    " FROM jobs WHERE user_id = $1 AND ($2::text IS NULL OR state = ANY (string_to_array($2, ',')))";

// Ends the lease of a running job whose worker is gone: the attempt counts as failed, the job is
// due again (its run_after is in the past, so it goes first), or dead after its last attempt.
std::string EndLostLease(const std::string& error_code, const std::string& message_sql) {
  return "UPDATE jobs SET state = CASE WHEN attempts >= max_attempts THEN 'dead' ELSE 'failed' END, "
         "finished_at = CASE WHEN attempts >= max_attempts THEN now() END, last_error_code = '" +
         error_code + "', last_error_message = " + message_sql +
         ", lease_owner = NULL, lease_expires_at = NULL, updated_at = now() ";
}

}  // namespace

std::vector<PreparedStatement> PgJobQueue::EnqueueStatements() {
  return {
      // NOTIFY in the same statement: it is sent on commit, so a worker woken by it finds the job.
      {kEnqueue, std::string("WITH job AS (INSERT INTO jobs (type, user_id, payload, max_attempts) "
                             "VALUES ($1, $2::bigint, $3::jsonb, $4) RETURNING id) "
                             "SELECT job.id::text, pg_notify('") +
                     kJobsChannel + "', $1) FROM job"},
  };
}

std::vector<PreparedStatement> PgJobQueue::Statements() {
  auto statements = EnqueueStatements();
  const std::vector<PreparedStatement> own{
      // A running job whose lease expired lost its worker (killed, hung or cut off). SKIP
      // LOCKED: a row being updated right now (a late Heartbeat, another sweep) is left alone,
      // so no one ever waits here.
      {kSweep, EndLostLease("lease_expired", "'the lease of worker ' || lease_owner || ' expired'") +
                   "WHERE id IN (SELECT id FROM jobs WHERE state = 'running' AND lease_expires_at < now() "
                   "FOR UPDATE SKIP LOCKED)"},
      // Leases whose holder is known to be dead (see ReclaimOrphans). The prefix is matched
      // literally (no LIKE: a worker id may contain % or _).
      {kReclaimOrphans, EndLostLease("worker_died", "'worker ' || lease_owner || ' died while running the job'") +
                            "WHERE state = 'running' AND starts_with(lease_owner, $1)"},
      // Expired leases are not matched here but swept just before: that keeps this query on
      // the jobs_runnable index in run_after order, so a claim costs the same with a backlog of
      // millions. The locked row is re-checked after locking (READ COMMITTED), so a job another
      // worker claimed a moment ago is passed over, never taken twice.
      {kClaim, std::string("UPDATE jobs SET state = 'running', attempts = attempts + 1, lease_owner = $1, "
                           "lease_expires_at = now() + $2") +
                   kMs +
                   ", updated_at = now() WHERE id = (SELECT id FROM jobs WHERE state IN ('queued', 'failed') "
                   "AND run_after <= now() AND ($3::text[] IS NULL OR type = ANY ($3::text[])) "
                   "ORDER BY run_after, created_at FOR UPDATE SKIP LOCKED LIMIT 1) RETURNING " +
                   JobColumns()},
      // A lease that expired but was not swept yet is still the caller's: nobody else has it.
      {kHeartbeat, std::string("UPDATE jobs SET lease_expires_at = now() + $3") + kMs +
                       ", progress_done = COALESCE($4::bigint, progress_done), "
                       "progress_total = COALESCE($5::bigint, progress_total), updated_at = now()" +
                       kOwned + " RETURNING id"},
      {kComplete, std::string("UPDATE jobs SET state = 'succeeded', result = $3::jsonb, finished_at = now(), "
                              "progress_done = COALESCE($4::bigint, progress_done), "
                              "progress_total = COALESCE($5::bigint, progress_total), "
                              "last_error_code = NULL, last_error_message = NULL, "
                              "lease_owner = NULL, lease_expires_at = NULL, updated_at = now()") +
                      kOwned + " RETURNING id"},
      // Fail reads the attempt number (for the backoff) with the row locked, then writes.
      {kLockOwned, std::string("SELECT attempts, max_attempts FROM jobs") + kOwned + " FOR UPDATE"},
      {kFail, std::string("UPDATE jobs SET state = CASE WHEN $5 THEN 'dead' ELSE 'failed' END, "
                          "run_after = CASE WHEN $5 THEN run_after ELSE now() + $6") +
                  kMs +
                  " END, finished_at = CASE WHEN $5 THEN now() END, "
                  "last_error_code = $3, last_error_message = $4, "
                  "lease_owner = NULL, lease_expires_at = NULL, updated_at = now()" +
                  kOwned + " RETURNING id"},
      // The attempt was not tried to its end, so it does not count; run_after is kept, so the
      // job keeps its place at the front of the queue.
      {kRelease, std::string("UPDATE jobs SET state = 'queued', attempts = greatest(attempts - 1, 0), "
                             "lease_owner = NULL, lease_expires_at = NULL, updated_at = now()") +
                     kOwned + " RETURNING id"},
      // Like a release, but later and with the reason: the job waits for its backend.
      {kPostpone, std::string("UPDATE jobs SET state = 'queued', attempts = greatest(attempts - 1, 0), "
                              "run_after = now() + $5") +
                      kMs +
                      ", last_error_code = $3, last_error_message = $4, "
                      "lease_owner = NULL, lease_expires_at = NULL, updated_at = now()" +
                      kOwned + " RETURNING id"},
      {kLivePayloadValues,
       "SELECT payload->>$2 FROM jobs WHERE type = $1 AND state IN ('queued', 'running', 'failed') "
       "AND payload->>$2 IS NOT NULL"},
      {kFind, "SELECT " + JobColumns() + " FROM jobs WHERE id = $1::uuid"},
      // Paged as persistence/pg_paged_list.hpp describes.
      {kList, "SELECT " + JobColumns() + kListFilter + " ORDER BY created_at DESC, id DESC LIMIT $3 OFFSET $4"},
      {kListReversed, "SELECT " + JobColumns() + kListFilter + " ORDER BY created_at, id LIMIT $3 OFFSET $4"},
      {kCount, BoundedCountStatement(kListFilter, 3)},
      {kCounter, CounterSql()},
      {kStats,
       "SELECT count(*) FILTER (WHERE state = 'queued'), count(*) FILTER (WHERE state = 'running'), "
       "count(*) FILTER (WHERE state = 'succeeded'), count(*) FILTER (WHERE state = 'failed'), "
       "count(*) FILTER (WHERE state = 'dead'), COALESCE(EXTRACT(EPOCH FROM now() - min(run_after) "
       "FILTER (WHERE state IN ('queued', 'failed') AND run_after <= now())), 0)::float8 FROM jobs"},
      {kStatsByType, "SELECT type, state, count(*) FROM jobs GROUP BY type, state ORDER BY type, state"},
      // The error stays until the next attempt overwrites it (or succeeds), so the status
      // still tells why the job had died.
      {kRetry,
       "UPDATE jobs SET state = 'queued', attempts = 0, run_after = now(), finished_at = NULL, updated_at = now() "
       "WHERE id = $1::uuid AND state IN ('failed', 'dead') RETURNING id"},
  };
  statements.insert(statements.end(), own.begin(), own.end());
  return statements;
}

}  // namespace gw::persistence
