#pragma once
/// @file A circuit breaker for one remote endpoint (Filebase's S3 API, its pinning API).
///
/// While an endpoint is down, every request that needs it would otherwise wait for its own
/// timeouts and retries, holding a worker thread each. The breaker counts consecutive failed
/// calls; at `failure_threshold` it opens and refuses calls at once for `open_duration` (the
/// caller answers 503 with Retry-After). Then it half-opens: exactly one probe call goes
/// through; its success closes the breaker, its failure opens it for another `open_duration`.
///
/// Only failures that say the endpoint is unwell count (connect errors, timeouts, 5xx, 429:
/// see remote_failure.hpp); an answer such as 403 or 404 proves the endpoint is up and counts as
/// a success. State is per process: each worker learns about an outage on its own, after at
/// most `failure_threshold` failed calls.

#include <chrono>
#include <functional>
#include <mutex>
#include <string>
#include <string_view>

#include "domain/clock.hpp"

namespace gw::domain {

enum class BreakerState { kClosed, kOpen, kHalfOpen };
std::string_view ToString(BreakerState state);

struct BreakerOptions {
  int failure_threshold = 5;  //!< consecutive failures that open the breaker (at least 1)
  std::chrono::milliseconds open_duration{60000};
};

/// A change of state, for the caller's log (one JSON event each).
struct BreakerTransition {
  std::string_view endpoint;
  BreakerState from;
  BreakerState to;
  int consecutive_failures;            //!< at the moment of the transition
  std::chrono::milliseconds open_for;  //!< how long calls will be refused; 0 unless `to` is kOpen
};

class CircuitBreaker {
 public:
  /// Called with the breaker's lock held, so that events arrive in the order they happened: it
  /// must be quick and must not call back into the breaker.
  using Listener = std::function<void(const BreakerTransition&)>;

  /// What Acquire hands out. A granted permit must be reported once, Succeeded or Failed; a
  /// granted permit dropped unreported (the call failed for a local reason, such as a file that
  /// could not be read) says nothing about the endpoint: it only frees the probe slot, if it
  /// held it. Reports for a state the breaker has since left are ignored (a slow call that was
  /// admitted before the breaker opened cannot close it). Must not outlive its breaker.
  class Permit {
   public:
    Permit(Permit&& other) noexcept;
    Permit& operator=(Permit&&) = delete;
    Permit(const Permit&) = delete;
    Permit& operator=(const Permit&) = delete;
    ~Permit();

    bool Granted() const { return breaker_ != nullptr; }
    /// For a refused permit: how long until the breaker admits a call again; 0 while another
    /// caller's probe is in flight (its outcome decides).
    std::chrono::milliseconds RetryAfter() const { return retry_after_; }
    void Succeeded();
    void Failed();

   private:
    friend class CircuitBreaker;
    Permit(CircuitBreaker* breaker, unsigned long generation, bool probe, std::chrono::milliseconds retry_after)
        : breaker_(breaker), generation_(generation), probe_(probe), retry_after_(retry_after) {}

    CircuitBreaker* breaker_;  // null once reported, and for a refusal
    unsigned long generation_;
    bool probe_;
    std::chrono::milliseconds retry_after_;
  };

  /// `clock` must outlive the breaker.
  CircuitBreaker(std::string endpoint, BreakerOptions options, const MonotonicClock& clock, Listener listener = {});
  CircuitBreaker(const CircuitBreaker&) = delete;
  CircuitBreaker& operator=(const CircuitBreaker&) = delete;

  /// Asks to make one call. Thread-safe.
  Permit Acquire();
  BreakerState State() const;
  const std::string& Endpoint() const { return endpoint_; }

 private:
  enum class Report { kSuccess, kFailure, kAbandon };
  void OnReport(const Permit& permit, Report report);
  void MoveTo(BreakerState to);  // with mutex_ held

  const std::string endpoint_;
  const BreakerOptions options_;
  const MonotonicClock& clock_;
  const Listener listener_;

  mutable std::mutex mutex_;
  BreakerState state_ = BreakerState::kClosed;
  unsigned long generation_ = 0;  // bumped by every transition: tells stale reports apart
  int consecutive_failures_ = 0;
  MonotonicClock::time_point open_until_{};
  bool probe_in_flight_ = false;
};

/// Seconds for a Retry-After header: rounded up, at least 1 (0 would invite an instant retry).
long RetryAfterSeconds(std::chrono::milliseconds wait);

}  // namespace gw::domain
