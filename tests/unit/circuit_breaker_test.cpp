#include "domain/circuit_breaker.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>
#include <vector>

#include "fake_clock.hpp"

namespace gw::domain {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

class CircuitBreakerTest : public ::testing::Test {
 protected:
  CircuitBreaker MakeBreaker(BreakerOptions options = {}) {
    return CircuitBreaker("s3", options, clock_, [this](const BreakerTransition& t) { transitions_.push_back(t); });
  }
  static void Fail(CircuitBreaker& breaker, int times) {
    for (int i = 0; i < times; ++i) {
      auto permit = breaker.Acquire();
      ASSERT_TRUE(permit.Granted()) << "failure " << i;
      permit.Failed();
    }
  }

  test::FakeClock clock_;
  std::vector<BreakerTransition> transitions_;
};

TEST_F(CircuitBreakerTest, OpensAfterFiveConsecutiveFailuresByDefault) {
  auto breaker = MakeBreaker();
  Fail(breaker, 4);
  EXPECT_EQ(breaker.State(), BreakerState::kClosed);
  EXPECT_TRUE(transitions_.empty());
  Fail(breaker, 1);
  EXPECT_EQ(breaker.State(), BreakerState::kOpen);
  ASSERT_EQ(transitions_.size(), 1u);
  EXPECT_EQ(transitions_[0].endpoint, "s3");
  EXPECT_EQ(transitions_[0].from, BreakerState::kClosed);
  EXPECT_EQ(transitions_[0].to, BreakerState::kOpen);
  EXPECT_EQ(transitions_[0].consecutive_failures, 5);
  EXPECT_EQ(transitions_[0].open_for, seconds(60));
}

TEST_F(CircuitBreakerTest, ASuccessResetsTheCountOfConsecutiveFailures) {
  auto breaker = MakeBreaker();
  Fail(breaker, 4);
  breaker.Acquire().Succeeded();
  Fail(breaker, 4);
  EXPECT_EQ(breaker.State(), BreakerState::kClosed);
}

TEST_F(CircuitBreakerTest, WhileOpenRefusesWithTheRemainingOpenTime) {
  auto breaker = MakeBreaker();
  Fail(breaker, 5);
  clock_.Advance(seconds(20));
  const auto refused = breaker.Acquire();
  EXPECT_FALSE(refused.Granted());
  EXPECT_EQ(refused.RetryAfter(), seconds(40));
  clock_.Advance(milliseconds(39999));
  EXPECT_EQ(breaker.Acquire().RetryAfter(), milliseconds(1));
}

TEST_F(CircuitBreakerTest, HalfOpensAfterTheOpenDurationAndAdmitsExactlyOneProbe) {
  auto breaker = MakeBreaker();
  Fail(breaker, 5);
  clock_.Advance(seconds(60));
  auto probe = breaker.Acquire();
  EXPECT_TRUE(probe.Granted());
  EXPECT_EQ(breaker.State(), BreakerState::kHalfOpen);
  for (int i = 0; i < 3; ++i) {
    const auto other = breaker.Acquire();
    EXPECT_FALSE(other.Granted());
    EXPECT_EQ(other.RetryAfter(), milliseconds(0));  // the probe decides
  }
  probe.Succeeded();
  EXPECT_EQ(breaker.State(), BreakerState::kClosed);
  EXPECT_TRUE(breaker.Acquire().Granted());
  ASSERT_EQ(transitions_.size(), 3u);
  EXPECT_EQ(transitions_[1].to, BreakerState::kHalfOpen);
  EXPECT_EQ(transitions_[2].from, BreakerState::kHalfOpen);
  EXPECT_EQ(transitions_[2].to, BreakerState::kClosed);
}

TEST_F(CircuitBreakerTest, AFailedProbeReopensForAnotherFullDuration) {
  auto breaker = MakeBreaker();
  Fail(breaker, 5);
  clock_.Advance(seconds(61));
  Fail(breaker, 1);
  EXPECT_EQ(breaker.State(), BreakerState::kOpen);
  EXPECT_EQ(breaker.Acquire().RetryAfter(), seconds(60));
  ASSERT_EQ(transitions_.size(), 3u);
  EXPECT_EQ(transitions_[2].from, BreakerState::kHalfOpen);
  EXPECT_EQ(transitions_[2].to, BreakerState::kOpen);
  EXPECT_EQ(transitions_[2].open_for, seconds(60));
}

TEST_F(CircuitBreakerTest, AnUnreportedProbeFreesTheSlotForTheNextCaller) {
  auto breaker = MakeBreaker();
  Fail(breaker, 5);
  clock_.Advance(seconds(60));
  { const auto abandoned = breaker.Acquire(); }  // a local failure: says nothing about the endpoint
  EXPECT_EQ(breaker.State(), BreakerState::kHalfOpen);
  auto probe = breaker.Acquire();
  EXPECT_TRUE(probe.Granted());
  probe.Succeeded();
  EXPECT_EQ(breaker.State(), BreakerState::kClosed);
}

TEST_F(CircuitBreakerTest, ReportsFromAStateTheBreakerHasLeftAreIgnored) {
  auto breaker = MakeBreaker();
  auto slow = breaker.Acquire();  // admitted while closed, answers after the breaker opened
  Fail(breaker, 5);
  slow.Succeeded();
  EXPECT_EQ(breaker.State(), BreakerState::kOpen);
  clock_.Advance(seconds(60));
  auto probe = breaker.Acquire();
  auto late = std::move(slow);  // already reported: reporting again is a no-op
  late.Failed();
  EXPECT_EQ(breaker.State(), BreakerState::kHalfOpen);
  probe.Succeeded();
  EXPECT_EQ(breaker.State(), BreakerState::kClosed);
}

TEST_F(CircuitBreakerTest, ThresholdAndDurationAreConfigurable) {
  auto breaker = MakeBreaker({.failure_threshold = 2, .open_duration = seconds(5)});
  Fail(breaker, 2);
  EXPECT_EQ(breaker.Acquire().RetryAfter(), seconds(5));
  clock_.Advance(seconds(5));
  EXPECT_TRUE(breaker.Acquire().Granted());
}

TEST_F(CircuitBreakerTest, ConcurrentCallersOpenItOnceAndAdmitOneProbe) {
  auto breaker = MakeBreaker();
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&breaker] {
      for (int i = 0; i < 1000; ++i) {
        auto permit = breaker.Acquire();
        if (permit.Granted()) permit.Failed();
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(breaker.State(), BreakerState::kOpen);
  ASSERT_EQ(transitions_.size(), 1u);

  clock_.Advance(seconds(60));
  std::atomic<int> granted{0};
  std::vector<CircuitBreaker::Permit> probes;
  std::mutex probes_mutex;
  threads.clear();
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&] {
      auto permit = breaker.Acquire();
      if (permit.Granted()) {
        ++granted;
        const std::lock_guard lock(probes_mutex);
        probes.push_back(std::move(permit));
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(granted.load(), 1);
}

TEST(RetryAfterSeconds, RoundsUpAndIsAtLeastOne) {
  EXPECT_EQ(RetryAfterSeconds(milliseconds(0)), 1);
  EXPECT_EQ(RetryAfterSeconds(milliseconds(1)), 1);
  EXPECT_EQ(RetryAfterSeconds(milliseconds(1000)), 1);
  EXPECT_EQ(RetryAfterSeconds(milliseconds(1001)), 2);
  EXPECT_EQ(RetryAfterSeconds(seconds(60)), 60);
}

}  // namespace
}  // namespace gw::domain
