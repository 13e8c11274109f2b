// GET /metrics through nginx: the Prometheus text format (checked by promtool), counts of the
// whole pool that survive a worker being killed, and nginx's address rule.
#include <signal.h>
#include <sys/wait.h>

#include <cerrno>
#include <cstdio>
#include <fstream>
#include <regex>
#include <thread>

#include "e2e_support.hpp"

namespace gw::e2e {
namespace {

using namespace std::chrono_literals;

class Metrics : public E2eTest {
 protected:
  std::string Scrape() {
    const auto response = Client().Request("GET", "/metrics");
    EXPECT_EQ(response.status, 200) << response.Describe();
    return response.body;
  }

  /// The value of one series (exact name and labels as exposed), or -1 when absent.
  static double Value(const std::string& text, const std::string& series) {
    const auto at = text.find("\n" + series + " ");
    if (at == std::string::npos) return -1;
    return std::stod(text.substr(at + series.size() + 2));
  }

  pid_t WorkerPid(int slot) const {
    std::ifstream in(env_.run_dir + "/worker-" + std::to_string(slot) + ".pid");
    long long pid = -1;
    return (in >> pid) && pid > 1 ? static_cast<pid_t>(pid) : -1;
  }

  /// n GET /health requests over `threads` connections (nginx spreads them over the workers).
  void SendHealth(int n, int threads) {
    std::vector<std::thread> clients;
    std::atomic<int> failures{0};
    for (int t = 0; t < threads; ++t) {
      clients.emplace_back([&, t] {
        auto client = NewClient();
        for (int i = t; i < n; i += threads) {
          if (client->Request("GET", "/health").status != 200) ++failures;
        }
      });
    }
    for (auto& client : clients) client.join();
    ASSERT_EQ(failures.load(), 0);
  }

  static constexpr const char* kHealthOk = R"(gw_http_requests_total{method="GET",route="/health",status="200"})";
};

TEST_F(Metrics, PassesPromtoolCheckMetrics) {
  Client().Request("GET", "/health");
  const auto response = Client().Request("GET", "/metrics");
  ASSERT_EQ(response.status, 200) << response.Describe();
  EXPECT_EQ(response.Header("Content-Type").value_or(""), "text/plain; version=0.0.4; charset=utf-8");
  const std::string path = ::testing::TempDir() + "/gw-metrics-" + RandomHex(8) + ".txt";
  std::ofstream(path) << response.body;
  const std::string command = "promtool check metrics < " + path + " 2>&1";
  FILE* pipe = popen(command.c_str(), "r");
  ASSERT_NE(pipe, nullptr);
  std::string output;
  char buffer[4096];
  while (const std::size_t n = std::fread(buffer, 1, sizeof(buffer), pipe)) output.append(buffer, n);
  const int status = pclose(pipe);
  std::remove(path.c_str());
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << "promtool check metrics:\n" << output;
  for (const char* name : {"gw_http_requests_total", "gw_http_request_duration_seconds_bucket", "gw_jobs",
                           "gw_job_queue_depth", "gw_pg_connections", "gw_workers", "gw_build_info",
                           "gw_store_disk_free_bytes", "gw_rate_limited_total", "gw_worker_restarts_total"}) {
    EXPECT_NE(response.body.find(std::string("\n") + name), std::string::npos) << name << " missing";
  }
}

TEST_F(Metrics, CountsEveryRequestOfEveryWorkerAcrossAReplacement) {
  ASSERT_TRUE(Require(env_.run_dir, "GW_TEST_RUN_DIR"));
  const double before = std::max(0.0, Value(Scrape(), kHealthOk));
  SendHealth(400, 8);
  const std::string after_load = Scrape();
  EXPECT_EQ(Value(after_load, kHealthOk), before + 400);
  const double restarts = Value(after_load, R"(gw_worker_restarts_total{group="worker"})");

  // Kill a worker outright: its counts live in the pool's shared memory, not in the process.
  const pid_t victim = WorkerPid(1);
  ASSERT_GT(victim, 1);
  ASSERT_EQ(kill(victim, SIGKILL), 0) << "errno " << errno;
  ASSERT_TRUE(PollUntil(kHangGuard, [&] {
    const pid_t now = WorkerPid(1);
    return now > 1 && now != victim && kill(now, 0) == 0;
  })) << "worker 1 was not replaced";
  SendHealth(100, 4);
  const std::string after_kill = Scrape();
  EXPECT_EQ(Value(after_kill, kHealthOk), before + 500);
  EXPECT_EQ(Value(after_kill, R"(gw_worker_restarts_total{group="worker"})"), restarts + 1);
  EXPECT_EQ(Value(after_kill, R"(gw_workers{group="worker"})"), 4);
}

TEST_F(Metrics, RefusedFromAnAddressNginxDoesNotAllow) {
  auto outsider = NewClient();
  outsider->SetLocalAddress("127.0.0.2");  // loopback, but not 127.0.0.1: not in the allow list
  const auto response = outsider->Request("GET", "/metrics");
  ExpectErrorEnvelope(response, 403, "forbidden");
  // Spellings the app's router takes for the same route are refused too.
  for (const char* path : {"/metrics/", "//metrics", "/metrics%2F", "/./metrics", "/metrics?x=1"}) {
    EXPECT_EQ(outsider->Request("GET", path).status, 403) << path;
  }
  // The same client may use the API: only /metrics is restricted.
  EXPECT_EQ(outsider->Request("GET", "/health").status, 200);
}

TEST_F(Metrics, RateLimitRefusalsAreCounted) {
  const std::string series = R"(gw_rate_limited_total{policy="ip"})";
  const double before = Value(Scrape(), series);
  ASSERT_GE(before, 0);
  const std::string address = RandomTestAddress();
  int refused = 0;
  for (int i = 0; i < 12; ++i) {
    const auto response =
        Client().PostJson("/renew", {{"email", RandomEmail("m")}, {"password", "x"}}, {{"X-Forwarded-For", address}});
    if (response.status == 429) ++refused;
  }
  EXPECT_EQ(refused, 2);
  EXPECT_EQ(Value(Scrape(), series), before + refused);
}

}  // namespace
}  // namespace gw::e2e
