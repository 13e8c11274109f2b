#pragma once
/// @file Rate limits: the GCRA rule (pure arithmetic on one stored time) and the port where that
/// time is kept.
///
/// GCRA (the generic cell rate algorithm) keeps one number per limited key: the "theoretical
/// arrival time" (TAT) at which its bucket would be full again. A request costing n units is
/// allowed when, after adding n emission intervals, the TAT is no further ahead of now than the
/// burst allows. One number per key is what makes the limit exact across processes: it can live
/// in one atomic word of shared memory (fcgi/pool/) or one Redis key (persistence/), updated by
/// compare-and-swap or a server-side script.

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

namespace gw::domain {

/// What a plan allows one user (plans live in PostgreSQL; a per-user override replaces any of
/// them). Zero means unlimited.
struct PlanLimits {
  std::int64_t requests_per_minute = 600;
  std::int64_t burst = 100;               //!< requests that may arrive at once
  std::int64_t upload_bytes_per_day = 0;  //!< bytes of uploads per rolling day
};

/// `count` units per `period`, up to `burst` of them at once. count == 0: unlimited.
struct RateLimit {
  std::int64_t count = 0;
  std::chrono::nanoseconds period{std::chrono::minutes(1)};
  std::int64_t burst = 0;

  bool Unlimited() const { return count <= 0 || burst <= 0; }
};

/// The outcome of one attempt, with what the response headers need.
struct RateDecision {
  bool allowed = true;
  std::int64_t remaining = 0;               //!< units still available right now
  std::chrono::nanoseconds retry_after{0};  //!< when refused: until the same request would pass
  std::chrono::nanoseconds reset_after{0};  //!< until the bucket is full again
};

/// One GCRA step. `tat_ns` is the stored theoretical arrival time (0 or anything in the past:
/// a full bucket), `now_ns` the current time on the same clock. Returns the decision and the TAT
/// to store (unchanged when refused). A cost larger than the burst is never allowed.
struct GcraStep {
  RateDecision decision;
  std::int64_t new_tat_ns = 0;
};
GcraStep Gcra(const RateLimit& limit, std::int64_t tat_ns, std::int64_t now_ns, std::int64_t cost);

/// Port: where the TATs live. Implementations: shared memory of one host's worker pool
/// (fcgi/pool/shm_rate_limiter), Redis for several hosts (persistence/redis_rate_limiter).
/// `key` is short and opaque ("key:42", "ip:203.0.113.7", "upload:42"); `Acquire` is atomic per
/// key across every process using the same store.
class RateLimitStore {
 public:
  virtual ~RateLimitStore() = default;
  virtual RateDecision Acquire(std::string_view key, const RateLimit& limit, std::int64_t cost) = 0;
};

}  // namespace gw::domain
