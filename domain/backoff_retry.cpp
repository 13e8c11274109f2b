#include "domain/backoff_retry.hpp"

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstring>
#include <string>
#include <thread>

namespace gw::domain {
namespace {

Error Refused(const CircuitBreaker& breaker, std::string_view operation, std::chrono::milliseconds retry_after,
              const std::optional<RemoteFailure>& last_failure) {
  const long seconds = RetryAfterSeconds(retry_after);
  std::string internal = breaker.Endpoint() + " " + std::string(operation) + ": circuit breaker open, call refused";
  if (last_failure) internal += " (last failure: " + Describe(*last_failure) + ")";
  return Error(ErrorCode::kStorageUnavailable, {}, {{"retry_after_seconds", std::to_string(seconds)}},
               std::move(internal));
}

}  // namespace

std::chrono::milliseconds FullJitterDelay(const BackoffOptions& options, int retry, double random01) {
  const std::int64_t max_delay = std::max<std::int64_t>(0, options.max_delay.count());
  // Doubling stops at the cap, so a huge retry number cannot overflow.
  std::int64_t ceiling = std::clamp<std::int64_t>(options.base_delay.count(), 0, max_delay);
  for (int i = 0; i < retry && ceiling < max_delay; ++i) ceiling = std::min(ceiling * 2, max_delay);
  // NaN fails both comparisons and ends up 0.
  const double u = random01 >= 0.0 && random01 < 1.0 ? random01 : (random01 >= 1.0 ? 1.0 : 0.0);
  return std::chrono::milliseconds(static_cast<std::int64_t>(static_cast<double>(ceiling) * u));
}

BackoffRetry::BackoffRetry(BackoffOptions options, Random01 random01, Sleep sleep, RetryListener on_retry)
    : options_(options), random01_(std::move(random01)), sleep_(std::move(sleep)), on_retry_(std::move(on_retry)) {
  options_.max_attempts = std::max(1, options_.max_attempts);
}

BackoffRetry::Sleep BackoffRetry::ThreadSleep() {
  return [](std::chrono::milliseconds delay) { std::this_thread::sleep_for(delay); };
}

BackoffRetry::Random01 BackoffRetry::UniformFrom(RandomSource& source) {
  return [&source] {
    std::array<unsigned char, sizeof(std::uint64_t)> bytes{};
    source.Fill(bytes);
    std::uint64_t value = 0;
    std::memcpy(&value, bytes.data(), sizeof value);
    return static_cast<double>(value >> 11) * 0x1.0p-53;  // 53 random bits: uniform in [0, 1)
  };
}

void BackoffRetry::RunAttempts(CircuitBreaker& breaker, std::string_view operation,
                               const std::function<void(int)>& call) const {
  std::optional<RemoteFailure> last_failure;
  for (int attempt = 1;; ++attempt) {
    CircuitBreaker::Permit permit = breaker.Acquire();
    if (!permit.Granted()) throw Refused(breaker, operation, permit.RetryAfter(), last_failure);
    try {
      call(attempt);
      permit.Succeeded();
      return;
    } catch (const RemoteCallFailed& failed) {
      const FailureClass failure_class = Classify(failed.Failure());
      // Only transient failures say the endpoint is unwell; a 403 or a 404 is a healthy answer.
      if (failure_class == FailureClass::kTransient) {
        permit.Failed();
      } else {
        permit.Succeeded();
      }
      if (failure_class != FailureClass::kTransient || attempt >= options_.max_attempts) {
        throw ToStorageError(failed.Failure(), breaker.Endpoint(), operation, attempt);
      }
      last_failure = failed.Failure();
    }
    // No point waiting for an attempt the breaker will refuse: the next Acquire reports it.
    if (breaker.State() == BreakerState::kOpen) continue;
    const auto delay = FullJitterDelay(options_, attempt - 1, random01_());
    if (on_retry_) on_retry_({breaker.Endpoint(), operation, attempt, *last_failure, delay});
    sleep_(delay);
  }
}

}  // namespace gw::domain
