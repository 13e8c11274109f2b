#include <functional>

#include "domain/error.hpp"
#include "persistence/pg_session.hpp"
#include "pg_test_support.hpp"

namespace gw::persistence::testing {
namespace {

using domain::ErrorCode;

/// A distinct, well-formed (64 lower-case hex) key hash per seed.
std::string KeyHash(int seed) {
  const std::string digits = std::to_string(seed);
  return std::string(64 - digits.size(), 'a') + digits;
}

domain::NewAccount Account(const std::string& email, int key_seed) {
  return domain::NewAccount{email, "$argon2id$fake", KeyHash(key_seed), "gw_" + std::to_string(key_seed), false};
}

const domain::AuditContext kAudit{"req-1", "192.0.2.1", std::nullopt};

class PgAccountRepositoryTest : public PgSuite {
 protected:
  std::string AuditRows() const { return Db().Scalar("SELECT count(*) FROM audit_log"); }
  ErrorCode CodeOf(const std::function<void()>& action) {
    try {
      action();
    } catch (const domain::Error& e) {
      return e.Code();
    }
    ADD_FAILURE() << "no domain::Error thrown";
    return ErrorCode::kBadRequest;
  }
};

TEST_F(PgAccountRepositoryTest, CreatesAnAccountWithItsKeyAndOneAuditRow) {
  PgSession session(Db().Dsn());
  const auto before = std::stoll(AuditRows());
  const auto id = session.Accounts().CreateAccount(Account("create@example.com", 1), "register", kAudit);
  EXPECT_EQ(std::stoll(AuditRows()), before + 1);
  EXPECT_EQ(Db().Scalar("SELECT action || ' ' || (details->>'email') || ' ' || request_id || ' ' || client_address "
                        "FROM audit_log WHERE user_id = " +
                        std::to_string(id)),
            "register create@example.com req-1 192.0.2.1");

  const auto lookup = session.Accounts().FindByKeyHash(KeyHash(1));
  ASSERT_TRUE(lookup);
  EXPECT_EQ(lookup->user_id, id);
  EXPECT_EQ(lookup->email, "create@example.com");
  EXPECT_TRUE(lookup->account_active);
  EXPECT_TRUE(lookup->key_current);
  EXPECT_FALSE(lookup->is_admin);

  const auto credentials = session.Accounts().FindCredentials("create@example.com");
  ASSERT_TRUE(credentials);
  EXPECT_EQ(credentials->user_id, id);
  EXPECT_EQ(credentials->password_hash, "$argon2id$fake");
  EXPECT_TRUE(credentials->account_active);
  EXPECT_FALSE(session.Accounts().FindCredentials("nobody@example.com"));
  EXPECT_FALSE(session.Accounts().FindByKeyHash(KeyHash(999999)));
}

TEST_F(PgAccountRepositoryTest, ADuplicateEmailIsEmailTakenAndLeavesNoAuditRow) {
  PgSession session(Db().Dsn());
  session.Accounts().CreateAccount(Account("dup@example.com", 10), "register", kAudit);
  const auto before = AuditRows();
  EXPECT_EQ(CodeOf([&] { session.Accounts().CreateAccount(Account("dup@example.com", 11), "register", kAudit); }),
            ErrorCode::kEmailTaken);
  EXPECT_EQ(AuditRows(), before);
  EXPECT_FALSE(session.Accounts().FindByKeyHash(KeyHash(11)));
  // The session is still usable after the failed transaction.
  EXPECT_TRUE(session.Ping());
}

TEST_F(PgAccountRepositoryTest, AReusedKeyHashIsAnInternalErrorNotEmailTaken) {
  PgSession session(Db().Dsn());
  session.Accounts().CreateAccount(Account("hash1@example.com", 20), "register", kAudit);
  EXPECT_EQ(CodeOf([&] { session.Accounts().CreateAccount(Account("hash2@example.com", 20), "register", kAudit); }),
            ErrorCode::kInternal);
  EXPECT_FALSE(session.Accounts().FindCredentials("hash2@example.com"));
}

TEST_F(PgAccountRepositoryTest, ReplaceKeySupersedesTheOldKeyAndAuditsTheRenewal) {
  PgSession session(Db().Dsn());
  const auto id = session.Accounts().CreateAccount(Account("renew@example.com", 30), "register", kAudit);
  EXPECT_FALSE(session.Accounts().FindStatus(id)->last_renewed_at);
  domain::AuditContext audit = kAudit;
  audit.actor_user_id = id;
  session.Accounts().ReplaceKey(id, KeyHash(31), "gw_31", audit);

  const auto old_key = session.Accounts().FindByKeyHash(KeyHash(30));
  ASSERT_TRUE(old_key);
  EXPECT_FALSE(old_key->key_current);
  EXPECT_TRUE(old_key->account_active);
  const auto new_key = session.Accounts().FindByKeyHash(KeyHash(31));
  ASSERT_TRUE(new_key);
  EXPECT_TRUE(new_key->key_current);
  EXPECT_EQ(Db().Scalar("SELECT count(*) FROM audit_log WHERE action = 'renew' AND user_id = " + std::to_string(id) +
                        " AND actor_user_id = " + std::to_string(id)),
            "1");
  const auto status = session.Accounts().FindStatus(id);
  ASSERT_TRUE(status);
  ASSERT_TRUE(status->last_renewed_at);
  EXPECT_EQ(status->last_renewed_at->size(), std::string("2024-01-01T00:00:00.000000Z").size());
  EXPECT_EQ(status->last_renewed_at->back(), 'Z');
}

TEST_F(PgAccountRepositoryTest, ReplaceKeyForAMissingUserFailsAndAuditsNothing) {
  PgSession session(Db().Dsn());
  const auto before = AuditRows();
  EXPECT_EQ(CodeOf([&] { session.Accounts().ReplaceKey(987654321, KeyHash(40), "gw_40", kAudit); }),
            ErrorCode::kNotFound);
  EXPECT_EQ(AuditRows(), before);
  EXPECT_FALSE(session.Accounts().FindByKeyHash(KeyHash(40)));
}

TEST_F(PgAccountRepositoryTest, SetAccountActiveRevokesReactivatesAndReportsUnknownEmails) {
  PgSession session(Db().Dsn());
  const auto admin = session.Accounts().CreateAccount(Account("admin@example.com", 50), "admin_create", kAudit);
  const auto id = session.Accounts().CreateAccount(Account("target@example.com", 51), "register", kAudit);
  domain::AuditContext audit = kAudit;
  audit.actor_user_id = admin;

  EXPECT_TRUE(session.Accounts().SetAccountActive("target@example.com", false, audit));
  EXPECT_FALSE(session.Accounts().FindByKeyHash(KeyHash(51))->account_active);
  EXPECT_EQ(session.Accounts().FindStatusByEmail("target@example.com")->key_state, domain::KeyState::kRevoked);
  EXPECT_FALSE(session.Accounts().FindCredentials("target@example.com")->account_active);
  EXPECT_EQ(Db().Scalar("SELECT revoked_at IS NOT NULL FROM users WHERE id = " + std::to_string(id)), "t");

  EXPECT_TRUE(session.Accounts().SetAccountActive("target@example.com", true, audit));
  EXPECT_TRUE(session.Accounts().FindByKeyHash(KeyHash(51))->account_active);
  EXPECT_EQ(session.Accounts().FindStatus(id)->key_state, domain::KeyState::kActive);
  EXPECT_EQ(Db().Scalar("SELECT revoked_at IS NULL FROM users WHERE id = " + std::to_string(id)), "t");
  EXPECT_EQ(Db().Scalar("SELECT string_agg(action, ',' ORDER BY id) FROM audit_log WHERE user_id = " +
                        std::to_string(id) + " AND actor_user_id = " + std::to_string(admin)),
            "revoke,reactivate");

  const auto before = AuditRows();
  EXPECT_FALSE(session.Accounts().SetAccountActive("ghost@example.com", false, audit));
  EXPECT_EQ(AuditRows(), before);
}

TEST_F(PgAccountRepositoryTest, StatusReportsTheAccountAndIgnoresDeletedOnes) {
  PgSession session(Db().Dsn());
  domain::NewAccount admin = Account("status@example.com", 60);
  admin.is_admin = true;
  const auto id = session.Accounts().CreateAccount(admin, "admin_create", kAudit);
  const auto status = session.Accounts().FindStatus(id);
  ASSERT_TRUE(status);
  EXPECT_EQ(status->email, "status@example.com");
  EXPECT_TRUE(status->is_admin);
  EXPECT_EQ(status->key_state, domain::KeyState::kActive);
  EXPECT_EQ(status->usage_count, 0);
  EXPECT_EQ(status->created_at.size(), std::string("2024-01-01T00:00:00.000000Z").size());

  Db().Scalar("UPDATE users SET is_deleted = true WHERE id = $1::bigint RETURNING id", std::to_string(id));
  EXPECT_FALSE(session.Accounts().FindStatus(id));
  EXPECT_FALSE(session.Accounts().FindStatusByEmail("status@example.com"));
  EXPECT_FALSE(session.Accounts().FindByKeyHash(KeyHash(60)));
  // A deleted account frees its email.
  EXPECT_NO_THROW(session.Accounts().CreateAccount(Account("status@example.com", 61), "register", kAudit));
}

TEST_F(PgAccountRepositoryTest, ASessionReplacesAConnectionKilledWhileIdleBeforeUsingIt) {
  PgSession session(Db().Dsn());
  ASSERT_TRUE(session.Ping());
  Db().TerminateOtherConnections();  // what a PostgreSQL restart does to idle connections
  // The dead idle connection is noticed before anything is sent on it and replaced, with its
  // statements prepared again: the restart costs no call an error.
  EXPECT_NO_THROW(session.Accounts().FindCredentials("x@example.com"));
  EXPECT_NO_THROW(session.Accounts().FindCredentials("x@example.com"));
  EXPECT_TRUE(session.Ping());
}

TEST_F(PgAccountRepositoryTest, AnUnreachableDatabaseIsUnavailableAndPingIsFalse) {
  PgSession session("host=/nonexistent-gw-socket-dir port=1 connect_timeout=2");
  EXPECT_FALSE(session.Ping());
  EXPECT_EQ(CodeOf([&] { session.Accounts().FindCredentials("x@example.com"); }), ErrorCode::kDatabaseUnavailable);
}

}  // namespace
}  // namespace gw::persistence::testing
