// What an on-call operator expects of the Redis rate-limit store when Redis is unwell: no request
// fails, none waits once the breaker is open, every failure is counted, and the host's own store
// answers meanwhile.
#include <Poco/Net/ServerSocket.h>
#include <Poco/Redis/Type.h>

#include <chrono>
#include <csignal>
#include <sstream>
#include <thread>
#include <vector>

#include "redis_test_support.hpp"

namespace gw::persistence::testing {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

const domain::RateLimit kLimit{10, std::chrono::hours(1), 5};

// A loopback port nothing listens on.
std::uint16_t ClosedPort() {
  Poco::Net::ServerSocket socket(Poco::Net::SocketAddress("127.0.0.1", 0));
  const auto port = socket.address().port();
  socket.close();
  return port;
}

RedisRateLimiterOptions OptionsFor(std::string url, std::chrono::milliseconds timeout) {
  RedisRateLimiterOptions options;
  options.url = std::move(url);
  options.timeout = timeout;
  options.prefix = UniquePrefix();
  return options;
}

// Each call's duration, and whether the fallback answered it.
struct Timed {
  std::chrono::nanoseconds took;
  bool from_fallback;
};
Timed TimedAcquire(Host& host) {
  const auto started = Clock::now();
  const auto decision = host.limiter->Acquire("key:1", kLimit, 1);
  return {Clock::now() - started, decision.remaining == CountingStore::kFallbackMark};
}

class RedisFallbackTest : public ::testing::Test {
 protected:
  void SetUp() override { std::signal(SIGPIPE, SIG_IGN); }  // as in the workers
};

TEST_F(RedisFallbackTest, AnUnreachableRedisIsAnsweredByTheFallbackAtOnceOnceTheBreakerIsOpen) {
  Host host(OptionsFor("redis://127.0.0.1:" + std::to_string(ClosedPort()), 200ms), {3, std::chrono::seconds(60)});
  for (int i = 0; i < 3; ++i) {
    const auto call = TimedAcquire(host);
    EXPECT_TRUE(call.from_fallback) << i;
  }
  EXPECT_EQ(host.errors, 3) << host.last_error;
  {
    // a refused connection is reported as such, not waited out as a timeout ("no answer")
    const std::lock_guard lock(host.mutex);
    EXPECT_EQ(host.last_error.find("no answer"), std::string::npos) << host.last_error;
  }
  EXPECT_EQ(host.breaker.State(), domain::BreakerState::kOpen);
  for (int i = 0; i < 100; ++i) {
    EXPECT_TRUE(TimedAcquire(host).from_fallback) << i;
  }
  // "at once": no call reaches Redis (each would be another error); how fast is bench's business
  EXPECT_EQ(host.errors, 3) << "an open breaker makes no calls";
  EXPECT_EQ(host.fallback.calls, 103);
}

TEST_F(RedisFallbackTest, ASilentRedisCostsOneTimeoutPerFailureUntilTheBreakerOpens) {
  // accepts connections (the kernel's backlog) and never answers
  Poco::Net::ServerSocket silent(Poco::Net::SocketAddress("127.0.0.1", 0), 64);
  Host host(OptionsFor("redis://127.0.0.1:" + std::to_string(silent.address().port()), 100ms),
            {2, std::chrono::seconds(60)});
  for (int i = 0; i < 2; ++i) {
    const auto call = TimedAcquire(host);
    EXPECT_TRUE(call.from_fallback) << i;
    EXPECT_GE(call.took, 90ms) << i << ": did not wait for the configured timeout";
    // a hang guard, not a timing target: the configured 100 ms ends the wait, not something else
    EXPECT_LT(call.took, 10s) << i << ": the configured timeout did not end the wait";
  }
  EXPECT_EQ(host.errors, 2);
  {
    const std::lock_guard lock(host.mutex);
    EXPECT_NE(host.last_error.find("no answer"), std::string::npos) << host.last_error;
  }
  // with the breaker open, 160 more acquisitions from 8 threads make no call to Redis: the error
  // count stays at 2 (each call would wait for the timeout and fail)
  std::vector<std::thread> threads;
  std::atomic<int> not_from_fallback{0};
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 20; ++i) {
        if (!TimedAcquire(host).from_fallback) ++not_from_fallback;
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(not_from_fallback, 0);
  EXPECT_EQ(host.errors, 2);
  EXPECT_EQ(host.fallback.calls, 162);
}

TEST_F(RedisFallbackTest, AMissingSocketIsAFailureAnsweredByTheFallback) {
  Host host(OptionsFor("redis+unix:///nonexistent/redis.sock", 200ms));
  EXPECT_TRUE(TimedAcquire(host).from_fallback);
  EXPECT_EQ(host.errors, 1);
}

TEST_F(RedisFallbackTest, MalformedUrlsAreRefusedWithoutThePassword) {
  domain::SteadyClock clock;
  domain::CircuitBreaker breaker("redis", {}, clock);
  CountingStore fallback;
  for (const std::string url :
       {"", "http://127.0.0.1:6379", "redis://", "redis://:s3cret-pw@127.0.0.1:6379/x", "redis://s3cret-pw@h:1",
        "redis://127.0.0.1:6379?db=1", "redis+unix://host/tmp/redis.sock", "redis+unix:///tmp/r.sock?timeout=1",
        "redis+unix://:s3cret-pw@/tmp/r.sock?db=-1", "redis://127.0.0.1:99999"}) {
    try {
      RedisRateLimiter limiter(OptionsFor(url, 200ms), breaker, fallback);
      ADD_FAILURE() << "accepted " << url;
    } catch (const std::invalid_argument& e) {
      EXPECT_EQ(std::string(e.what()).find("s3cret-pw"), std::string::npos) << e.what();
    }
  }
}

class RedisFailureTest : public RedisTest {
 protected:
  void SetUp() override {
    RedisTest::SetUp();
    std::signal(SIGPIPE, SIG_IGN);
  }
};

TEST_F(RedisFailureTest, AWrongPasswordIsAFailureWhoseReasonLeavesThePasswordOut) {
  auto options = Options();
  const auto authority = options.url.find("://") + 3;
  options.url.insert(authority, ":hunter2-pw@");
  Host host(options);
  const auto decision = host.limiter->Acquire("key:2", kLimit, 1);
  EXPECT_EQ(decision.remaining, CountingStore::kFallbackMark);
  EXPECT_EQ(host.errors, 1);
  const std::lock_guard lock(host.mutex);
  EXPECT_NE(host.last_error.find("AUTH"), std::string::npos) << host.last_error;
  EXPECT_EQ(host.last_error.find("hunter2-pw"), std::string::npos) << host.last_error;
}

// What a Redis restart does to the pool: every idle connection is dead. One call fails (and is
// answered by the fallback); the others reconnect instead of failing one by one.
TEST_F(RedisFailureTest, DroppedConnectionsCostOneFailedCall) {
  auto options = Options();
  options.client_name = "gw-test-" + std::to_string(::getpid());
  Host host(options);
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) threads.emplace_back([&] { host.limiter->Acquire("key:3", kLimit, 0); });
  for (auto& thread : threads) thread.join();
  ASSERT_EQ(host.errors, 0) << host.last_error;

  // CLIENT KILL each connection of this limiter (by name, so other clients are left alone)
  const auto list = Command({"CLIENT", "LIST"});
  std::istringstream lines(static_cast<const Poco::Redis::Type<Poco::Redis::BulkString>&>(*list).value().value());
  int killed = 0;
  for (std::string line; std::getline(lines, line);) {
    if (line.find(" name=" + options.client_name + " ") == std::string::npos) continue;
    const auto id = line.substr(3, line.find(' ') - 3);  // "id=<n> addr=..."
    Command({"CLIENT", "KILL", "ID", id});
    ++killed;
  }
  ASSERT_GT(killed, 0);

  int from_fallback = 0;
  for (int i = 0; i < 8; ++i) {
    if (host.limiter->Acquire("key:3", kLimit, 0).remaining == CountingStore::kFallbackMark) ++from_fallback;
  }
  EXPECT_EQ(from_fallback, 1);
  EXPECT_EQ(host.errors, 1);
  EXPECT_EQ(host.breaker.State(), domain::BreakerState::kClosed);
}

}  // namespace
}  // namespace gw::persistence::testing
