#include <algorithm>
#include <functional>
#include <string>
#include <vector>

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

TEST_F(PgAccountRepositoryTest, UsersStartOnFreeAndAdministratorsOnUnlimited) {
  PgSession session(Db().Dsn());
  session.Accounts().CreateAccount(Account("plain@example.com", 100), "register", kAudit);
  domain::NewAccount admin = Account("operator@example.com", 101);
  admin.is_admin = true;
  session.Accounts().CreateAccount(admin, "admin_create", kAudit);

  const auto user = session.Accounts().FindByKeyHash(KeyHash(100));
  ASSERT_TRUE(user);
  EXPECT_EQ(user->plan, "free");
  EXPECT_EQ(user->limits.requests_per_minute, 600);
  EXPECT_EQ(user->limits.burst, 100);
  EXPECT_EQ(user->limits.upload_bytes_per_day, 1073741824);
  const auto op = session.Accounts().FindByKeyHash(KeyHash(101));
  ASSERT_TRUE(op);
  EXPECT_EQ(op->plan, "unlimited");
  EXPECT_EQ(op->limits.requests_per_minute, 0);
  EXPECT_EQ(op->limits.burst, 0);
  EXPECT_EQ(op->limits.upload_bytes_per_day, 0);
  EXPECT_EQ(session.Accounts().FindStatusByEmail("operator@example.com")->plan, "unlimited");
}

TEST_F(PgAccountRepositoryTest, SetPlanAppliesThePlanAndOverridesWithOneAuditRow) {
  PgSession session(Db().Dsn());
  const auto admin = session.Accounts().CreateAccount(Account("planadmin@example.com", 110), "admin_create", kAudit);
  const auto id = session.Accounts().CreateAccount(Account("upgrade@example.com", 111), "register", kAudit);
  domain::AuditContext audit = kAudit;
  audit.actor_user_id = admin;
  const auto before = std::stoll(AuditRows());

  const domain::LimitOverrides overrides{1200, std::nullopt, 0};
  const auto assignment = session.Accounts().SetPlan("upgrade@example.com", {"pro", overrides}, audit);
  ASSERT_TRUE(assignment);
  EXPECT_EQ(assignment->email, "upgrade@example.com");
  EXPECT_EQ(assignment->plan, "pro");
  EXPECT_EQ(assignment->limits.requests_per_minute, 1200);  // override
  EXPECT_EQ(assignment->limits.burst, 1000);                // the plan's
  EXPECT_EQ(assignment->limits.upload_bytes_per_day, 0);    // override: unlimited
  EXPECT_EQ(assignment->overrides, overrides);

  const auto lookup = session.Accounts().FindByKeyHash(KeyHash(111));
  ASSERT_TRUE(lookup);
  EXPECT_EQ(lookup->plan, "pro");
  EXPECT_EQ(lookup->limits.requests_per_minute, 1200);
  EXPECT_EQ(lookup->limits.burst, 1000);
  EXPECT_EQ(lookup->limits.upload_bytes_per_day, 0);
  const auto status = session.Accounts().FindStatus(id);
  ASSERT_TRUE(status);
  EXPECT_EQ(status->plan, "pro");
  EXPECT_EQ(status->limits.requests_per_minute, 1200);

  EXPECT_EQ(std::stoll(AuditRows()), before + 1);
  EXPECT_EQ(Db().Scalar("SELECT action || ' ' || actor_user_id || ' ' || (details->>'previous_plan') || ' ' || "
                        "(details->>'plan') || ' ' || (details->>'requests_per_minute_override') || ' ' || "
                        "(details->>'upload_bytes_per_day_override') || ' ' || (details ? 'burst_override') "
                        "FROM audit_log WHERE user_id = " +
                        std::to_string(id) + " AND action = 'plan_change'"),
            "plan_change " + std::to_string(admin) + " free pro 1200 0 false");

  // Without overrides, every override is removed: the plan's limits apply again.
  const auto cleared = session.Accounts().SetPlan("upgrade@example.com", {"pro", {}}, audit);
  ASSERT_TRUE(cleared);
  EXPECT_EQ(cleared->overrides, domain::LimitOverrides{});
  EXPECT_EQ(session.Accounts().FindByKeyHash(KeyHash(111))->limits.requests_per_minute, 6000);
  EXPECT_EQ(session.Accounts().FindByKeyHash(KeyHash(111))->limits.upload_bytes_per_day, 107374182400);
  EXPECT_EQ(Db().Scalar("SELECT string_agg(details->>'previous_plan', ',' ORDER BY id) FROM audit_log "
                        "WHERE action = 'plan_change' AND user_id = " +
                        std::to_string(id)),
            "free,pro");
}

