// PgAccountRepository::ListUsers: the administrators' user list (GET /admin/users).
#include <algorithm>
#include <memory>
#include <string>
#include <vector>

#include "persistence/pg_session.hpp"
#include "pg_test_support.hpp"

namespace gw::persistence::testing {
namespace {

const domain::AuditContext kAudit{"req-u", "192.0.2.8", std::nullopt};

std::string KeyHash(int seed) {
  const std::string digits = std::to_string(seed);
  return std::string(64 - digits.size(), 'e') + digits;
}

class AdminUsersListTest : public PgSuite {
 protected:
  // Once per suite: the same accounts serve every test (each test reads only).
  void SetUp() override {
    PgSuite::SetUp();
    if (!HasDatabase()) return;
    session_ = std::make_unique<PgSession>(Db().Dsn());
    if (created_) return;
    created_ = true;
    int seed = 0;
    for (const std::string email : {"carol@example.com", "alice@example.com", "a_b@example.com", "a%c@example.com",
                                    "axb@example.com", "a\\d@example.com", "bob@example.org", "gone@example.com"}) {
      session_->Accounts().CreateAccount({email, "", KeyHash(++seed), "gw_u" + std::to_string(seed), false}, "register",
                                         kAudit);
    }
    ASSERT_TRUE(session_->Accounts().SetAccountActive("bob@example.org", false, kAudit));
    Db().Scalar("UPDATE users SET is_deleted = true WHERE email = 'gone@example.com' RETURNING 1");
    const auto alice = session_->Accounts().FindCredentials("alice@example.com");
    ASSERT_TRUE(alice);
    session_->Accounts().ReplaceKey(alice->user_id, KeyHash(100), "gw_renewed", kAudit);
  }
  std::vector<std::string> Emails(const domain::UserQuery& query) {
    std::vector<std::string> emails;
    for (const auto& user : session_->Accounts().ListUsers(query).items) emails.push_back(user.email);
    return emails;
  }
  static domain::UserQuery Query(std::optional<std::string> q, std::optional<bool> active = std::nullopt, int page = 1,
                                 int limit = 20) {
    return domain::UserQuery{std::move(q), active, page, limit};
  }

  static inline bool created_ = false;
  std::unique_ptr<PgSession> session_;
};

TEST_F(AdminUsersListTest, ListsLiveAccountsByEmailWithTheirKeyPrefix) {
  const auto page = session_->Accounts().ListUsers(Query(std::nullopt));
  EXPECT_EQ(page.total, 7);
  std::string emails;
  for (const auto& user : page.items) emails += (emails.empty() ? "" : ",") + user.email;
  // by email as the database orders text (its collation decides where "%" and "_" go)
  EXPECT_EQ(emails, Db().Scalar("SELECT string_agg(email, ',' ORDER BY email) FROM users WHERE NOT is_deleted"));
  EXPECT_EQ(emails.find("gone@"), std::string::npos);
  const auto alice = std::find_if(page.items.begin(), page.items.end(),
                                  [](const domain::UserSummary& user) { return user.email == "alice@example.com"; });
  ASSERT_NE(alice, page.items.end());
  EXPECT_EQ(alice->key_prefix, "gw_renewed");  // the current key's, not the first one's
  EXPECT_TRUE(alice->active);
  EXPECT_FALSE(alice->is_admin);
  EXPECT_EQ(alice->plan, "free");
  EXPECT_TRUE(alice->last_renewed_at);
  EXPECT_FALSE(alice->revoked_at);
  EXPECT_EQ(alice->created_at.size(), std::string("2026-01-01T00:00:00.000000Z").size());
  EXPECT_EQ(alice->usage_count, 0);
}

TEST_F(AdminUsersListTest, SearchIsACaseInsensitiveLiteralSubstring) {
  EXPECT_EQ(Emails(Query("ALICE")), (std::vector<std::string>{"alice@example.com"}));
  EXPECT_EQ(Emails(Query("example.org")), (std::vector<std::string>{"bob@example.org"}));
  // LIKE's wildcards and its escape character match only themselves
  EXPECT_EQ(Emails(Query("a_b")), (std::vector<std::string>{"a_b@example.com"}));
  EXPECT_EQ(Emails(Query("a%c")), (std::vector<std::string>{"a%c@example.com"}));
  EXPECT_EQ(Emails(Query("%")), (std::vector<std::string>{"a%c@example.com"}));
  EXPECT_EQ(Emails(Query("_")), (std::vector<std::string>{"a_b@example.com"}));
  EXPECT_EQ(Emails(Query("a\\d")), (std::vector<std::string>{"a\\d@example.com"}));
  EXPECT_TRUE(Emails(Query("gone")).empty());  // deleted accounts are never listed
  EXPECT_TRUE(Emails(Query("nobody")).empty());
}

TEST_F(AdminUsersListTest, StateFiltersActiveOrRevokedAccounts) {
  const auto revoked = session_->Accounts().ListUsers(Query(std::nullopt, false));
  ASSERT_EQ(revoked.items.size(), 1u);
  EXPECT_EQ(revoked.total, 1);
  EXPECT_EQ(revoked.items[0].email, "bob@example.org");
  EXPECT_FALSE(revoked.items[0].active);
  EXPECT_TRUE(revoked.items[0].revoked_at);
  EXPECT_EQ(session_->Accounts().ListUsers(Query(std::nullopt, true)).total, 6);
  EXPECT_TRUE(Emails(Query("alice", false)).empty());
  EXPECT_EQ(Emails(Query("b", true)), (std::vector<std::string>{"a_b@example.com", "axb@example.com"}));
}

TEST_F(AdminUsersListTest, PagesCarryTheTotalEvenPastTheEnd) {
  const auto first = session_->Accounts().ListUsers(Query(std::nullopt, std::nullopt, 1, 3));
  EXPECT_EQ(first.items.size(), 3u);
  EXPECT_EQ(first.total, 7);
  const auto last = session_->Accounts().ListUsers(Query(std::nullopt, std::nullopt, 3, 3));
  ASSERT_EQ(last.items.size(), 1u);
  EXPECT_EQ(last.items[0].email, "carol@example.com");
  EXPECT_EQ(last.total, 7);
  const auto beyond = session_->Accounts().ListUsers(Query("c", std::nullopt, 9, 3));
  EXPECT_TRUE(beyond.items.empty());
  EXPECT_EQ(beyond.total, 6);  // the filter holds for the count too: every live ".com" address
}

TEST_F(AdminUsersListTest, StatusReportsTheCurrentKey) {
  const auto alice = session_->Accounts().FindCredentials("alice@example.com");
  ASSERT_TRUE(alice);
  const auto status = session_->Accounts().FindStatus(alice->user_id);
  ASSERT_TRUE(status);
  EXPECT_EQ(status->key_prefix, "gw_renewed");
  ASSERT_TRUE(status->key_created_at);
  EXPECT_EQ(status->key_created_at->back(), 'Z');
  const auto by_email = session_->Accounts().FindStatusByEmail("carol@example.com");
  ASSERT_TRUE(by_email);
  EXPECT_EQ(by_email->key_prefix, "gw_u1");
}

}  // namespace
}  // namespace gw::persistence::testing
