#pragma once
/// @file Retries of remote calls: exponential backoff with full jitter, behind a circuit breaker.
///
/// Every remote call goes through BackoffRetry::Run: before each attempt it asks the breaker
/// (refused: Error kStorageUnavailable at once, with `retry_after_seconds` in its details),
/// reports each outcome to it, retries transient failures (remote_failure.hpp) after a delay
/// and turns the last failure into a domain::Error. Only RemoteCallFailed is retried; any other
/// exception (a local file that cannot be read) passes through untouched after the first try.
///
/// Full jitter (delay = random(0, min(cap, base * 2^retry))) rather than the job queue's equal
/// jitter (job.hpp): these retries happen inside a request, where a quick first retry is worth
/// having, and callers that failed together (a throttled burst) spread out the most.

#include <chrono>
#include <functional>
#include <optional>
#include <string_view>
#include <type_traits>
#include <utility>

#include "domain/circuit_breaker.hpp"
#include "domain/ports.hpp"
#include "domain/remote_failure.hpp"

namespace gw::domain {

struct BackoffOptions {
  int max_attempts = 4;  //!< attempts per call, the first included (at least 1)
  std::chrono::milliseconds base_delay{100};
  std::chrono::milliseconds max_delay{5000};
};

/// The wait before retry number `retry` (0 for the first retry, after attempt 1):
/// `random01` (in [0, 1), clamped) times min(max_delay, base_delay * 2^retry). Never overflows.
std::chrono::milliseconds FullJitterDelay(const BackoffOptions& options, int retry, double random01);

class BackoffRetry {
 public:
  using Sleep = std::function<void(std::chrono::milliseconds)>;
  /// Uniform in [0, 1); called from many threads at once.
  using Random01 = std::function<double()>;
  /// Told of every retry before its wait (for the caller's log): the endpoint, the operation,
  /// the attempt that failed, the failure and the wait.
  struct RetryEvent {
    std::string_view endpoint;
    std::string_view operation;
    int failed_attempt;
    const RemoteFailure& failure;
    std::chrono::milliseconds delay;
  };
  using RetryListener = std::function<void(const RetryEvent&)>;

  BackoffRetry(BackoffOptions options, Random01 random01, Sleep sleep, RetryListener on_retry = {});

  /// std::this_thread::sleep_for.
  static Sleep ThreadSleep();
  /// Uniform draws from `source` (thread-safe when the source is); `source` must outlive them.
  static Random01 UniformFrom(RandomSource& source);

  /// Calls `call(attempt)` (attempt counts from 1) until it returns, and returns its result.
  /// Throws kStorageUnavailable when the breaker refuses or transient failures used up every
  /// attempt, kStorageAuthFailed or kStorageError at once for failures no retry can cure.
  template <class Call>
  std::invoke_result_t<Call&, int> Run(CircuitBreaker& breaker, std::string_view operation, Call&& call) const {
    using Result = std::invoke_result_t<Call&, int>;
    if constexpr (std::is_void_v<Result>) {
      RunAttempts(breaker, operation, [&call](int attempt) { call(attempt); });
    } else {
      std::optional<Result> result;
      RunAttempts(breaker, operation, [&call, &result](int attempt) { result.emplace(call(attempt)); });
      return std::move(*result);
    }
  }

  const BackoffOptions& Options() const { return options_; }

 private:
  void RunAttempts(CircuitBreaker& breaker, std::string_view operation, const std::function<void(int)>& call) const;

  BackoffOptions options_;
  Random01 random01_;
  Sleep sleep_;
  RetryListener on_retry_;
};

}  // namespace gw::domain
