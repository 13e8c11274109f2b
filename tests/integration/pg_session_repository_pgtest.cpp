// Browser sessions on PostgreSQL (persistence/pg_session_repository.cpp, migrations/V005): only
// token hashes are stored, the database's clock judges expiry and idleness, and renewal and
// revocation end the account's sessions in their own transactions.
#include <string>

#include "domain/error.hpp"
#include "persistence/pg_session.hpp"
#include "pg_test_support.hpp"

namespace gw::persistence::testing {
namespace {

const domain::AuditContext kAudit{"req-s", "192.0.2.9", std::nullopt};
constexpr std::int64_t kIdle = 1800;

/// A well-formed (64 lower-case hex) hash per seed and prefix letter.
std::string Hash(char letter, int seed) {
  const std::string digits = std::to_string(seed);
  return std::string(64 - digits.size(), letter) + digits;
}

class PgSessionRepositoryTest : public PgSuite {
 protected:
  /// A fresh account with key Hash('a', seed); returns its id.
  domain::UserId NewUser(PgSession& session, int seed) {
    // (appended, not `"s" + ...`: GCC 12 reports a false -Wrestrict on that inlined concatenation)
    const std::string number = std::to_string(seed);
    std::string email = "s";
    email.append(number).append("@example.com");
    std::string prefix = "ipfs_gw_";
    prefix.append(number);
    return session.Accounts().CreateAccount(domain::NewAccount{email, "$argon2id$fake", Hash('a', seed), prefix, false},
                                            "register", kAudit);
  }
  domain::NewSession Session(domain::UserId user, int seed, std::string key_hash = {}) {
    return domain::NewSession{Hash('b', seed), user, std::move(key_hash), 3600, "password"};
  }
  void Sql(const std::string& statement) {
    Db().Scalar("WITH done AS (" + statement + " RETURNING 1) SELECT count(*) FROM done");
  }
};

TEST_F(PgSessionRepositoryTest, CreateStoresTheHashBoundToTheCurrentKeyAndAuditsSignIn) {
  PgSession session(Db().Dsn());
  const auto user = NewUser(session, 1);
  const auto expires_at = session.Sessions().Create(Session(user, 1), kAudit);
  ASSERT_TRUE(expires_at);
  EXPECT_TRUE(expires_at->ends_with("Z")) << *expires_at;  // ISO 8601 UTC (IsoUtc)
  EXPECT_EQ(
      Db().Scalar("SELECT (expires_at = $1::timestamptz)::text FROM sessions WHERE user_id = " + std::to_string(user),
                  *expires_at),
      "true");
  EXPECT_EQ(Db().Scalar("SELECT token_hash FROM sessions WHERE user_id = " + std::to_string(user)), Hash('b', 1));
  EXPECT_EQ(Db().Scalar("SELECT k.key_hash FROM sessions s JOIN api_keys k ON k.id = s.api_key_id WHERE s.user_id = " +
                        std::to_string(user)),
            Hash('a', 1));
  EXPECT_EQ(Db().Scalar("SELECT (expires_at - created_at)::text FROM sessions WHERE user_id = " + std::to_string(user)),
            "01:00:00");
  EXPECT_EQ(Db().Scalar("SELECT details->>'method' FROM audit_log WHERE action = 'sign_in' AND user_id = " +
                        std::to_string(user)),
            "password");

  const auto found = session.Sessions().Find(Hash('b', 1), kIdle);
  ASSERT_TRUE(found);
  EXPECT_EQ(found->key.user_id, user);
  EXPECT_EQ(found->key.email, "s1@example.com");
  EXPECT_EQ(found->key_prefix, "ipfs_gw_1");
  EXPECT_EQ(found->expires_at, *expires_at);
  EXPECT_TRUE(found->key.account_active);
  EXPECT_TRUE(found->key.key_current);
  EXPECT_FALSE(found->ended || found->expired || found->idle || found->touch_due);
  EXPECT_FALSE(session.Sessions().Find(Hash('b', 999), kIdle));
}

TEST_F(PgSessionRepositoryTest, AKeySignInNeedsThatKeyToBeCurrent) {
  PgSession session(Db().Dsn());
  const auto user = NewUser(session, 2);
  EXPECT_TRUE(session.Sessions().Create(Session(user, 20, Hash('a', 2)), kAudit));
  session.Accounts().ReplaceKey(user, Hash('a', 3), "ipfs_gw_3", kAudit);
  EXPECT_FALSE(session.Sessions().Create(Session(user, 21, Hash('a', 2)), kAudit)) << "the old key";
  EXPECT_EQ(Db().Scalar("SELECT count(*) FROM sessions WHERE token_hash = $1", Hash('b', 21)), "0");
  EXPECT_TRUE(session.Sessions().Create(Session(user, 22, Hash('a', 3)), kAudit));
}

TEST_F(PgSessionRepositoryTest, ExpiryIdlenessAndTouchAreJudgedByTheDatabase) {
  PgSession session(Db().Dsn());
  const auto user = NewUser(session, 4);
  ASSERT_TRUE(session.Sessions().Create(Session(user, 40), kAudit));
  Sql("UPDATE sessions SET last_seen_at = now() - interval '2 minutes' WHERE token_hash = '" + Hash('b', 40) + "'");
  auto found = session.Sessions().Find(Hash('b', 40), kIdle);
  ASSERT_TRUE(found);
  EXPECT_TRUE(found->touch_due);
  EXPECT_FALSE(found->idle);
  EXPECT_TRUE(session.Sessions().Find(Hash('b', 40), 60)->idle) << "idle for longer than 60 s";
  session.Sessions().Touch(found->session_id);
  found = session.Sessions().Find(Hash('b', 40), 60);
  EXPECT_FALSE(found->touch_due);
  EXPECT_FALSE(found->idle);
  Sql("UPDATE sessions SET expires_at = now() - interval '1 second', created_at = now() - interval '1 hour' "
      "WHERE token_hash = '" +
      Hash('b', 40) + "'");
  EXPECT_TRUE(session.Sessions().Find(Hash('b', 40), kIdle)->expired);
}

TEST_F(PgSessionRepositoryTest, EndEndsOnceAndAuditsSignOut) {
  PgSession session(Db().Dsn());
  const auto user = NewUser(session, 5);
  ASSERT_TRUE(session.Sessions().Create(Session(user, 50), kAudit));
  const auto id = session.Sessions().Find(Hash('b', 50), kIdle)->session_id;
  EXPECT_FALSE(session.Sessions().End(id, user + 1000, kAudit)) << "another user's session";
  EXPECT_TRUE(session.Sessions().End(id, user, kAudit));
  EXPECT_FALSE(session.Sessions().End(id, user, kAudit));
  EXPECT_TRUE(session.Sessions().Find(Hash('b', 50), kIdle)->ended);
  EXPECT_EQ(
      Db().Scalar("SELECT count(*) FROM audit_log WHERE action = 'sign_out' AND user_id = " + std::to_string(user)),
      "1");
}

TEST_F(PgSessionRepositoryTest, RenewalAndRevocationEndTheAccountsSessionsOnly) {
  PgSession session(Db().Dsn());
  const auto renewed = NewUser(session, 6);
  const auto revoked = NewUser(session, 7);
  const auto bystander = NewUser(session, 8);
  ASSERT_TRUE(session.Sessions().Create(Session(renewed, 60), kAudit));
  ASSERT_TRUE(session.Sessions().Create(Session(renewed, 61), kAudit));
  ASSERT_TRUE(session.Sessions().Create(Session(revoked, 70), kAudit));
  ASSERT_TRUE(session.Sessions().Create(Session(bystander, 80), kAudit));

  session.Accounts().ReplaceKey(renewed, Hash('a', 9), "ipfs_gw_9", kAudit);
  EXPECT_TRUE(session.Sessions().Find(Hash('b', 60), kIdle)->ended);
  EXPECT_TRUE(session.Sessions().Find(Hash('b', 61), kIdle)->ended);
  EXPECT_FALSE(session.Sessions().Find(Hash('b', 60), kIdle)->key.key_current) << "the session keeps its old key";
  // a new session after the renewal belongs to the new key
  ASSERT_TRUE(session.Sessions().Create(Session(renewed, 62), kAudit));
  EXPECT_TRUE(session.Sessions().Find(Hash('b', 62), kIdle)->key.key_current);

  ASSERT_TRUE(session.Accounts().SetAccountActive("s7@example.com", false, kAudit));
  const auto gone = session.Sessions().Find(Hash('b', 70), kIdle);
  EXPECT_TRUE(gone->ended);
  EXPECT_FALSE(gone->key.account_active);
  EXPECT_FALSE(session.Sessions().Create(Session(revoked, 71), kAudit)) << "no session for a revoked account";
  // reactivation does not bring the ended session back
  ASSERT_TRUE(session.Accounts().SetAccountActive("s7@example.com", true, kAudit));
  EXPECT_TRUE(session.Sessions().Find(Hash('b', 70), kIdle)->ended);

  EXPECT_FALSE(session.Sessions().Find(Hash('b', 80), kIdle)->ended);
  EXPECT_EQ(Db().Scalar("SELECT count(*) FROM sessions WHERE ended_at IS NULL"), "2");  // 62 and 80
}

}  // namespace
}  // namespace gw::persistence::testing
