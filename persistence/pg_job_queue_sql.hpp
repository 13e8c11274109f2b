#pragma once
/// @file Internal to PgJobQueue: the names of its prepared statements and the columns every
/// statement returning a job selects (read back by ReadJob in pg_job_queue.cpp, in this order).

#include <string>

namespace gw::persistence::job_sql {

inline constexpr const char* kEnqueue = "jobs_enqueue";
inline constexpr const char* kSweep = "jobs_sweep_leases";
inline constexpr const char* kClaim = "jobs_claim";
inline constexpr const char* kHeartbeat = "jobs_heartbeat";
inline constexpr const char* kComplete = "jobs_complete";
inline constexpr const char* kLockOwned = "jobs_lock_owned";
inline constexpr const char* kFail = "jobs_fail";
inline constexpr const char* kRelease = "jobs_release";
inline constexpr const char* kPostpone = "jobs_postpone";
inline constexpr const char* kReclaimOrphans = "jobs_reclaim_orphans";
inline constexpr const char* kLivePayloadValues = "jobs_live_payload_values";
inline constexpr const char* kFind = "jobs_find";
inline constexpr const char* kList = "jobs_list";
inline constexpr const char* kListReversed = "jobs_list_reversed";
inline constexpr const char* kCount = "jobs_count";
inline constexpr const char* kCounter = "jobs_counter";
inline constexpr const char* kStats = "jobs_stats";
inline constexpr const char* kStatsByType = "jobs_stats_by_type";
inline constexpr const char* kRetry = "jobs_retry";

/// id, type, user_id, payload, state, attempts, max_attempts, progress_done, progress_total,
/// result, last_error_code, last_error_message, created_at, updated_at, run_after, finished_at.
std::string JobColumns();

}  // namespace gw::persistence::job_sql
