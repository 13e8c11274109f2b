#pragma once
/// @file Wiring what the worker pool shares (fcgi/pool/) into the processes: part of the
/// composition root, beside main.cpp.

#include <memory>
#include <optional>
#include <string>

#include "domain/rate_limit.hpp"
#include "fcgi/config.hpp"
#include "fcgi/http/rate_limiting.hpp"
#include "fcgi/pool/pool_metrics.hpp"
#include "fcgi/pool/shm_rate_limiter.hpp"
#include "fcgi/process/supervisor.hpp"
#include "fcgi/storage.hpp"

namespace spdlog {
class logger;
}

namespace gw::app {

/// Made by the supervisor before its first fork; every child inherits the same memory.
class PoolShared {
 public:
  explicit PoolShared(const web::Config& config);
  pool::PoolMetrics* Metrics() { return metrics_ ? &*metrics_ : nullptr; }  //!< null with GW_METRICS=off
  pool::ShmRateLimiter& HostLimits() { return host_limits_; }

  /// What the supervisor reports about its children: process slots for the metrics' gauges,
  /// restarts, and each child's process title.
  fcgi::SupervisorHooks Hooks();

 private:
  std::optional<pool::PoolMetrics> metrics_;
  pool::ShmRateLimiter host_limits_;
};

/// `ps` shows "ipfs-gateway: <title>", `top` "gw-<title>", as nginx and PostgreSQL do.
void SetProcessTitle(const std::string& title);

/// The storage's retries and breaker states, into the pool's metrics.
StorageEvents StorageEventsOf(pool::PoolMetrics* metrics);

/// The rate limiting one worker uses: the host's shared-memory table, or Redis in front of it
/// (GW_RATE_LIMIT_REDIS_URL) with its own breaker, so that a failing Redis falls back to the
/// host's limits within a few calls instead of costing every request a timeout.
class WorkerRateLimiting {
 public:
  WorkerRateLimiting(const web::Config& config, PoolShared& shared, spdlog::logger& log);
  ~WorkerRateLimiting();
  const web::RateLimiting& Limiting() const { return *limiting_; }

 private:
  struct Redis;
  std::unique_ptr<Redis> redis_;
  std::unique_ptr<web::RateLimiting> limiting_;
};

}  // namespace gw::app
