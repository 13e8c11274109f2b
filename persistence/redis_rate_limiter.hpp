#pragma once
/// @file domain::RateLimitStore in Redis: one GCRA bucket per key, shared by every host that
/// points at the same Redis (GW_RATE_LIMIT_REDIS_URL).
///
/// Each Acquire runs one Lua script (EVALSHA; EVAL when Redis has forgotten it) that reads the
/// key's TAT, takes the time from Redis's own clock (TIME, so hosts with skewed clocks agree),
/// decides, and stores the new TAT with an expiry at the moment the bucket is full again: idle
/// keys vanish. The script is atomic, so the budget holds across every process and host. The
/// decision's numbers (remaining, retry_after, reset_after) come from domain::Gcra on the TAT
/// and time the script saw: Lua 5.1 numbers are doubles, too narrow for nanosecond products.
///
/// Redis must never make a request fail or wait: every call goes through the circuit breaker
/// given to the constructor, with short timeouts (connect, each command, waiting for a pooled
/// connection). A failed call, and every call while the breaker is open, is answered by the
/// fallback store (the host's own limiter). A bucket that takes longer than 52 days to refill
/// is always the fallback's (the script's arithmetic is exact below that).
///
/// Thread-safe; create it in the process that uses it (connections do not survive fork()), and
/// ignore SIGPIPE there (the workers do): a write to a connection Redis closed would kill it.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "domain/circuit_breaker.hpp"
#include "domain/rate_limit.hpp"

namespace gw::persistence {

struct RedisRateLimiterOptions {
  /// redis://[[user]:password@]host[:port][/db] (port 6379, db 0 by default), or
  /// redis+unix://[[user]:password@]/path/to/redis.sock[?db=N] (also unix://...).
  std::string url;
  /// For connecting, for each command's answer, and for a free pooled connection.
  std::chrono::milliseconds timeout{200};
  std::string prefix = "gw:";                //!< keys are <prefix>rl:<key>
  std::size_t pool_size = 8;                 //!< connections at most (one per concurrently calling thread)
  std::string client_name = "ipfs-gateway";  //!< CLIENT SETNAME: how CLIENT LIST shows them
  /// Called once per failed call (connection refused, timeout, Redis error), with a short reason
  /// that never contains the URL's password: for a counter (gw_rate_limit_store_errors_total)
  /// or a log line. Must be quick and thread-safe.
  std::function<void(std::string_view reason)> on_error;
};

class RedisRateLimiter final : public domain::RateLimitStore {
 public:
  /// `breaker` (Redis's, e.g. named "redis") and `fallback` must outlive the limiter. Connects
  /// lazily: an unreachable Redis at start only opens the breaker. Throws std::invalid_argument
  /// for a malformed URL (the message leaves the password out).
  RedisRateLimiter(RedisRateLimiterOptions options, domain::CircuitBreaker& breaker, domain::RateLimitStore& fallback);
  ~RedisRateLimiter() override;
  RedisRateLimiter(const RedisRateLimiter&) = delete;
  RedisRateLimiter& operator=(const RedisRateLimiter&) = delete;

  domain::RateDecision Acquire(std::string_view key, const domain::RateLimit& limit, std::int64_t cost) override;

  /// For tests of the script's arithmetic: Acquire with `now_ns` (>= 0) in place of Redis's
  /// clock, straight to Redis (no breaker, no fallback: errors throw).
  domain::RateDecision AcquireAt(std::string_view key, const domain::RateLimit& limit, std::int64_t cost,
                                 std::int64_t now_ns);

 private:
  class Connections;  // redis_rate_limiter.cpp: the pool and the script, Poco stays there

  domain::RateDecision Run(std::string_view key, const domain::RateLimit& limit, std::int64_t cost,
                           std::string_view now_ns);

  RedisRateLimiterOptions options_;
  domain::CircuitBreaker& breaker_;
  domain::RateLimitStore& fallback_;
  std::unique_ptr<Connections> connections_;
};

}  // namespace gw::persistence
