#include <thread>

#include "domain/error.hpp"
#include "persistence/key_change_listener.hpp"
#include "persistence/pg_session.hpp"
#include "pg_test_support.hpp"
#include "tests/common/eventually.hpp"

namespace gw::persistence::testing {
namespace {

using namespace std::chrono_literals;

std::string KeyHash(int seed) {
  const std::string digits = std::to_string(seed);
  return std::string(64 - digits.size(), 'd') + digits;
}

using gw::test::Eventually;

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
    ASSERT_TRUE(Eventually([&] { return listener.Listening(); })) << "listener never connected";
  }

  domain::KeyCache cache_{std::chrono::minutes(10), 1000};
  std::unique_ptr<PgSession> session_;
};

// The eviction is asynchronous: each test waits for it with a hang guard, not a timing target.
TEST_F(KeyChangeListenerTest, ARevocationEvictsTheUsersCachedKeys) {
  const auto target = NewUser("revoked@example.com", 1);
  const auto bystander = NewUser("bystander@example.com", 2);
  KeyChangeListener listener(Db().Dsn(), cache_);
  StartListening(listener);
  cache_.Store(KeyHash(1), target);
  cache_.Store(KeyHash(2), bystander);

  ASSERT_TRUE(session_->Accounts().SetAccountActive("revoked@example.com", false, {}));
  ASSERT_TRUE(Eventually([&] { return !cache_.Find(KeyHash(1)); })) << "the revoked key stayed cached";
  EXPECT_TRUE(cache_.Find(KeyHash(2))) << "another user's key was evicted too";
}

TEST_F(KeyChangeListenerTest, ARenewalEvictsTheUsersCachedKeys) {
  const auto user = NewUser("renewing@example.com", 10);
  KeyChangeListener listener(Db().Dsn(), cache_);
  StartListening(listener);
  cache_.Store(KeyHash(10), user);
  session_->Accounts().ReplaceKey(user.user_id, KeyHash(11), "gw", {});
  EXPECT_TRUE(Eventually([&] { return !cache_.Find(KeyHash(10)); })) << "the replaced key stayed cached";
}

TEST_F(KeyChangeListenerTest, APlanChangeEvictsTheUsersCachedKeys) {
  const auto user = NewUser("upgraded@example.com", 15);
  KeyChangeListener listener(Db().Dsn(), cache_);
  StartListening(listener);
  cache_.Store(KeyHash(15), user);
  ASSERT_TRUE(session_->Accounts().SetPlan("upgraded@example.com", {"pro", {}}, {}));
  ASSERT_TRUE(Eventually([&] { return !cache_.Find(KeyHash(15)); })) << "the old limits stayed cached";
  EXPECT_EQ(session_->Accounts().FindByKeyHash(KeyHash(15))->plan, "pro");
}

TEST_F(KeyChangeListenerTest, AfterLosingItsConnectionItReconnectsAndForgetsEverything) {
  const auto user = NewUser("reconnect@example.com", 20);
  KeyChangeListener listener(Db().Dsn(), cache_);
  StartListening(listener);
  cache_.Store(KeyHash(20), user);

  Db().TerminateOtherConnections();  // also kills session_'s connection; it reconnects on use
  // Events during the outage may be lost, so the cache must be emptied after reconnecting.
  EXPECT_TRUE(Eventually([&] { return cache_.Size() == 0; })) << "cache not emptied after reconnect";
  StartListening(listener);

  // Listening again: later changes still arrive.
  cache_.Store(KeyHash(20), user);
  try {
    session_->Accounts().SetAccountActive("reconnect@example.com", false, {});
  } catch (const domain::Error&) {
    // The first use of the killed session connection reports kDatabaseUnavailable.
    ASSERT_TRUE(session_->Accounts().SetAccountActive("reconnect@example.com", false, {}));
  }
  EXPECT_TRUE(Eventually([&] { return !cache_.Find(KeyHash(20)); })) << "no eviction after the reconnect";
}

// Stop must not wait for a notification, a reconnect or a backoff: it returns (the hang guard
// aborts the run otherwise) and the thread has ended. How fast belongs in bench/.
TEST_F(KeyChangeListenerTest, StopEndsTheThread) {
  KeyChangeListener listener(Db().Dsn(), cache_);
  StartListening(listener);
  gw::test::FinishesWithin("KeyChangeListener::Stop", [&] { listener.Stop(); });
  EXPECT_FALSE(listener.Listening());
  listener.Stop();  // idempotent
}

TEST_F(KeyChangeListenerTest, StopReturnsWhileTheDatabaseIsUnreachable) {
  KeyChangeListener listener("host=/nonexistent-gw-socket-dir port=1 connect_timeout=2", cache_);
  EXPECT_FALSE(listener.Listening());
  gw::test::FinishesWithin("KeyChangeListener::Stop in its reconnect backoff", [&] { listener.Stop(); });
  EXPECT_FALSE(listener.Listening());
}

}  // namespace
}  // namespace gw::persistence::testing
