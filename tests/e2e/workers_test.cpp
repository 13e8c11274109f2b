// The worker pool: a killed FastCGI worker is replaced by the supervisor without failed requests,
// and per-key usage counts reach the database (batched, flushed about every second).
#include <signal.h>
#include <sys/types.h>

#include <atomic>
#include <cerrno>
#include <fstream>
#include <iterator>
#include <mutex>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "e2e_support.hpp"

namespace gw::e2e {
namespace {

using namespace std::chrono_literals;

class Workers : public E2eTest {
 protected:
  // The pid in worker-<slot>.pid, or -1 when the file is missing, empty or half written.
  pid_t ReadPid(int slot) const {
    std::ifstream in(env_.run_dir + "/worker-" + std::to_string(slot) + ".pid");
    long long pid = -1;
    if (!(in >> pid) || pid <= 1) return -1;
    return static_cast<pid_t>(pid);
  }
  static bool Alive(pid_t pid) { return pid > 1 && (kill(pid, 0) == 0 || errno == EPERM); }
};

// Client threads of a load test. Each body runs inside a catch-all that records what it threw
// (a transport error must fail the test, not terminate the binary), and the destructor stops
// and joins them, so that an ASSERT returning early never destroys a joinable std::thread.
class ClientThreads {
 public:
  ~ClientThreads() { Join(); }
  template <typename Body>
  void Start(Body body) {
    threads_.emplace_back([this, body] {
      try {
        body(stop_);
      } catch (const std::exception& e) {
        Record(std::string("client thread threw: ") + e.what());
      } catch (...) {
        Record("client thread threw something that is not a std::exception");
      }
    });
  }
  void Record(std::string failure) {
    std::lock_guard lock(mutex_);
    failures_.push_back(std::move(failure));
    ++failure_count_;
  }
  /// Safe while the threads run.
  int FailureCount() const { return failure_count_.load(); }
  /// Stops the bodies (they look at the flag they are given) and waits for them.
  void Join() {
    stop_ = true;
    for (auto& thread : threads_) {
      if (thread.joinable()) thread.join();
    }
  }
  /// Only after Join.
  const std::vector<std::string>& Failures() const { return failures_; }

