// The Redis rate-limit store against a real redis-server: budgets, concurrency, expiry, two hosts
// on one budget, and the script's arithmetic against domain::Gcra.
#include <Poco/Redis/Type.h>

#include <chrono>
#include <random>
#include <thread>
#include <vector>

#include "redis_test_support.hpp"

namespace gw::persistence::testing {
namespace {

using namespace std::chrono_literals;

std::int64_t Integer(const Poco::Redis::RedisType::Ptr& reply) {
  return static_cast<const Poco::Redis::Type<Poco::Int64>&>(*reply).value();
}

// `threads` threads each try `attempts` times at once; returns how many were allowed.
int AllowedOf(const std::vector<RedisRateLimiter*>& limiters, int threads, int attempts, std::string_view key,
              const domain::RateLimit& limit) {
  std::atomic<int> allowed{0};
  std::atomic<bool> go{false};
  std::vector<std::thread> pool;
  for (int t = 0; t < threads; ++t) {
    pool.emplace_back([&, t] {
      while (!go) std::this_thread::yield();
      for (int i = 0; i < attempts; ++i) {
        if (limiters[t % limiters.size()]->Acquire(key, limit, 1).allowed) ++allowed;
      }
    });
  }
  go = true;
  for (auto& thread : pool) thread.join();
  return allowed;
}

class RedisRateLimiterTest : public RedisTest {};

TEST_F(RedisRateLimiterTest, ExactlyTheBurstOfConcurrentAcquiresSucceeds) {
  Host host(Options());
  const domain::RateLimit limit{10, 1h, 50};  // refills one request per 6 minutes: none during the test
  const int allowed = AllowedOf({host.limiter.get()}, 8, 20, "key:1", limit);
  EXPECT_EQ(allowed, 50);
  EXPECT_EQ(host.fallback.calls, 0);
  EXPECT_EQ(host.errors, 0) << host.last_error;
}

TEST_F(RedisRateLimiterTest, TwoHostsShareOneBudget) {
  Host a(Options());
  Host b(Options());
  const domain::RateLimit limit{10, 1h, 40};
  const int allowed = AllowedOf({a.limiter.get(), b.limiter.get()}, 8, 15, "key:2", limit);
  EXPECT_EQ(allowed, 40);
  EXPECT_EQ(a.fallback.calls + b.fallback.calls, 0);
  // Once one host has drained it, the other is refused too.
  EXPECT_FALSE(a.limiter->Acquire("key:2", limit, 1).allowed);
  EXPECT_FALSE(b.limiter->Acquire("key:2", limit, 1).allowed);
}

TEST_F(RedisRateLimiterTest, ARefusalCarriesTheWaitUntilTheRequestWouldPass) {
  Host host(Options());
  const domain::RateLimit limit{60, 1min, 5};  // one per second, five at once
  for (int i = 0; i < 5; ++i) {
    const auto decision = host.limiter->Acquire("key:3", limit, 1);
    ASSERT_TRUE(decision.allowed) << i;
    EXPECT_EQ(decision.remaining, 4 - i);
  }
  const auto refused = host.limiter->Acquire("key:3", limit, 1);
  EXPECT_FALSE(refused.allowed);
  EXPECT_EQ(refused.remaining, 0);
  // the next unit comes back one interval after the first was taken, less the time since
  EXPECT_GT(refused.retry_after, 500ms);
  EXPECT_LE(refused.retry_after, 1s);
  EXPECT_GT(refused.reset_after, 4s);
  EXPECT_LE(refused.reset_after, 5s);
  EXPECT_EQ(host.fallback.calls, 0);
}

TEST_F(RedisRateLimiterTest, CostsSpendAByteBudget) {
  Host host(Options());
  const domain::RateLimit limit{1'000'000, 24h, 1'000'000};  // a megabyte a day, all at once
  const auto first = host.limiter->Acquire("upload:4", limit, 600'000);
  ASSERT_TRUE(first.allowed);
  EXPECT_GE(first.remaining, 400'000);
  EXPECT_LT(first.remaining, 400'100);  // ~12 bytes come back per second
  const auto too_much = host.limiter->Acquire("upload:4", limit, 500'000);
  EXPECT_FALSE(too_much.allowed);
  // 100,000 bytes short: a tenth of a day
  EXPECT_GT(too_much.retry_after, 8630s);
  EXPECT_LE(too_much.retry_after, 8640s);
  EXPECT_TRUE(host.limiter->Acquire("upload:4", limit, 400'000).allowed);
  EXPECT_FALSE(host.limiter->Acquire("upload:4", limit, 1'000).allowed);
  // more than the burst is never allowed, even into a full bucket
  const auto never = host.limiter->Acquire("upload:5", limit, 2'000'000);
  EXPECT_FALSE(never.allowed);
  EXPECT_EQ(never.retry_after, 24h);
  EXPECT_EQ(host.fallback.calls, 0);
}

TEST_F(RedisRateLimiterTest, KeysExpireWhenTheBucketIsFullAgain) {
  Host host(Options());
  const domain::RateLimit limit{10, 1s, 10};  // 100 ms per unit
  ASSERT_TRUE(host.limiter->Acquire("key:6", limit, 3).allowed);
  const auto ttl = Integer(Command({"PTTL", Key("key:6")}));
  EXPECT_GT(ttl, 150);
  EXPECT_LE(ttl, 300);
  std::this_thread::sleep_for(std::chrono::milliseconds(ttl + 50));
  EXPECT_EQ(Integer(Command({"EXISTS", Key("key:6")})), 0);
  EXPECT_EQ(host.limiter->Acquire("key:6", limit, 10).remaining, 0);  // a full bucket again
}

TEST_F(RedisRateLimiterTest, UnlimitedNeverTouchesRedis) {
  Host host(Options());
  EXPECT_TRUE(host.limiter->Acquire("key:7", domain::RateLimit{0, 1min, 0}, 1'000).allowed);
  EXPECT_EQ(Integer(Command({"EXISTS", Key("key:7")})), 0);
}

TEST_F(RedisRateLimiterTest, AForgottenScriptIsSentAgain) {
  Host host(Options());
  const domain::RateLimit limit{10, 1h, 5};
  ASSERT_TRUE(host.limiter->Acquire("key:8", limit, 1).allowed);
  Command({"SCRIPT", "FLUSH"});  // what a Redis restart does
  const auto decision = host.limiter->Acquire("key:8", limit, 1);
  EXPECT_TRUE(decision.allowed);
  EXPECT_EQ(decision.remaining, 3);
  EXPECT_EQ(host.errors, 0) << host.last_error;
}

TEST_F(RedisRateLimiterTest, TheDatabaseInTheUrlIsUsed) {
  auto options = Options();
  options.url += options.url.starts_with("redis+unix:") ? "?db=3" : "/3";
  Host host(options);
  ASSERT_TRUE(host.limiter->Acquire("key:9", domain::RateLimit{10, 1h, 5}, 1).allowed);
  EXPECT_EQ(Integer(Command({"EXISTS", Key("key:9")})), 0);  // not in db 0
  auto raw = Raw();
  Poco::Redis::Array select;
  select << "SELECT"
         << "3";
  raw->sendCommand(select);
  Poco::Redis::Array exists;
  exists << "EXISTS" << Key("key:9");
  EXPECT_EQ(Integer(raw->sendCommand(exists)), 1);
  EXPECT_EQ(host.errors, 0) << host.last_error;
}

TEST_F(RedisRateLimiterTest, BucketsTooLongForTheScriptGoToTheFallback) {
  Host host(Options());
  const auto decision = host.limiter->Acquire("key:10", domain::RateLimit{1, 24h * 365, 1}, 1);
  EXPECT_EQ(decision.remaining, CountingStore::kFallbackMark);
  EXPECT_EQ(host.errors, 0);
}

// The script's decisions and stored TATs, step by step, against domain::Gcra at the same times.
TEST_F(RedisRateLimiterTest, TheScriptAgreesWithTheDomainStepForStep) {
  Host host(Options());
  const domain::RateLimit limits[] = {
      {600, 1min, 100},                    // 100 ms per request
      {7, 3s, 3},                          // an interval that is not whole milliseconds
      {100ll << 30, 24h, 10ll << 30},      // 100 GiB a day: 804.6 ns per byte
      {1'000'000'000, 1s, 5'000'000'000},  // less than a nanosecond per unit
  };
  std::mt19937_64 random(20261201);
  int limit_index = 0;
  for (const auto& limit : limits) {
    const std::string key = "gcra:" + std::to_string(limit_index++);
    std::int64_t now = 1'796'140'233'123'456'789;  // late 2026, in ns
    std::int64_t tat = 0;
    const std::int64_t unit = std::max<std::int64_t>(1, limit.period.count() / limit.count);
    for (int step = 0; step < 200; ++step) {
      now += static_cast<std::int64_t>(random() % static_cast<std::uint64_t>(unit * limit.burst / 4 + 2));
      const auto cost = step % 17 == 0
                            ? limit.burst + 1  // never allowed
                            : static_cast<std::int64_t>(random() % static_cast<std::uint64_t>(limit.burst / 2 + 2));
      const auto expected = domain::Gcra(limit, tat, now, cost);
      const auto got = host.limiter->AcquireAt(key, limit, cost, now);
      ASSERT_EQ(got.allowed, expected.decision.allowed) << key << " step " << step;
      ASSERT_EQ(got.remaining, expected.decision.remaining) << key << " step " << step;
      ASSERT_EQ(got.retry_after, expected.decision.retry_after) << key << " step " << step;
      ASSERT_EQ(got.reset_after, expected.decision.reset_after) << key << " step " << step;
      tat = expected.new_tat_ns;
      if (expected.decision.allowed) {
        const auto stored = Command({"GET", Key(key)});
        ASSERT_TRUE(stored->isBulkString());
        const auto& text = static_cast<const Poco::Redis::Type<Poco::Redis::BulkString>&>(*stored).value();
        ASSERT_FALSE(text.isNull());
        ASSERT_EQ(text.value(), std::to_string(tat)) << key << " step " << step;
      }
    }
  }
}

}  // namespace
}  // namespace gw::persistence::testing
