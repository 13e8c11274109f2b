#pragma once
/// @file A monotonic clock as a port, so that time-driven rules (the circuit breaker) are tested
/// with a fake clock instead of sleeping.

#include <chrono>

namespace gw::domain {

class MonotonicClock {
 public:
  using time_point = std::chrono::steady_clock::time_point;
  virtual ~MonotonicClock() = default;
  virtual time_point Now() const = 0;
};

/// std::chrono::steady_clock: never jumps with the wall clock, so an open breaker stays open for
/// its full duration even when NTP adjusts the time.
class SteadyClock final : public MonotonicClock {
 public:
  time_point Now() const override { return std::chrono::steady_clock::now(); }
};

}  // namespace gw::domain
