#include "domain/usage_counter.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <thread>
#include <vector>

namespace gw::domain {
namespace {

std::int64_t CountFor(const std::vector<UsageCounter::Delta>& deltas, UserId user) {
  std::int64_t sum = 0;
  for (const auto& delta : deltas) {
    if (delta.user_id == user) sum += delta.count;
  }
  return sum;
}

TEST(UsageCounter, PendingIsZeroForAnUnknownUser) {
  UsageCounter counter;
  EXPECT_EQ(counter.Pending(42), 0);
}

TEST(UsageCounter, AddAccumulatesPerUser) {
  UsageCounter counter;
  counter.Add(1);
  counter.Add(1);
  counter.Add(2, 5);
  EXPECT_EQ(counter.Pending(1), 2);
  EXPECT_EQ(counter.Pending(2), 5);
}

TEST(UsageCounter, TakeAllReturnsOneDeltaPerUserAndEmptiesTheCounter) {
  UsageCounter counter;
  counter.Add(1);
  counter.Add(1);
  counter.Add(2, 3);
  const auto deltas = counter.TakeAll();
  EXPECT_EQ(deltas.size(), 2u);
  EXPECT_EQ(CountFor(deltas, 1), 2);
  EXPECT_EQ(CountFor(deltas, 2), 3);
  EXPECT_EQ(counter.Pending(1), 0);
  EXPECT_TRUE(counter.TakeAll().empty());
}

TEST(UsageCounter, RestoreAddsBackToCountsMadeSinceTheTake) {
  UsageCounter counter;
  counter.Add(1, 4);
  const auto deltas = counter.TakeAll();
  counter.Add(1);  // a request during the failed flush
  counter.Restore(deltas);
  EXPECT_EQ(counter.Pending(1), 5);
}

TEST(UsageCounter, ConcurrentAddsSumExactly) {
  UsageCounter counter;
  constexpr int kThreads = 8;
  constexpr int kPerThread = 20'000;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&counter, t] {
      for (int i = 0; i < kPerThread; ++i) counter.Add(1 + (i % 2), 1);
      counter.Add(100 + t, 1);
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(counter.Pending(1) + counter.Pending(2), std::int64_t{kThreads} * kPerThread);
  EXPECT_EQ(counter.Pending(1), std::int64_t{kThreads} * kPerThread / 2);
  for (int t = 0; t < kThreads; ++t) EXPECT_EQ(counter.Pending(100 + t), 1);
}

TEST(UsageCounter, ConcurrentAddsAndTakesLoseNothing) {
  UsageCounter counter;
  constexpr int kThreads = 4;
  constexpr int kPerThread = 20'000;
  std::int64_t taken = 0;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&counter] {
      for (int i = 0; i < kPerThread; ++i) counter.Add(7);
    });
  }
  std::thread flusher([&] {
    for (int i = 0; i < 200; ++i) taken += CountFor(counter.TakeAll(), 7);
  });
  for (auto& thread : threads) thread.join();
  flusher.join();
  taken += CountFor(counter.TakeAll(), 7);
  EXPECT_EQ(taken, std::int64_t{kThreads} * kPerThread);
}

}  // namespace
}  // namespace gw::domain
