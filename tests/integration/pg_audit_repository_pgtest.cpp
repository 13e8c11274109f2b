#include "domain/error.hpp"
#include "persistence/pg_session.hpp"
#include "pg_test_support.hpp"

namespace gw::persistence::testing {
namespace {

std::string KeyHash(int seed) {
  const std::string digits = std::to_string(seed);
  return std::string(64 - digits.size(), 'b') + digits;
}

// One history shared by the suite, seven rows, oldest first: register alice, admin_create bob,
// then by bob: revoke alice, reactivate alice, renew bob, revoke alice; finally alice renews.
class PgAuditRepositoryTest : public PgSuite {
 public:
  static void SetUpTestSuite() {
    PgSuite::SetUpTestSuite();
    if (!HasDatabase()) return;
    PgSession session(Db().Dsn());
    auto& accounts = session.Accounts();
    const auto alice = accounts.CreateAccount({"alice@example.com", "", KeyHash(1), "gw_1", false}, "register",
                                              {"r1", "198.51.100.1", std::nullopt});
    const auto bob = accounts.CreateAccount({"bob@example.com", "", KeyHash(2), "gw_2", true}, "admin_create",
                                            {"r2", "198.51.100.2", std::nullopt});
    const domain::AuditContext by_bob{"r3", "198.51.100.2", bob};
    accounts.SetAccountActive("alice@example.com", false, by_bob);
    accounts.SetAccountActive("alice@example.com", true, by_bob);
    accounts.ReplaceKey(bob, KeyHash(3), "gw_3", by_bob);
    accounts.SetAccountActive("alice@example.com", false, by_bob);
    accounts.ReplaceKey(alice, KeyHash(4), "gw_4", {"r4", "198.51.100.1", alice});
  }
};

std::vector<std::string> Actions(const domain::Page<domain::AuditEntry>& page) {
  std::vector<std::string> actions;
  for (const auto& entry : page.items) actions.push_back(entry.action);
  return actions;
}

TEST_F(PgAuditRepositoryTest, ListsEverythingNewestFirst) {
  PgSession session(Db().Dsn());
  const auto page = session.Audit().List({});
  EXPECT_EQ(page.total, 7);
  EXPECT_EQ(Actions(page),
            (std::vector<std::string>{"renew", "revoke", "renew", "reactivate", "revoke", "admin_create", "register"}));
  const auto& revoke = page.items[1];
  EXPECT_EQ(revoke.user_email, "alice@example.com");
  EXPECT_EQ(revoke.actor_email, "bob@example.com");
  EXPECT_EQ(revoke.request_id, "r3");
  EXPECT_EQ(revoke.client_address, "198.51.100.2");
  EXPECT_NE(revoke.details_json.find("\"email\""), std::string::npos) << revoke.details_json;
  EXPECT_EQ(revoke.created_at.back(), 'Z');
  EXPECT_FALSE(page.items.back().actor_email);  // self-registration has no actor
}

TEST_F(PgAuditRepositoryTest, FiltersByTheAccountConcernedAndByAction) {
  PgSession session(Db().Dsn());
  domain::AuditQuery query;
  query.user_email = "alice@example.com";
  const auto alice = session.Audit().List(query);
  EXPECT_EQ(alice.total, 5);
  EXPECT_EQ(Actions(alice), (std::vector<std::string>{"renew", "revoke", "reactivate", "revoke", "register"}));

  query.action = "revoke";
  EXPECT_EQ(session.Audit().List(query).total, 2);
  query.user_email = std::nullopt;
  query.action = "renew";
  EXPECT_EQ(session.Audit().List(query).total, 2);
  query.user_email = "nobody@example.com";
  const auto none = session.Audit().List(query);
  EXPECT_EQ(none.total, 0);
  EXPECT_TRUE(none.items.empty());
}

TEST_F(PgAuditRepositoryTest, PaginatesWithTheTotalOnEveryPage) {
  PgSession session(Db().Dsn());
  domain::AuditQuery query;
  query.limit = 3;
  std::vector<std::string> all;
  for (int page = 1; page <= 3; ++page) {
    query.page = page;
    const auto result = session.Audit().List(query);
    EXPECT_EQ(result.total, 7);
    EXPECT_EQ(result.page, page);
    EXPECT_EQ(result.limit, 3);
    EXPECT_EQ(result.items.size(), page < 3 ? 3u : 1u);
    for (const auto& entry : result.items) all.push_back(std::to_string(entry.id));
  }
  EXPECT_EQ(all.size(), 7u);
  query.page = 4;  // past the end: no items, but the total is still reported
  const auto past = session.Audit().List(query);
  EXPECT_TRUE(past.items.empty());
  EXPECT_EQ(past.total, 7);
}

TEST_F(PgAuditRepositoryTest, FiltersByTimeRange) {
  PgSession session(Db().Dsn());
  domain::AuditQuery query;
  query.since = "2000-01-01";
  query.until = "2999-01-01T00:00:00Z";
  EXPECT_EQ(session.Audit().List(query).total, 7);
  query.since = "2999-01-01T00:00:00+02:00";
  query.until = std::nullopt;
  EXPECT_EQ(session.Audit().List(query).total, 0);
  query.since = std::nullopt;
  query.until = "2000-01-01";
  EXPECT_EQ(session.Audit().List(query).total, 0);

  // Bounds are inclusive: the newest entry's own timestamp finds it.
  const auto newest = session.Audit().List({}).items.front();
  query.until = std::nullopt;
  query.since = newest.created_at;
  const auto from_newest = session.Audit().List(query);
  ASSERT_FALSE(from_newest.items.empty());
  EXPECT_EQ(from_newest.items.front().id, newest.id);
}

TEST_F(PgAuditRepositoryTest, AnInvalidTimestampIsAnInvalidQuery) {
  PgSession session(Db().Dsn());
  for (const char* bad : {"not-a-date", "2024-13-45", "2024-02-30T25:00:00Z"}) {
    domain::AuditQuery query;
    query.since = bad;
    try {
      session.Audit().List(query);
      ADD_FAILURE() << bad << " was accepted";
    } catch (const domain::Error& e) {
      EXPECT_EQ(e.Code(), domain::ErrorCode::kInvalidQuery) << bad << ": " << e.InternalMessage();
    }
  }
  // The connection is still usable afterwards.
  EXPECT_EQ(session.Audit().List({}).total, 7);
}

}  // namespace
}  // namespace gw::persistence::testing