 private:
  std::atomic<bool> stop_{false};
  std::atomic<int> failure_count_{0};
  std::mutex mutex_;
  std::vector<std::string> failures_;
  std::vector<std::thread> threads_;
};

TEST_F(Workers, KilledWorkerIsReplaced) {
  ASSERT_TRUE(Require(env_.run_dir, "GW_TEST_RUN_DIR"));
  const pid_t victim = ReadPid(0);
  ASSERT_GT(victim, 1) << "no pid in " << env_.run_dir << "/worker-0.pid";
  ASSERT_TRUE(Alive(victim)) << "worker-0.pid names pid " << victim << ", which is not running";
  const auto user = RegisterUser("killed");

  ASSERT_EQ(kill(victim, SIGKILL), 0) << "kill(" << victim << ", SIGKILL) failed, errno " << errno;

  pid_t replacement = -1;
  const bool replaced = PollUntil(kHangGuard, [&] {
    replacement = ReadPid(0);
    return replacement > 1 && replacement != victim && Alive(replacement);
  });
  ASSERT_TRUE(replaced) << "worker-0.pid still names " << replacement << " long after SIGKILL of " << victim;

  // the pool serves every request after the replacement
  int failures = 0;
  std::string first_failure;
  for (int i = 0; i < 50; ++i) {
    for (const bool status_call : {false, true}) {
      auto response = status_call ? Status(user.api_key) : Client().Request("GET", "/health");
      if (response.status != 200) {
        if (failures++ == 0)
          first_failure =
              (status_call ? "POST /status #" : "GET /health #") + std::to_string(i) + ": " + response.Describe();
      }
    }
  }
  EXPECT_EQ(failures, 0) << "first failure: " << first_failure;
  EXPECT_TRUE(Alive(replacement)) << "the replacement worker " << replacement << " died";
}

// SIGTERM makes a worker stop accepting, finish what it has in flight and exit; the supervisor
// starts a replacement. Clients under load must not see a single failed request meanwhile.
TEST_F(Workers, SigtermDrainsInFlightRequestsWithoutFailures) {
  ASSERT_TRUE(Require(env_.run_dir, "GW_TEST_RUN_DIR"));
  const auto user = RegisterUser("drain");
  const pid_t victim = ReadPid(0);
  ASSERT_TRUE(Alive(victim)) << "worker-0.pid names pid " << victim << ", which is not running";

  std::atomic<int> done{0};
  ClientThreads clients;
  for (int t = 0; t < 4; ++t) {
    clients.Start([&, t](const std::atomic<bool>& stop) {
      auto client = NewClient();
      std::mt19937_64 random(std::random_device{}());
      for (int i = 0; !stop.load(); ++i) {
        // Registrations hash a password (tens of ms): they are what is in flight at the signal.
        const bool slow = (i + t) % 2 == 0;
        const std::string email = "e2e-drain-" + std::to_string(random()) + "@example.com";
        auto response =
            // each from its own address: the per-address limit of /register is not under test here
            slow ? client->Request("POST", "/register",
                                   {{"Content-Type", "application/json"}, {"X-Forwarded-For", RandomTestAddress()}},
                                   nlohmann::json{{"email", email}, {"password", "correct horse battery"}}.dump())
                 : client->Request("POST", "/status", {{"X-API-Key", user.api_key}});
        const int expected = slow ? 201 : 200;
        if (response.status != expected) clients.Record(response.Describe());
        ++done;
      }
    });
  }
  // the load is on (every client has had answers) before the signal, and stays on after the
  // hand-over for as many requests again: counted, not slept
  ASSERT_TRUE(PollUntil(kHangGuard, [&] { return done.load() >= 20; })) << "the clients made no requests";
  ASSERT_EQ(kill(victim, SIGTERM), 0);
  pid_t replacement = -1;
  const bool replaced = PollUntil(kHangGuard, [&] {
    replacement = ReadPid(0);
    return replacement > 1 && replacement != victim && Alive(replacement) && !Alive(victim);
  });
  const int at_hand_over = done.load();
  PollUntil(kHangGuard, [&] { return done.load() >= at_hand_over + 20; });
  clients.Join();

  EXPECT_TRUE(replaced) << "worker " << victim << " was not replaced after SIGTERM";
  EXPECT_GE(done.load(), at_hand_over + 20) << "the load did not go on after the hand-over";
  const auto& failures = clients.Failures();
  EXPECT_TRUE(failures.empty()) << failures.size() << " failed request(s), first: " << failures.front();
}

TEST_F(Workers, UsageCountReachesTheDatabase) {
  const auto user = RegisterUser("usage");
  const auto admin_view = [&] { return FlushedUsageCount(user.email); };
  const long long before = admin_view();
  ASSERT_GE(before, 0);

  constexpr int kCalls = 10;
  for (int i = 0; i < kCalls; ++i) ASSERT_EQ(Status(user.api_key).status, 200);

  long long seen = before;
  const bool flushed = PollUntil(kHangGuard, [&] {
    seen = admin_view();
    return seen >= before + kCalls;
  });
  EXPECT_TRUE(flushed) << "usage_count went from " << before << " to " << seen << " (expected >= " << before + kCalls
                       << ") after " << kCalls << " authenticated calls";

  // The user's own view catches up too: it is served from a snapshot at most a second old
  // (docs/api.md: counts may lag by up to a second), so poll for it as well.
  long long own_seen = -1;
  const bool own_caught_up = PollUntil(kHangGuard, [&] {
    auto own = Status(user.api_key);
    ExpectSuccessEnvelope(own, 200);
    own_seen = own.Json()["data"].value("usage_count", -1LL);
    return own_seen >= before + kCalls + 1;
  });
  EXPECT_TRUE(own_caught_up) << "own usage_count " << own_seen << ", expected >= " << before + kCalls + 1;
}

// 10,000 authenticated requests over several connections while a worker is stopped with
// SIGTERM: the count in the database grows by exactly 10,000 once the last batch is flushed
// (the stopping worker flushes its own counts before it exits).
TEST_F(Workers, UsageCountIsExactUnderLoadAcrossASigterm) {
  ASSERT_TRUE(Require(env_.run_dir, "GW_TEST_RUN_DIR"));
  const auto user = RegisterUser("usage-load");
  const auto plan = AdminSetPlan(user.email, {{"plan", "unlimited"}});
  ASSERT_EQ(plan.status, 200) << "the load must not be rate limited: " << plan.Describe();
  const auto admin_view = [&] { return FlushedUsageCount(user.email); };
  const long long before = admin_view();
  ASSERT_GE(before, 0);

  constexpr int kThreads = 8;
  constexpr int kRequests = 10'000;
  std::atomic<int> sent{0};
  std::atomic<int> answered{0};
  ClientThreads clients;
  for (int t = 0; t < kThreads; ++t) {
    clients.Start([&](const std::atomic<bool>& stop) {
      auto client = NewClient();
      while (!stop.load() && sent.fetch_add(1) < kRequests) {
        const auto response = client->Request("POST", "/status", {{"X-API-Key", user.api_key}});
        if (response.status != 200) clients.Record(response.Describe());
        ++answered;
      }
    });
  }
  ASSERT_TRUE(PollUntil(kHangGuard, [&] { return sent.load() > kRequests / 3; })) << "the load never got going";
  const pid_t victim = ReadPid(2);
  ASSERT_TRUE(Alive(victim));
  ASSERT_EQ(kill(victim, SIGTERM), 0);
  // the clients stop by themselves once kRequests were sent (Join's flag only cuts a failed test short)
  ASSERT_TRUE(
      PollUntil(std::chrono::minutes(5), [&] { return answered.load() >= kRequests || clients.FailureCount() > 0; }));
  clients.Join();
  ASSERT_EQ(clients.Failures().size(), 0u) << "first: " << clients.Failures().front();
  ASSERT_EQ(answered.load(), kRequests);

  long long seen = before;
  const bool exact = PollUntil(kHangGuard, [&] {
    seen = admin_view();
    return seen >= before + kRequests;
  });
  EXPECT_TRUE(exact) << "usage_count grew by " << seen - before << ", expected " << kRequests;
  // Not synchronisation: nothing more may arrive, and an absence can only be watched for a
  // while. One more flush interval (1 s) and a half: a count flushed twice would show by then.
  std::this_thread::sleep_for(1500ms);
  EXPECT_EQ(admin_view(), before + kRequests);
}

// `ps` tells the processes apart, as it does nginx's and PostgreSQL's.
TEST_F(Workers, ProcessTitlesSayWhatEachProcessIs) {
  ASSERT_TRUE(Require(env_.run_dir, "GW_TEST_RUN_DIR"));
  const auto title = [](pid_t pid) {
    std::ifstream in("/proc/" + std::to_string(pid) + "/cmdline");
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    return text.substr(0, text.find('\0'));
  };
  const pid_t worker = ReadPid(1);
  ASSERT_TRUE(Alive(worker));
  EXPECT_EQ(title(worker), "ipfs-gateway: worker 1");
  std::ifstream job_pid_file(env_.run_dir + "/job-worker-0.pid");
  pid_t job_worker = -1;
  ASSERT_TRUE(job_pid_file >> job_worker);
  EXPECT_EQ(title(job_worker), "ipfs-gateway: job-worker 0");
  const pid_t supervisor = [&] {
    std::ifstream status("/proc/" + std::to_string(worker) + "/status");
    for (std::string line; std::getline(status, line);) {
      if (line.rfind("PPid:", 0) == 0) return static_cast<pid_t>(std::stol(line.substr(5)));
    }
    return pid_t{-1};
  }();
  EXPECT_EQ(title(supervisor), "ipfs-gateway: supervisor");
}

}  // namespace
}  // namespace gw::e2e
