// Emails that look like SQL injection: rejected when invalid, stored verbatim when valid, and the
// service keeps working afterwards.
#include "e2e_support.hpp"

namespace gw::e2e {
namespace {

class Injection : public E2eTest {};

TEST_F(Injection, SqlLookingEmailsAreHandledSafely) {
  // not a valid address: rejected by validation
  for (const char* email : {"a';DROP TABLE users;--@x.com", "x@example.com' OR '1'='1", "\"; DELETE FROM users; --"}) {
    auto response = Client().PostJson("/register", {{"email", email}, {"password", "long enough password"}});
    ExpectErrorEnvelope(response, 422, "validation_failed");
    EXPECT_EQ(response.Json()["error"]["details"].value("field", ""), "email") << email << ": " << response.Describe();
  }

  // a valid address with a quote and a plus: accepted, normalised, stored verbatim
  const std::string tag = RandomHex(10);
  const std::string raw = " O'Brien+" + tag + "@Example.com ";
  const std::string normalised = "o'brien+" + tag + "@example.com";
  auto registered = Client().PostJson("/register", {{"email", raw}, {"password", "long enough password"}});
  ExpectSuccessEnvelope(registered, 201);
  EXPECT_EQ(registered.Json()["data"].value("email", ""), normalised) << registered.Describe();
  const std::string key = registered.Json()["data"].value("api_key", "");

  auto status = Status(key);
  ExpectSuccessEnvelope(status, 200);
  EXPECT_EQ(status.Json()["data"].value("email", ""), normalised) << status.Describe();

  auto by_admin = AdminPost("/status", {{"email", normalised}});
  ExpectSuccessEnvelope(by_admin, 200);
  EXPECT_EQ(by_admin.Json()["data"].value("email", ""), normalised) << by_admin.Describe();

  // renew with the quoted email works (parameterised queries all the way)
  auto renewed = Client().PostJson("/renew", {{"email", normalised}, {"password", "long enough password"}});
  ExpectSuccessEnvelope(renewed, 200);

  // the audit filter with a quote and a '+' (percent-encoded) finds exactly this user's rows
  auto audit = AdminGet("/audit?user=" + HttpsClient::Escape(normalised));
  ExpectSuccessEnvelope(audit, 200);
  ASSERT_TRUE(audit.Json()["data"].is_array()) << audit.Describe();
  EXPECT_EQ(audit.Json()["data"].size(), 2u) << audit.Describe();
  const auto audit_body = audit.Json();  // bound first: Json() is a temporary (range-for lifetime)
  for (const auto& entry : audit_body["data"]) EXPECT_EQ(entry.value("user", ""), normalised);

  // a hostile audit filter is just a value that matches nothing, not a server error
  auto hostile = AdminGet("/audit?action=" + HttpsClient::Escape("register' OR '1'='1"));
  ExpectSuccessEnvelope(hostile, 200);
  EXPECT_EQ(hostile.Json()["data"].size(), 0u) << hostile.Describe();

  // the users table is still there: a fresh registration works, and so does the old account
  const auto after = RegisterUser("after-injection");
  ExpectSuccessEnvelope(Status(after.api_key), 200);
  ExpectSuccessEnvelope(Client().Request("GET", "/health/ready"), 200);
}

}  // namespace
}  // namespace gw::e2e
