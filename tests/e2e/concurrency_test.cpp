// Concurrency smoke test: many clients at once through nginx into the worker pool.
#include <atomic>
#include <mutex>
#include <vector>

#include "e2e_support.hpp"

namespace gw::e2e {
namespace {

class Concurrency : public E2eTest {};

TEST_F(Concurrency, ParallelStatusRequestsAllSucceed) {
  constexpr int kThreads = 8;
  constexpr int kRequestsPerThread = 25;
  std::vector<Account> users;
  for (int t = 0; t < kThreads / 2; ++t) users.push_back(RegisterUser("parallel"));

  std::atomic<int> ok{0};
  std::mutex mutex;
  std::vector<std::string> failures;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      const Account& user = users[static_cast<std::size_t>(t) % users.size()];
      try {
        auto client = NewClient();
        for (int i = 0; i < kRequestsPerThread; ++i) {
          auto response = client->Request("POST", "/status", {{"X-API-Key", user.api_key}});
          const auto json = response.Json();
          if (response.status == 200 && json.is_object() && json["data"].value("email", "") == user.email) {
            ++ok;
          } else {
            std::lock_guard lock(mutex);
            failures.push_back("thread " + std::to_string(t) + " #" + std::to_string(i) + ": " + response.Describe());
          }
        }
      } catch (const std::exception& e) {
        std::lock_guard lock(mutex);
        failures.push_back("thread " + std::to_string(t) + ": " + e.what());
      }
    });
  }
  for (auto& thread : threads) thread.join();

  EXPECT_EQ(ok.load(), kThreads * kRequestsPerThread);
  EXPECT_TRUE(failures.empty()) << failures.size() << " failures, first: " << failures.front();
}

}  // namespace
}  // namespace gw::e2e
