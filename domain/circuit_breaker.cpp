#include "domain/circuit_breaker.hpp"

#include <algorithm>
#include <utility>

namespace gw::domain {

std::string_view ToString(BreakerState state) {
  switch (state) {
    case BreakerState::kClosed: return "closed";
    case BreakerState::kOpen: return "open";
    case BreakerState::kHalfOpen: return "half_open";
  }
  return "unknown";
}

long RetryAfterSeconds(std::chrono::milliseconds wait) {
  return std::max<long>(1, static_cast<long>((wait.count() + 999) / 1000));
}

CircuitBreaker::Permit::Permit(Permit&& other) noexcept
    : breaker_(std::exchange(other.breaker_, nullptr)),
      generation_(other.generation_),
      probe_(other.probe_),
      retry_after_(other.retry_after_) {}

CircuitBreaker::Permit::~Permit() {
  if (breaker_ != nullptr) breaker_->OnReport(*this, Report::kAbandon);
}

void CircuitBreaker::Permit::Succeeded() {
  if (breaker_ != nullptr) std::exchange(breaker_, nullptr)->OnReport(*this, Report::kSuccess);
}

void CircuitBreaker::Permit::Failed() {
  if (breaker_ != nullptr) std::exchange(breaker_, nullptr)->OnReport(*this, Report::kFailure);
}

CircuitBreaker::CircuitBreaker(std::string endpoint, BreakerOptions options, const MonotonicClock& clock,
                               Listener listener)
    : endpoint_(std::move(endpoint)),
      options_{std::max(1, options.failure_threshold), std::max(std::chrono::milliseconds(0), options.open_duration)},
      clock_(clock),
      listener_(std::move(listener)) {}

CircuitBreaker::Permit CircuitBreaker::Acquire() {
  const std::lock_guard lock(mutex_);
  if (state_ == BreakerState::kOpen) {
    const auto now = clock_.Now();
    if (now < open_until_) {
      return Permit(nullptr, generation_, false, std::chrono::ceil<std::chrono::milliseconds>(open_until_ - now));
    }
    MoveTo(BreakerState::kHalfOpen);
  }
  if (state_ == BreakerState::kHalfOpen) {
    if (probe_in_flight_) return Permit(nullptr, generation_, false, std::chrono::milliseconds(0));
    probe_in_flight_ = true;
    return Permit(this, generation_, true, std::chrono::milliseconds(0));
  }
  return Permit(this, generation_, false, std::chrono::milliseconds(0));
}

BreakerState CircuitBreaker::State() const {
  const std::lock_guard lock(mutex_);
  return state_;
}

void CircuitBreaker::OnReport(const Permit& permit, Report report) {
  const std::lock_guard lock(mutex_);
  if (permit.generation_ != generation_) return;  // admitted in a state the breaker has left
  if (permit.probe_) probe_in_flight_ = false;
  switch (report) {
    case Report::kAbandon: return;
    case Report::kSuccess:
      consecutive_failures_ = 0;
      if (state_ == BreakerState::kHalfOpen) MoveTo(BreakerState::kClosed);
      return;
    case Report::kFailure:
      ++consecutive_failures_;
      // A failed probe re-opens at once; a closed breaker opens at the threshold.
      if (state_ == BreakerState::kHalfOpen || consecutive_failures_ >= options_.failure_threshold) {
        open_until_ = clock_.Now() + options_.open_duration;
        MoveTo(BreakerState::kOpen);
      }
      return;
  }
}

void CircuitBreaker::MoveTo(BreakerState to) {
  const BreakerState from = state_;
  state_ = to;
  ++generation_;
  probe_in_flight_ = false;
  if (listener_) {
    listener_(BreakerTransition{endpoint_, from, to, consecutive_failures_,
                                to == BreakerState::kOpen ? options_.open_duration : std::chrono::milliseconds(0)});
  }
}

}  // namespace gw::domain
