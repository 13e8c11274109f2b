// What the Redis rate-limit store's tests share: the test server's URL (GW_TEST_REDIS_URL, set by
// ./gw test), a raw client to look at the keys, a fallback store that says when it answered, and
// limiters wired the way main wires them.
#pragma once

#include <gtest/gtest.h>

#include <Poco/Net/SocketAddress.h>
#include <Poco/Redis/Array.h>
#include <Poco/Redis/Client.h>
#include <Poco/Timespan.h>

#include <atomic>
#include <cstdlib>
#include <memory>
#include <mutex>
#include <optional>
#include <random>
#include <string>
#include <string_view>

#include "domain/circuit_breaker.hpp"
#include "domain/clock.hpp"
#include "domain/rate_limit.hpp"
#include "persistence/redis_rate_limiter.hpp"

namespace gw::persistence::testing {

inline std::optional<std::string> TestRedisUrl() {
  const char* value = std::getenv("GW_TEST_REDIS_URL");
  if (value == nullptr || *value == '\0') return std::nullopt;
  return std::string(value);
}

/// A key prefix no other test run uses.
inline std::string UniquePrefix() {
  std::random_device random;
  return "gwtest:" + std::to_string(random()) + ":";
}

/// The fallback: counts its calls and answers allowed with remaining == kFallbackMark.
class CountingStore final : public domain::RateLimitStore {
 public:
  static constexpr std::int64_t kFallbackMark = -42;
  domain::RateDecision Acquire(std::string_view, const domain::RateLimit&, std::int64_t) override {
    ++calls;
    return {true, kFallbackMark, {}, {}};
  }
  std::atomic<int> calls{0};
};

/// A limiter with its own breaker, fallback and error counter: one "host".
struct Host {
  explicit Host(RedisRateLimiterOptions options, domain::BreakerOptions breaker_options = {})
      : breaker("redis", breaker_options, clock) {
    options.on_error = [this](std::string_view reason) {
      ++errors;
      const std::lock_guard lock(mutex);
      last_error = std::string(reason);
    };
    limiter = std::make_unique<RedisRateLimiter>(std::move(options), breaker, fallback);
  }

  domain::SteadyClock clock;
  domain::CircuitBreaker breaker;
  CountingStore fallback;
  std::atomic<int> errors{0};
  std::mutex mutex;
  std::string last_error;
  std::unique_ptr<RedisRateLimiter> limiter;
};

/// Tests that need the test server: they fail (never skip) without GW_TEST_REDIS_URL.
class RedisTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto url = TestRedisUrl();
    if (!url)
      GTEST_FAIL() << "GW_TEST_REDIS_URL is not set: the Redis tests need a redis-server (./gw test starts one)";
    url_ = *url;
    prefix_ = UniquePrefix();
  }

  /// Options for the test server, with a timeout generous enough for a loaded test machine:
  /// these tests are about Redis's answers, not its outages.
  RedisRateLimiterOptions Options() const {
    RedisRateLimiterOptions options;
    options.url = url_;
    options.prefix = prefix_;
    options.timeout = std::chrono::milliseconds(3000);
    return options;
  }

  /// A raw connection to the test server (redis://host:port or redis+unix:///path only).
  std::unique_ptr<Poco::Redis::Client> Raw() const {
    auto client = std::make_unique<Poco::Redis::Client>();
    constexpr std::string_view kUnix = "redis+unix://";
    if (url_.starts_with(kUnix)) {
      client->connect(Poco::Net::SocketAddress(Poco::Net::SocketAddress::UNIX_LOCAL, url_.substr(kUnix.size())),
                      Poco::Timespan(3, 0));
    } else {
      client->connect(url_.substr(std::string_view("redis://").size()), Poco::Timespan(3, 0));
    }
    return client;
  }

  Poco::Redis::RedisType::Ptr Command(std::initializer_list<std::string> words) const {
    Poco::Redis::Array command;
    for (const auto& word : words) command << word;
    return Raw()->sendCommand(command);
  }

  std::string Key(std::string_view key) const { return prefix_ + "rl:" + std::string(key); }

  std::string url_;
  std::string prefix_;
};

}  // namespace gw::persistence::testing
