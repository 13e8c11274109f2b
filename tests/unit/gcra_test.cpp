#include <gtest/gtest.h>

#include <chrono>

#include "domain/rate_limit.hpp"

namespace gw::domain {
namespace {

using namespace std::chrono_literals;

constexpr std::int64_t kSecond = 1'000'000'000;
const RateLimit kHundredPerMinute{100, 1min, 10};  // one unit every 600 ms, 10 at once

// Spends `n` units one at a time at `now`; returns how many were allowed and the last TAT.
std::pair<int, std::int64_t> Spend(const RateLimit& limit, std::int64_t tat, std::int64_t now, int n) {
  int allowed = 0;
  for (int i = 0; i < n; ++i) {
    const auto step = Gcra(limit, tat, now, 1);
    if (step.decision.allowed) ++allowed;
    tat = step.new_tat_ns;
  }
  return {allowed, tat};
}

TEST(Gcra, AllowsExactlyTheBurstAtOnce) {
  const auto [allowed, tat] = Spend(kHundredPerMinute, 0, 1000 * kSecond, 25);
  EXPECT_EQ(allowed, 10);
  EXPECT_EQ(tat, 1000 * kSecond + 10 * 600'000'000LL);
}

TEST(Gcra, RefusalSaysWhenTheNextUnitComesBack) {
  const auto now = 1000 * kSecond;
  const auto [allowed, tat] = Spend(kHundredPerMinute, 0, now, 10);
  ASSERT_EQ(allowed, 10);
  const auto refused = Gcra(kHundredPerMinute, tat, now, 1);
  EXPECT_FALSE(refused.decision.allowed);
  EXPECT_EQ(refused.decision.remaining, 0);
  EXPECT_EQ(refused.decision.retry_after, 600ms);
  EXPECT_EQ(refused.decision.reset_after, 6s);
  EXPECT_EQ(refused.new_tat_ns, tat) << "a refusal must not spend anything";
  // Just before the retry time it is still refused; at it, allowed.
  EXPECT_FALSE(Gcra(kHundredPerMinute, tat, now + 599'999'999, 1).decision.allowed);
  EXPECT_TRUE(Gcra(kHundredPerMinute, tat, now + 600'000'000, 1).decision.allowed);
}

TEST(Gcra, RefillsAtTheLimitsRate) {
  const auto now = 1000 * kSecond;
  auto [allowed, tat] = Spend(kHundredPerMinute, 0, now, 10);
  // Three seconds later, five units (one per 600 ms) are back.
  std::tie(allowed, tat) = Spend(kHundredPerMinute, tat, now + 3 * kSecond, 10);
  EXPECT_EQ(allowed, 5);
}

TEST(Gcra, ReportsRemainingAndResetWhenAllowed) {
  const auto step = Gcra(kHundredPerMinute, 0, 1000 * kSecond, 1);
  EXPECT_TRUE(step.decision.allowed);
  EXPECT_EQ(step.decision.remaining, 9);
  EXPECT_EQ(step.decision.reset_after, 600ms);
}

TEST(Gcra, AStaleTatIsAFullBucket) {
  const auto [allowed, tat] = Spend(kHundredPerMinute, 5 * kSecond, 1000 * kSecond, 12);
  EXPECT_EQ(allowed, 10);
  (void)tat;
}

TEST(Gcra, CostsSpendSeveralUnitsAndACostAboveTheBurstNeverPasses) {
  const RateLimit bytes_per_day{1'000'000, 24h, 1'000'000};
  const auto now = 1000 * kSecond;
  const auto first = Gcra(bytes_per_day, 0, now, 600'000);
  ASSERT_TRUE(first.decision.allowed);
  EXPECT_EQ(first.decision.remaining, 400'000);
  const auto second = Gcra(bytes_per_day, first.new_tat_ns, now, 600'000);
  EXPECT_FALSE(second.decision.allowed);
  // 200,000 bytes come back in a fifth of a day.
  EXPECT_EQ(std::chrono::duration_cast<std::chrono::minutes>(second.decision.retry_after), 288min);
  EXPECT_FALSE(Gcra(bytes_per_day, 0, now, 1'000'001).decision.allowed);
}

TEST(Gcra, LargeBudgetsDoNotOverflowOrRound) {
  // 100 GiB a day: 804.66 ns per byte, a 100 MiB upload at a time.
  const std::int64_t budget = 100LL << 30;
  const RateLimit big{budget, 24h, budget};
  std::int64_t tat = 0;
  const std::int64_t now = 1'000'000 * kSecond;
  int uploads = 0;
  for (; uploads < 2000; ++uploads) {
    const auto step = Gcra(big, tat, now, 100LL << 20);
    if (!step.decision.allowed) break;
    tat = step.new_tat_ns;
  }
  EXPECT_EQ(uploads, 1024);
}

TEST(Gcra, ZeroMeansUnlimited) {
  const RateLimit unlimited{0, 1min, 0};
  EXPECT_TRUE(unlimited.Unlimited());
  const auto [allowed, tat] = Spend(unlimited, 0, kSecond, 10'000);
  EXPECT_EQ(allowed, 10'000);
}

}  // namespace
}  // namespace gw::domain
