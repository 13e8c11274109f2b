// The host's rate-limit table: exact when several processes spend one budget at once.
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <thread>
#include <vector>

#include "fcgi/pool/pool_metrics.hpp"
#include "fcgi/pool/shared_region.hpp"
#include "fcgi/pool/shm_rate_limiter.hpp"

namespace gw::pool {
namespace {

using namespace std::chrono_literals;

constexpr std::int64_t kNow = 3600LL * 1'000'000'000;  // any time on the monotonic clock
const domain::RateLimit kLimit{100, 1min, 50};

TEST(ShmRateLimiter, OneKeyGetsExactlyItsBurst) {
  ShmRateLimiter limiter(1024);
  int allowed = 0;
  for (int i = 0; i < 80; ++i) allowed += limiter.AcquireAt("key:1", kLimit, 1, kNow).allowed ? 1 : 0;
  EXPECT_EQ(allowed, 50);
  // Other keys have budgets of their own.
  EXPECT_TRUE(limiter.AcquireAt("key:2", kLimit, 1, kNow).allowed);
  EXPECT_TRUE(limiter.AcquireAt("ip:192.0.2.1", kLimit, 1, kNow).allowed);
}

TEST(ShmRateLimiter, ProcessesForkedAfterItShareEveryBudgetExactly) {
  ShmRateLimiter limiter(1024);
  Shared<std::atomic<int>> allowed_total;
  constexpr int kProcesses = 6;
  constexpr int kThreads = 4;
  constexpr int kAttempts = 40;  // 960 attempts at one budget of 50
  std::vector<pid_t> children;
  for (int p = 0; p < kProcesses; ++p) {
    const pid_t pid = fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
      std::vector<std::thread> threads;
      for (int t = 0; t < kThreads; ++t) {
        threads.emplace_back([&] {
          for (int i = 0; i < kAttempts; ++i) {
            if (limiter.AcquireAt("key:shared", kLimit, 1, kNow).allowed) allowed_total->fetch_add(1);
          }
        });
      }
      for (auto& thread : threads) thread.join();
      _exit(0);
    }
    children.push_back(pid);
  }
  for (const pid_t pid : children) {
    int status = 0;
    ASSERT_EQ(waitpid(pid, &status, 0), pid);
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  }
  EXPECT_EQ(allowed_total->load(), 50);
  EXPECT_FALSE(limiter.AcquireAt("key:shared", kLimit, 1, kNow).allowed);
}

TEST(ShmRateLimiter, RefillsWithTime) {
  ShmRateLimiter limiter(1024);
  for (int i = 0; i < 50; ++i) ASSERT_TRUE(limiter.AcquireAt("k", kLimit, 1, kNow).allowed);
  const auto refused = limiter.AcquireAt("k", kLimit, 1, kNow);
  EXPECT_FALSE(refused.allowed);
  EXPECT_EQ(refused.retry_after, 600ms);
  EXPECT_TRUE(limiter.AcquireAt("k", kLimit, 1, kNow + 600'000'000).allowed);
}

TEST(ShmRateLimiter, FullBucketsGiveTheirSlotsToNewKeys) {
  int table_full = 0;
  ShmRateLimiter limiter(2, [&] { ++table_full; });  // a table of two slots
  ASSERT_TRUE(limiter.AcquireAt("a", kLimit, 1, kNow).allowed);
  ASSERT_TRUE(limiter.AcquireAt("b", kLimit, 1, kNow).allowed);
  // Both slots hold a key still refilling: a third key is let through and counted.
  EXPECT_TRUE(limiter.AcquireAt("c", kLimit, 1, kNow).allowed);
  EXPECT_EQ(table_full, 1);
  // 600 ms later "a" and "b" are full again, so "c" takes one of their slots...
  const std::int64_t later = kNow + 600'000'000;
  for (int i = 0; i < 50; ++i) ASSERT_TRUE(limiter.AcquireAt("c", kLimit, 1, later).allowed);
  EXPECT_FALSE(limiter.AcquireAt("c", kLimit, 1, later).allowed) << "c must keep its own slot";
  EXPECT_EQ(table_full, 1);
}

TEST(ShmRateLimiter, UnlimitedNeverTouchesTheTable) {
  int table_full = 0;
  ShmRateLimiter limiter(2, [&] { ++table_full; });
  for (int i = 0; i < 100; ++i) EXPECT_TRUE(limiter.AcquireAt(std::to_string(i), {0, 1min, 0}, 1, kNow).allowed);
  EXPECT_EQ(table_full, 0);
}

}  // namespace
}  // namespace gw::pool
