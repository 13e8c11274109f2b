// Rate limits through nginx over TLS: one budget per user across every worker process, per
// client address on /register, and the headers and 429s a client sees (docs/api.md).
#include <atomic>
#include <chrono>
#include <cstdlib>
#include <mutex>
#include <thread>
#include <vector>

#include "e2e_support.hpp"

namespace gw::e2e {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

class RateLimits : public E2eTest {
 protected:
  /// Puts `email` on the free plan with its own per-minute limit and burst.
  void LimitUser(const std::string& email, int per_minute, int burst) {
    const auto response =
        AdminSetPlan(email, {{"plan", "free"}, {"overrides", {{"requests_per_minute", per_minute}, {"burst", burst}}}});
    ASSERT_EQ(response.status, 200) << response.Describe();
  }

  struct Outcome {
    int ok = 0;
    int limited = 0;
    std::vector<std::string> unexpected;
    std::vector<long> retry_after;
    Clock::duration elapsed{};
  };

  /// `threads` clients send `per_thread` POST /status each with `key`, all at once; client t
  /// talks to base_urls[t % size] (the stack under test when empty).
  Outcome Burst(const std::string& key, int threads, int per_thread, const std::vector<std::string>& base_urls = {}) {
    Outcome outcome;
    std::mutex mutex;
    std::atomic<int> ready{0};
    std::atomic<bool> go{false};
    std::vector<std::thread> clients;
    for (int t = 0; t < threads; ++t) {
      clients.emplace_back([&, t] {
        auto client = base_urls.empty() ? NewClient()
                                        : std::make_unique<HttpsClient>(base_urls[t % base_urls.size()], env_.ca_file);
        client->Request("GET", "/health");  // connect (TLS handshake) before the clock starts
        ++ready;
        while (!go.load()) std::this_thread::yield();
        for (int i = 0; i < per_thread; ++i) {
          const auto response = client->Request("POST", "/status", {{"X-API-Key", key}});
          std::lock_guard lock(mutex);
          if (response.status == 200) {
            ++outcome.ok;
          } else if (response.status == 429 && ErrorCode(response) == "rate_limited") {
            ++outcome.limited;
            outcome.retry_after.push_back(std::stol(response.Header("Retry-After").value_or("-1")));
          } else {
            outcome.unexpected.push_back(response.Describe());
          }
        }
      });
    }
    while (ready.load() < threads) std::this_thread::sleep_for(1ms);
    const auto start = Clock::now();
    go = true;
    for (auto& client : clients) client.join();
    outcome.elapsed = Clock::now() - start;
    return outcome;
  }
};

// 4 workers x 4 threads (the test stack), 300 concurrent requests on a key limited to 100 a
// minute with a burst of 20: exactly the burst passes, plus what refills (one per 600 ms) while
// the requests run; every other request is a 429 with a Retry-After within the refill time.
TEST_F(RateLimits, OneBudgetHoldsExactlyAcrossTheWorkerPool) {
  const auto user = RegisterUser("limited");
  LimitUser(user.email, 100, 20);  // before the key's first use, so no worker has it cached
  const Outcome outcome = Burst(user.api_key, 30, 10);
  ASSERT_TRUE(outcome.unexpected.empty())
      << outcome.unexpected.size() << " unexpected, first " << outcome.unexpected.front();
  const double seconds = std::chrono::duration<double>(outcome.elapsed).count();
  const int refilled = static_cast<int>(seconds / 0.6) + 1;
  EXPECT_GE(outcome.ok, 20) << "the burst must be available in full";
  EXPECT_LE(outcome.ok, 20 + refilled) << "in " << seconds << " s at most " << refilled << " more may refill";
  EXPECT_EQ(outcome.ok + outcome.limited, 300);
  for (const long retry_after : outcome.retry_after) {
    EXPECT_GE(retry_after, 1);
    EXPECT_LE(retry_after, 1) << "one request comes back every 600 ms: Retry-After rounds up to 1 s";
  }

  // Once the budget refills (one request per 600 ms), requests pass again, and say where the
  // budget stands: polled (a 429 takes nothing from the budget), with a hang guard.
  HttpResponse again;
  EXPECT_TRUE(PollUntil(20000ms, [&] { return (again = Status(user.api_key)).status == 200; }))
      << "no request passed again: " << again.Describe();
  EXPECT_EQ(again.Header("RateLimit-Policy").value_or(""), "\"key\";q=20;w=12");
  EXPECT_TRUE(again.Header("RateLimit").value_or("").rfind("\"key\";r=", 0) == 0) << again.Describe();
}

// Two app hosts (worker pools on their own sockets, behind their own ports) that keep their
// limits in one Redis: the same 300 requests, half through each, still get exactly one budget.
TEST_F(RateLimits, OneBudgetHoldsAcrossTwoHostsSharingRedis) {
  const char* host_a = std::getenv("GW_TEST_HOST_A_URL");
  const char* host_b = std::getenv("GW_TEST_HOST_B_URL");
  ASSERT_TRUE(host_a != nullptr && host_b != nullptr)
      << "GW_TEST_HOST_A_URL / GW_TEST_HOST_B_URL are not set: run the e2e tests through ./gw test";
  const auto user = RegisterUser("two-hosts");
  LimitUser(user.email, 100, 20);
  const Outcome outcome = Burst(user.api_key, 30, 10, {host_a, host_b});
  ASSERT_TRUE(outcome.unexpected.empty())
      << outcome.unexpected.size() << " unexpected, first " << outcome.unexpected.front();
  const double seconds = std::chrono::duration<double>(outcome.elapsed).count();
  const int refilled = static_cast<int>(seconds / 0.6) + 1;
  EXPECT_GE(outcome.ok, 20);
  EXPECT_LE(outcome.ok, 20 + refilled) << "two hosts must not each grant the burst (" << seconds << " s)";
  EXPECT_EQ(outcome.ok + outcome.limited, 300);
  for (const long retry_after : outcome.retry_after) EXPECT_EQ(retry_after, 1);
}

TEST_F(RateLimits, TheEleventhRegistrationFromOneAddressWithinAMinuteIsRefused) {
  const std::string address = RandomTestAddress();
  for (int i = 1; i <= 11; ++i) {
    const auto response =
        Client().PostJson("/register", {{"email", RandomEmail("perip")}, {"password", "correct horse battery staple"}},
                          {{"X-Forwarded-For", address}});
    if (i <= 10) {
      ASSERT_EQ(response.status, 201) << "registration " << i << ": " << response.Describe();
      EXPECT_EQ(response.Header("RateLimit-Policy").value_or(""), "\"ip\";q=10;w=60");
    } else {
      ExpectErrorEnvelope(response, 429, "rate_limited");
      const long retry_after = std::stol(response.Header("Retry-After").value_or("0"));
      EXPECT_GE(retry_after, 1);
      EXPECT_LE(retry_after, 6) << "one registration comes back every 6 s";
      EXPECT_EQ(response.Json()["error"]["details"]["policy"], "ip");
    }
  }
  // Another address is not affected.
  const auto other =
      Client().PostJson("/register", {{"email", RandomEmail("perip")}, {"password", "correct horse battery staple"}},
                        {{"X-Forwarded-For", RandomTestAddress()}});
  EXPECT_EQ(other.status, 201) << other.Describe();
}

TEST_F(RateLimits, PasswordGuessingOnRenewIsSlowedPerAddress) {
  const auto user = RegisterUser("renew");
  const std::string address = RandomTestAddress();
  int refused = 0;
  for (int i = 0; i < 12; ++i) {
    const auto response = Client().PostJson("/renew", {{"email", user.email}, {"password", "wrong password guess"}},
                                            {{"X-Forwarded-For", address}});
    if (response.status == 429)
      ++refused;
    else
      EXPECT_EQ(response.status, 401) << response.Describe();
  }
  EXPECT_EQ(refused, 2);
}

TEST_F(RateLimits, HealthAndMetricsAreNeverLimited) {
  auto client = NewClient();
  for (int i = 0; i < 150; ++i) ASSERT_EQ(client->Request("GET", "/health").status, 200);
  EXPECT_FALSE(client->Request("GET", "/health").Header("RateLimit").has_value());
}

}  // namespace
}  // namespace gw::e2e
