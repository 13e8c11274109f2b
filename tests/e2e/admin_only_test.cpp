// Administrator-only endpoints refuse user keys (403) and missing keys (401); /audit query checks.
#include "e2e_support.hpp"

namespace gw::e2e {
namespace {

class AdminOnly : public E2eTest {};

TEST_F(AdminOnly, UserKeyIsForbidden) {
  const auto user = RegisterUser("nonadmin");
  const auto victim = RegisterUser("victim");
  const HeaderList key{{"X-API-Key", user.api_key}};

  ExpectErrorEnvelope(Client().PostJson("/revoke", {{"email", victim.email}}, key), 403, "forbidden");
  ExpectErrorEnvelope(Client().PostJson("/reactivate", {{"email", victim.email}}, key), 403, "forbidden");
  ExpectErrorEnvelope(Client().Request("GET", "/audit", key), 403, "forbidden");
  ExpectErrorEnvelope(Client().Request("GET", "/audit?user=" + HttpsClient::Escape(victim.email), key), 403,
                      "forbidden");
  // even about itself
  ExpectErrorEnvelope(Client().PostJson("/revoke", {{"email", user.email}}, key), 403, "forbidden");

  // a non-admin may not look at another account's status either
  ExpectErrorEnvelope(Status(user.api_key, nlohmann::json{{"email", victim.email}}), 403, "forbidden");
  // ...but may name its own
  auto own = Status(user.api_key, nlohmann::json{{"email", user.email}});
  ExpectSuccessEnvelope(own, 200);
  EXPECT_EQ(own.Json()["data"].value("email", ""), user.email);

  // the victim was not touched
  auto victim_status = Status(victim.api_key);
  ExpectSuccessEnvelope(victim_status, 200);
  EXPECT_EQ(victim_status.Json()["data"].value("state", ""), "active") << victim_status.Describe();
}

TEST_F(AdminOnly, MissingKeyIsUnauthorized) {
  const auto victim = RegisterUser("victim");
  ExpectErrorEnvelope(Client().PostJson("/revoke", {{"email", victim.email}}), 401, "missing_api_key");
  ExpectErrorEnvelope(Client().PostJson("/reactivate", {{"email", victim.email}}), 401, "missing_api_key");
  ExpectErrorEnvelope(Client().Request("GET", "/audit"), 401, "missing_api_key");
  ExpectErrorEnvelope(Client().Request("POST", "/status"), 401, "missing_api_key");
  // an empty header is the same as none
  ExpectErrorEnvelope(Client().Request("GET", "/audit", {{"X-API-Key", ""}}), 401, "missing_api_key");
}

TEST_F(AdminOnly, AdminSeesAnotherAccountsStatus) {
  const auto user = RegisterUser("watched");
  auto response = AdminPost("/status", {{"email", user.email}});
  ExpectSuccessEnvelope(response, 200);
  const auto data = response.Json()["data"];
  EXPECT_EQ(data.value("email", ""), user.email);
  EXPECT_EQ(data.value("state", ""), "active");
  EXPECT_EQ(data.value("is_admin", true), false);

  // the admin's own status says it is an admin
  auto own = Status(env_.admin_key);
  ExpectSuccessEnvelope(own, 200);
  EXPECT_EQ(own.Json()["data"].value("is_admin", false), true) << own.Describe();

  // unknown account
  ExpectErrorEnvelope(AdminPost("/status", {{"email", RandomEmail("nobody")}}), 404, "user_not_found");
  ExpectErrorEnvelope(AdminPost("/revoke", {{"email", RandomEmail("nobody")}}), 404, "user_not_found");
}

TEST_F(AdminOnly, AuditQueryValidationAndPagination) {
  for (const char* limit : {"0", "101", "x", "-1", ""}) {
    auto response = AdminGet(std::string("/audit?limit=") + limit);
    ExpectErrorEnvelope(response, 400, "invalid_query");
    EXPECT_EQ(response.Json()["error"]["details"].value("parameter", ""), "limit") << response.Describe();
  }
  for (const char* page : {"0", "y"}) {
    ExpectErrorEnvelope(AdminGet(std::string("/audit?page=") + page), 400, "invalid_query");
  }
  for (const char* since : {"yesterday", "2024-13-01", "2024-01-01T25:00:00Z"}) {
    auto response = AdminGet(std::string("/audit?since=") + HttpsClient::Escape(since));
    ExpectErrorEnvelope(response, 400, "invalid_query");
    EXPECT_EQ(response.Json()["error"]["details"].value("parameter", ""), "since") << response.Describe();
  }
  ExpectErrorEnvelope(AdminGet("/audit?until=soon"), 400, "invalid_query");
  ExpectErrorEnvelope(AdminGet("/audit?user=not-an-email"), 400, "invalid_query");

  // valid filters: a user with two audit rows (register + renew), one per page
  const auto user = RegisterUser("audited");
  ASSERT_EQ(Client().PostJson("/renew", {{"email", user.email}, {"password", user.password}}).status, 200);
  const std::string base = "/audit?user=" + HttpsClient::Escape(user.email);
  auto page1 = AdminGet(base + "&limit=1");
  ExpectSuccessEnvelope(page1, 200);
  ASSERT_TRUE(page1.Json()["data"].is_array());
  EXPECT_EQ(page1.Json()["data"].size(), 1u) << page1.Describe();
  EXPECT_EQ(page1.Header("x-total-count").value_or(""), "2") << page1.Describe();
  const std::string link = page1.Header("link").value_or("");
  EXPECT_NE(link.find("rel=\"next\""), std::string::npos) << "Link: " << link;
  EXPECT_NE(link.find("page=2"), std::string::npos) << "Link: " << link;
  // newest first: the renew row comes before the register row
  EXPECT_EQ(page1.Json()["data"][0].value("action", ""), "renew") << page1.Describe();
  auto page2 = AdminGet(base + "&limit=1&page=2");
  ExpectSuccessEnvelope(page2, 200);
  ASSERT_EQ(page2.Json()["data"].size(), 1u) << page2.Describe();
  EXPECT_EQ(page2.Json()["data"][0].value("action", ""), "register") << page2.Describe();

  auto by_action = AdminGet(base + "&action=register");
  ExpectSuccessEnvelope(by_action, 200);
  ASSERT_EQ(by_action.Json()["data"].size(), 1u) << by_action.Describe();
  EXPECT_EQ(by_action.Json()["data"][0].value("action", ""), "register");

  auto in_range = AdminGet(base + "&since=2000-01-01&until=2999-12-31T00:00:00Z");
  ExpectSuccessEnvelope(in_range, 200);
  EXPECT_EQ(in_range.Json()["data"].size(), 2u) << in_range.Describe();
  auto in_future = AdminGet(base + "&since=2999-01-01");
  ExpectSuccessEnvelope(in_future, 200);
  EXPECT_EQ(in_future.Json()["data"].size(), 0u) << in_future.Describe();
  EXPECT_EQ(in_future.Header("x-total-count").value_or(""), "0") << in_future.Describe();
}

}  // namespace
}  // namespace gw::e2e
