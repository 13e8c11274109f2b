#pragma once
/// @file Metrics of the whole worker pool, kept in shared memory.
///
/// Every process of the pool (FastCGI workers, job workers, the supervisor) adds to the same
/// counters, so `GET /metrics`, served by whichever worker nginx picks, reports the pool as one
/// and a replaced worker's counts are never lost or reset. The layout is fixed (routes by their
/// index in the route table, a closed list of methods and statuses), so recording a request is
/// a handful of relaxed atomic additions and no lookup. Reading it into the Prometheus format is
/// metrics_exposition.hpp's job; nothing here includes prometheus-cpp.

#include <array>
#include <atomic>
#include <cstdint>
#include <string_view>

#include "fcgi/pool/shared_region.hpp"

namespace gw::pool {

inline constexpr int kMaxRoutes = 48;  //!< route patterns; one more slot counts unmatched requests
inline constexpr int kUnmatchedRoute = kMaxRoutes;
inline constexpr std::array<std::string_view, 8> kMethods{"GET",    "HEAD",    "POST",  "PUT",
                                                          "DELETE", "OPTIONS", "PATCH", "other"};
inline constexpr std::array<int, 28> kStatuses{200, 201, 202, 204, 206, 301, 302, 304, 307, 308, 400, 401, 403, 404,
                                               405, 408, 409, 411, 413, 415, 416, 422, 429, 500, 502, 503, 504, 0};
inline constexpr int kOtherStatus = static_cast<int>(kStatuses.size()) - 1;  //!< label "other"
/// Upper bounds of the latency histogram, in seconds (the +Inf bucket follows).
inline constexpr std::array<double, 14> kLatencyBounds{0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
                                                       0.1,    0.25,  0.5,    1,     2.5,  5,     10};
inline constexpr int kMaxProcesses = 288;  //!< process slots: GW_WORKERS (256) + GW_JOB_WORKERS (16) at most

enum class UploadOutcome : int { kStored, kQueued, kRejected, kFailed };
inline constexpr std::array<std::string_view, 4> kUploadOutcomes{"stored", "queued", "rejected", "failed"};
enum class LimitPolicy : int { kKey, kIp, kUpload };
inline constexpr std::array<std::string_view, 3> kLimitPolicies{"key", "ip", "upload"};
enum class ProcessGroup : int { kWorker, kJobWorker };
inline constexpr std::array<std::string_view, 2> kProcessGroups{"worker", "job-worker"};

using Counter = std::atomic<std::uint64_t>;
static_assert(Counter::is_always_lock_free);

/// The shared block. Only atomics: a process killed mid-update leaves no lock behind.
struct MetricsBlock {
  struct Route {
    std::array<std::array<Counter, kStatuses.size()>, kMethods.size()> requests;
    std::array<Counter, kLatencyBounds.size() + 1> latency_buckets;  //!< not cumulative; last is +Inf
    Counter latency_sum_us;
    Counter bytes_in;
    Counter bytes_out;
  };
  /// What one live process reports about itself; cleared by the supervisor when it exits, so a
  /// dead process's in-flight requests or open breaker do not linger.
  struct Process {
    std::atomic<std::int32_t> pid;
    std::atomic<std::int32_t> group;
    std::atomic<std::int32_t> in_flight;
    std::atomic<std::int32_t> breaker_state;  //!< 0 closed, 1 half-open, 2 open
  };
  std::array<Route, kMaxRoutes + 1> routes;
  std::array<Counter, kUploadOutcomes.size()> uploads;
  Counter upload_bytes;
  Counter storage_retries;
  std::array<Counter, kLimitPolicies.size()> rate_limited;
  Counter rate_limit_store_errors;
  Counter rate_limit_table_full;
  std::array<Counter, kProcessGroups.size()> restarts;
  std::array<Process, kMaxProcesses> processes;
};

/// The pool's metrics: made once in the supervisor before the first fork, shared by all.
class PoolMetrics {
 public:
  PoolMetrics() = default;

  /// Records one answered request. `route_index` is the route's index in the route table, or
  /// -1 when no route matched; `method` and `status` outside the closed lists count as "other".
  void RecordRequest(int route_index, std::string_view method, int status, std::int64_t latency_us,
                     std::uint64_t bytes_in, std::uint64_t bytes_out);
  void RecordUpload(UploadOutcome outcome, std::uint64_t bytes);
  void RecordStorageRetry() { block_->storage_retries.fetch_add(1, std::memory_order_relaxed); }
  void RecordRateLimited(LimitPolicy policy) { Add(block_->rate_limited[static_cast<int>(policy)]); }
  void RecordRateLimitStoreError() { Add(block_->rate_limit_store_errors); }
  void RecordRateLimitTableFull() { Add(block_->rate_limit_table_full); }

  // Process slots: the supervisor assigns slot numbers (0..kMaxProcesses-1) and clears them.
  void ProcessStarted(int slot, ProcessGroup group, int pid);
  void ProcessExited(int slot, ProcessGroup group, bool replaced);
  /// The process slot the calling process writes its own gauges into (set once after fork).
  void SetOwnSlot(int slot) { own_slot_ = slot; }
  /// +1 when a request starts, -1 when it ends (this process's slot).
  void AddInFlight(int delta);
  void SetBreakerState(int state);

  const MetricsBlock& Read() const { return *block_; }

 private:
  static void Add(Counter& counter, std::uint64_t n = 1) { counter.fetch_add(n, std::memory_order_relaxed); }
  MetricsBlock::Process* OwnSlot() const;

  Shared<MetricsBlock> block_;
  int own_slot_ = -1;
};

}  // namespace gw::pool
