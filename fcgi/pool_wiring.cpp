#include "fcgi/pool_wiring.hpp"

#include <bsd/unistd.h>
#include <sys/prctl.h>

#include <spdlog/spdlog.h>
#include <nlohmann/json.hpp>

#include "domain/circuit_breaker.hpp"
#include "domain/clock.hpp"
#include "fcgi/http/logging.hpp"
#include "persistence/redis_rate_limiter.hpp"

namespace gw::app {
namespace {

pool::ProcessGroup GroupOf(const fcgi::ChildGroup& group) {
  return group.name == "worker" ? pool::ProcessGroup::kWorker : pool::ProcessGroup::kJobWorker;
}

}  // namespace

PoolShared::PoolShared(const web::Config& config)
    : metrics_(config.metrics_enabled ? std::make_optional<pool::PoolMetrics>() : std::nullopt),
      host_limits_(config.rate_limits.table_slots, [metrics = Metrics()] {
        if (metrics != nullptr) metrics->RecordRateLimitTableFull();
      }) {}

fcgi::SupervisorHooks PoolShared::Hooks() {
  fcgi::SupervisorHooks hooks;
  pool::PoolMetrics* metrics = Metrics();
  hooks.in_child = [metrics](int process_slot, const fcgi::ChildGroup& group, int index) {
    SetProcessTitle(group.name + " " + std::to_string(index));
    if (metrics != nullptr) metrics->SetOwnSlot(process_slot);
  };
  if (metrics == nullptr) return hooks;
  hooks.started = [metrics](int process_slot, const fcgi::ChildGroup& group, int pid) {
    metrics->ProcessStarted(process_slot, GroupOf(group), pid);
  };
  hooks.exited = [metrics](int process_slot, const fcgi::ChildGroup& group, bool replaced) {
    metrics->ProcessExited(process_slot, GroupOf(group), replaced);
  };
  return hooks;
}

void SetProcessTitle(const std::string& title) {
  // libbsd marks the end of a title shorter than the original command line with a '.', so
  // that every kernel shows only the title.
  setproctitle("-ipfs-gateway: %s", title.c_str());
  const std::string short_name = "gw-" + title.substr(0, 12);  // the kernel keeps 15 characters
  prctl(PR_SET_NAME, short_name.c_str());
}

StorageEvents StorageEventsOf(pool::PoolMetrics* metrics) {
  if (metrics == nullptr) return {};
  return {[metrics] { metrics->RecordStorageRetry(); }, [metrics](int state) { metrics->SetBreakerState(state); }};
}

struct WorkerRateLimiting::Redis {
  domain::SteadyClock clock;
  std::optional<domain::CircuitBreaker> breaker;
  std::optional<persistence::RedisRateLimiter> store;
};

WorkerRateLimiting::WorkerRateLimiting(const web::Config& config, PoolShared& shared, spdlog::logger& log) {
  domain::RateLimitStore* store = &shared.HostLimits();
  pool::PoolMetrics* metrics = shared.Metrics();
  if (!config.rate_limits.redis_url.empty()) {
    redis_ = std::make_unique<Redis>();
    domain::BreakerOptions options;
    options.failure_threshold = 3;
    options.open_duration = std::chrono::seconds(5);
    redis_->breaker.emplace("redis", options, redis_->clock, [&log](const domain::BreakerTransition& t) {
      const bool open = t.to == domain::BreakerState::kOpen;
      web::LogEvent(log, open ? web::LogLevel::kWarn : web::LogLevel::kInfo,
                    {{"type", "rate_limit_store_breaker"},
                     {"from", std::string(domain::ToString(t.from))},
                     {"to", std::string(domain::ToString(t.to))},
                     {"note", open ? "this host's own limits apply meanwhile" : ""}});
    });
    persistence::RedisRateLimiterOptions redis;
    redis.url = config.rate_limits.redis_url;
    redis.timeout = config.rate_limits.redis_timeout;
    redis.pool_size = static_cast<std::size_t>(config.threads);
    redis.on_error = [metrics, &log](std::string_view reason) {
      if (metrics != nullptr) metrics->RecordRateLimitStoreError();
      web::LogEvent(log, web::LogLevel::kWarn, {{"type", "rate_limit_store_error"}, {"reason", std::string(reason)}});
    };
    redis_->store.emplace(std::move(redis), *redis_->breaker, shared.HostLimits());
    store = &*redis_->store;
  }
  const auto on_limited = [metrics](std::string_view policy) {
    if (metrics == nullptr) return;
    for (std::size_t i = 0; i < pool::kLimitPolicies.size(); ++i) {
      if (pool::kLimitPolicies[i] == policy) metrics->RecordRateLimited(static_cast<pool::LimitPolicy>(i));
    }
  };
  limiting_ = std::make_unique<web::RateLimiting>(web::RateLimiting{*store, on_limited, config.rate_limits.enabled});
}

WorkerRateLimiting::~WorkerRateLimiting() = default;

}  // namespace gw::app