TEST_F(PgAccountRepositoryTest, SetPlanToAnUnknownPlanIsUnknownPlanAndChangesNothing) {
  PgSession session(Db().Dsn());
  const auto id = session.Accounts().CreateAccount(Account("stays@example.com", 120), "register", kAudit);
  ASSERT_TRUE(session.Accounts().SetPlan("stays@example.com", {"pro", {std::nullopt, 5, std::nullopt}}, kAudit));
  const auto before = AuditRows();
  EXPECT_EQ(CodeOf([&] {
              session.Accounts().SetPlan("stays@example.com", {"gold", {1, 1, 1}}, kAudit);
            }),
            ErrorCode::kUnknownPlan);
  EXPECT_EQ(AuditRows(), before);
  EXPECT_EQ(Db().Scalar("SELECT plan || ' ' || coalesce(requests_per_minute_override::text, '-') || ' ' || "
                        "coalesce(burst_override::text, '-') FROM users WHERE id = " +
                        std::to_string(id)),
            "pro - 5");
  // Unknown plan and unknown user: the plan is checked first.
  EXPECT_EQ(CodeOf([&] {
              session.Accounts().SetPlan("ghost@example.com", {"gold", {}}, kAudit);
            }),
            ErrorCode::kUnknownPlan);
  EXPECT_TRUE(session.Ping());
}

TEST_F(PgAccountRepositoryTest, SetPlanOfAnUnknownOrDeletedAccountIsEmptyAndAuditsNothing) {
  PgSession session(Db().Dsn());
  const auto id = session.Accounts().CreateAccount(Account("gone@example.com", 130), "register", kAudit);
  Db().Scalar("UPDATE users SET is_deleted = true WHERE id = $1::bigint RETURNING id", std::to_string(id));
  const auto before = AuditRows();
  EXPECT_FALSE(session.Accounts().SetPlan("gone@example.com", {"pro", {}}, kAudit));
  EXPECT_FALSE(session.Accounts().SetPlan("ghost@example.com", {"pro", {}}, kAudit));
  EXPECT_EQ(AuditRows(), before);
  EXPECT_EQ(Db().Scalar("SELECT plan FROM users WHERE id = " + std::to_string(id)), "free");
}

TEST_F(PgAccountRepositoryTest, APlanChangeWhoseAuditRowFailsIsRolledBack) {
  PgSession session(Db().Dsn());
  const auto id = session.Accounts().CreateAccount(Account("atomic@example.com", 140), "register", kAudit);
  // Make the audit insert of a plan change fail after the users row was updated.
  Db().Scalar(
      "CREATE FUNCTION test_refuse_plan_audit() RETURNS trigger LANGUAGE plpgsql AS "
      "$$BEGIN IF NEW.action = 'plan_change' THEN RAISE EXCEPTION 'audit refused'; END IF; RETURN NEW; END$$; "
      "CREATE TRIGGER test_refuse_plan_audit BEFORE INSERT ON audit_log FOR EACH ROW "
      "EXECUTE FUNCTION test_refuse_plan_audit(); SELECT 1");
  EXPECT_EQ(CodeOf([&] {
              session.Accounts().SetPlan("atomic@example.com", {"pro", {1, 1, 1}}, kAudit);
            }),
            ErrorCode::kInternal);
  Db().Scalar("DROP TRIGGER test_refuse_plan_audit ON audit_log; DROP FUNCTION test_refuse_plan_audit(); SELECT 1");
  EXPECT_EQ(Db().Scalar("SELECT plan || ' ' || (requests_per_minute_override IS NULL) FROM users WHERE id = " +
                        std::to_string(id)),
            "free true");
  EXPECT_EQ(
      Db().Scalar("SELECT count(*) FROM audit_log WHERE action = 'plan_change' AND user_id = " + std::to_string(id)),
      "0");
}

TEST_F(PgAccountRepositoryTest, ListPlansGivesTheSeededPlansByName) {
  PgSession session(Db().Dsn());
  const auto plans = session.Accounts().ListPlans();
  ASSERT_GE(plans.size(), 3u);
  std::vector<std::string> names;
  for (const auto& plan : plans) names.push_back(plan.name);
  EXPECT_TRUE(std::is_sorted(names.begin(), names.end()));
  const auto pro = std::find_if(plans.begin(), plans.end(), [](const auto& plan) { return plan.name == "pro"; });
  ASSERT_NE(pro, plans.end());
  EXPECT_EQ(pro->limits.requests_per_minute, 6000);
  EXPECT_EQ(pro->limits.burst, 1000);
  EXPECT_EQ(pro->limits.upload_bytes_per_day, 107374182400);
  EXPECT_TRUE(pro->description);
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
