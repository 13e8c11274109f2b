#include <thread>

#include "persistence/pg_session.hpp"
#include "persistence/usage_flusher.hpp"
#include "pg_test_support.hpp"
#include "tests/common/eventually.hpp"

namespace gw::persistence::testing {
namespace {

using namespace std::chrono_literals;

class UsageFlusherTest : public PgSuite {
 protected:
  domain::UserId NewUser(const std::string& email, int seed) {
    const std::string digits = std::to_string(seed);
    PgSession session(Db().Dsn());
    return session.Accounts().CreateAccount({email, "", std::string(64 - digits.size(), 'c') + digits, "gw", false},
                                            "register", {});
  }
  std::int64_t UsageOf(domain::UserId id) {
    return std::stoll(Db().Scalar("SELECT usage_count FROM users WHERE id = $1::bigint", std::to_string(id)));
  }
};

TEST_F(UsageFlusherTest, CountsFromManyThreadsAreFlushedExactly) {
  const std::vector<domain::UserId> users = {NewUser("u1@example.com", 1), NewUser("u2@example.com", 2),
                                             NewUser("u3@example.com", 3)};
  domain::UsageCounter counter;
  UsageFlusher flusher(Db().Dsn(), counter, 20ms);
  constexpr int kThreads = 4;
  constexpr int kPerThread = 3000;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < kPerThread; ++i) {
        counter.Add(users[static_cast<std::size_t>(i) % users.size()]);
        if (i % 500 == 0) std::this_thread::sleep_for(5ms);  // spread over several flushes
      }
    });
  }
  for (auto& thread : threads) thread.join();
  flusher.Stop();
  for (const auto id : users) {
    EXPECT_EQ(UsageOf(id), kThreads * kPerThread / 3) << "user " << id;
    EXPECT_EQ(counter.Pending(id), 0);
  }
}

TEST_F(UsageFlusherTest, AFailedFlushGivesTheCountsBack) {
  domain::UsageCounter counter;
  counter.Add(42, 7);
  UsageFlusher flusher("host=/nonexistent-gw-socket-dir port=1 connect_timeout=2", counter, 10ms);
  flusher.Stop();  // always one last flush: it fails, whatever ticks came before
  EXPECT_EQ(counter.Pending(42), 7);
}

TEST_F(UsageFlusherTest, StopDoesNotWaitForTheIntervalAndFlushesWhatIsPending) {
  const auto user = NewUser("u4@example.com", 4);
  domain::UsageCounter counter;
  // an interval no test outlives: Stop returning at all shows it does not wait for the tick
  UsageFlusher flusher(Db().Dsn(), counter, std::chrono::hours(1));
  counter.Add(user, 5);
  gw::test::FinishesWithin("UsageFlusher::Stop (an hour's interval)", [&] {
    flusher.Stop();
    flusher.Stop();  // idempotent
  });
  EXPECT_EQ(UsageOf(user), 5) << "Stop's last flush did not write the pending count";
  EXPECT_EQ(counter.Pending(user), 0);
}

}  // namespace
}  // namespace gw::persistence::testing
