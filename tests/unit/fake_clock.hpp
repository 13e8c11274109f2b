// A MonotonicClock that moves only when a test says so.
#pragma once

#include <chrono>

#include "domain/clock.hpp"

namespace gw::test {

class FakeClock final : public domain::MonotonicClock {
 public:
  time_point Now() const override { return now_; }
  void Advance(std::chrono::milliseconds by) { now_ += by; }

 private:
  time_point now_{std::chrono::hours(1000)};
};

}  // namespace gw::test
