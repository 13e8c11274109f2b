#include <thread>

#include "domain/error.hpp"
#include "persistence/key_change_listener.hpp"
#include "persistence/pg_session.hpp"
#include "pg_test_support.hpp"

namespace gw::persistence::testing {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

std::string KeyHash(int seed) {
  const std::string digits = std::to_string(seed);
  return std::string(64 - digits.size(), 'd') + digits;
}

/// Polls `condition` every 10 ms for up to `limit`; returns how long it took, or nullopt.
template <typename Condition>
std::optional<Clock::duration> WaitFor(Condition condition, Clock::duration limit) {
  const auto started = Clock::now();
  while (Clock::now() - started < limit) {
    if (condition()) return Clock::now() - started;
    std::this_thread::sleep_for(10ms);
  }
  return std::nullopt;
}

class KeyChangeListenerTest : public PgSuite {
 protected:
  void SetUp() override {
    PgSuite::SetUp();
    if (HasFatalFailure()) return;
    session_ = std::make_unique<PgSession>(Db().Dsn());
  }
  domain::KeyLookup NewUser(const std::string& email, int seed) {
    session_->Accounts().CreateAccount({email, "", KeyHash(seed), "gw", false}, "register", {});
    return session_->Accounts().FindByKeyHash(KeyHash(seed)).value();
  }
  void StartListening(KeyChangeListener& listener) {
    ASSERT_TRUE(WaitFor([&] { return listener.Listening(); }, 5s)) << "listener never connected";
  }

  domain::KeyCache cache_{std::chrono::minutes(10), 1000};
  std::unique_ptr<PgSession> session_;
};

TEST_F(KeyChangeListenerTest, ARevocationEvictsTheUsersCachedKeysWithinOneSecond) {
  const auto target = NewUser("revoked@example.com", 1);
  const auto bystander = NewUser("bystander@example.com", 2);
  KeyChangeListener listener(Db().Dsn(), cache_);
  StartListening(listener);
  cache_.Store(KeyHash(1), target);
  cache_.Store(KeyHash(2), bystander);

  ASSERT_TRUE(session_->Accounts().SetAccountActive("revoked@example.com", false, {}));
  const auto took = WaitFor([&] { return !cache_.Find(KeyHash(1)); }, 1s);
  ASSERT_TRUE(took) << "the revoked key was still cached after 1 s";
  EXPECT_TRUE(cache_.Find(KeyHash(2))) << "another user's key was evicted too";
}

TEST_F(KeyChangeListenerTest, ARenewalEvictsTheUsersCachedKeys) {
  const auto user = NewUser("renewing@example.com", 10);
  KeyChangeListener listener(Db().Dsn(), cache_);
  StartListening(listener);
  cache_.Store(KeyHash(10), user);
  session_->Accounts().ReplaceKey(user.user_id, KeyHash(11), "gw", {});
  EXPECT_TRUE(WaitFor([&] { return !cache_.Find(KeyHash(10)); }, 1s));
}

TEST_F(KeyChangeListenerTest, APlanChangeEvictsTheUsersCachedKeysWithinOneSecond) {
  const auto user = NewUser("upgraded@example.com", 15);
  KeyChangeListener listener(Db().Dsn(), cache_);
  StartListening(listener);
  cache_.Store(KeyHash(15), user);
  ASSERT_TRUE(session_->Accounts().SetPlan("upgraded@example.com", {"pro", {}}, {}));
  ASSERT_TRUE(WaitFor([&] { return !cache_.Find(KeyHash(15)); }, 1s)) << "old limits still cached after 1 s";
  EXPECT_EQ(session_->Accounts().FindByKeyHash(KeyHash(15))->plan, "pro");
}

TEST_F(KeyChangeListenerTest, AfterLosingItsConnectionItReconnectsAndForgetsEverything) {
  const auto user = NewUser("reconnect@example.com", 20);
  KeyChangeListener listener(Db().Dsn(), cache_);
  StartListening(listener);
  cache_.Store(KeyHash(20), user);

  Db().TerminateOtherConnections();  // also kills session_'s connection; it reconnects on use
  // Events during the outage may be lost, so the cache must be emptied after reconnecting.
  EXPECT_TRUE(WaitFor([&] { return cache_.Size() == 0; }, 3s)) << "cache not emptied after reconnect";
  StartListening(listener);

  // Listening again: later changes still arrive.
  cache_.Store(KeyHash(20), user);
  try {
    session_->Accounts().SetAccountActive("reconnect@example.com", false, {});
  } catch (const domain::Error&) {
    // The first use of the killed session connection reports kDatabaseUnavailable.
    ASSERT_TRUE(session_->Accounts().SetAccountActive("reconnect@example.com", false, {}));
  }
  EXPECT_TRUE(WaitFor([&] { return !cache_.Find(KeyHash(20)); }, 1s));
}

TEST_F(KeyChangeListenerTest, StopEndsTheThreadQuickly) {
  KeyChangeListener listener(Db().Dsn(), cache_);
  StartListening(listener);
  const auto started = Clock::now();
  listener.Stop();
  EXPECT_LT(Clock::now() - started, 400ms);
}

TEST_F(KeyChangeListenerTest, StopIsQuickWhileTheDatabaseIsUnreachable) {
  KeyChangeListener listener("host=/nonexistent-gw-socket-dir port=1 connect_timeout=2", cache_);
  std::this_thread::sleep_for(100ms);
  EXPECT_FALSE(listener.Listening());
  const auto started = Clock::now();
  listener.Stop();
  EXPECT_LT(Clock::now() - started, 400ms);
}

}  // namespace
}  // namespace gw::persistence::testing
