// The whole API-key lifecycle through nginx and the worker pool, and its audit trail.
#include <map>
#include <set>

#include "e2e_support.hpp"

namespace gw::e2e {
namespace {

using namespace std::chrono_literals;

class KeyLifecycle : public E2eTest {
 protected:
  // Sends POST /status with `key` until it answers `status`/`code` (polled with a hang guard: the
  // change reaches every worker through the key-change listener; how fast is not this test's
  // concern), then requires that 20 further requests agree, so that every worker of the pool has
  // seen the change.
  void ExpectKeyConverges(const std::string& key, long status, const std::string& code, const char* what) {
    HttpResponse last;
    const bool converged = PollUntil(kHangGuard, [&] {
      last = Status(key);
      return last.status == status && ErrorCode(last) == code;
    });
    ASSERT_TRUE(converged) << what << ": expected " << status << " " << code << ", last " << last.Describe();
    for (int i = 0; i < 20; ++i) {
      auto again = NewClient()->Request("POST", "/status", {{"X-API-Key", key}});
      ASSERT_EQ(again.status, status) << what << " (request " << i << " after convergence): " << again.Describe();
      ASSERT_EQ(ErrorCode(again), code) << what << " (request " << i << "): " << again.Describe();
    }
  }
};

TEST_F(KeyLifecycle, RegisterStatusRenewRevokeReactivateAndAudit) {
  std::map<std::string, std::string> request_ids;  // audit action -> X-Request-Id of the call

  // register
  const std::string email = RandomEmail("lifecycle");
  const std::string password = "lifecycle password " + RandomHex(8);
  auto registered = Client().PostJson("/register", {{"email", email}, {"password", password}});
  ExpectSuccessEnvelope(registered, 201);
  ASSERT_EQ(registered.Json()["data"].value("email", ""), email) << registered.Describe();
  const std::string key1 = registered.Json()["data"].value("api_key", "");
  ASSERT_TRUE(key1.starts_with("ipfs_gw_")) << registered.Describe();
  request_ids["register"] = registered.Header("x-request-id").value_or("");

  // status: active, usage counted
  HttpResponse status;
  for (int i = 0; i < 3; ++i) status = Status(key1);
  ExpectSuccessEnvelope(status, 200);
  {
    const auto data = status.Json()["data"];
    EXPECT_EQ(data.value("email", ""), email);
    EXPECT_EQ(data.value("state", ""), "active");
    EXPECT_EQ(data.value("is_admin", true), false);
    EXPECT_TRUE(data.contains("created_at") && data["created_at"].is_string()) << status.Describe();
    EXPECT_TRUE(data.contains("last_renewed_at")) << status.Describe();
    ASSERT_TRUE(data.contains("usage_count") && data["usage_count"].is_number_integer()) << status.Describe();
    EXPECT_GE(data["usage_count"].get<long long>(), 1) << status.Describe();
  }

  // renew: a new key; the old one becomes inactive everywhere
  auto renewed = Client().PostJson("/renew", {{"email", email}, {"password", password}});
  ExpectSuccessEnvelope(renewed, 200);
  const std::string key2 = renewed.Json()["data"].value("api_key", "");
  ASSERT_TRUE(key2.starts_with("ipfs_gw_")) << renewed.Describe();
  ASSERT_NE(key2, key1);
  request_ids["renew"] = renewed.Header("x-request-id").value_or("");
  ExpectKeyConverges(key1, 401, "api_key_inactive", "old key after renew");
  ExpectErrorEnvelope(Status(key1), 401, "api_key_inactive");
  ExpectKeyConverges(key2, 200, "", "new key after renew");
  {
    auto after = Status(key2);
    ExpectSuccessEnvelope(after, 200);
    EXPECT_TRUE(after.Json()["data"]["last_renewed_at"].is_string()) << after.Describe();
  }

  // revoke (admin): the current key stops working on every worker within a second
  auto revoked = AdminPost("/revoke", {{"email", email}});
  ExpectSuccessEnvelope(revoked, 200);
  request_ids["revoke"] = revoked.Header("x-request-id").value_or("");
  ExpectKeyConverges(key2, 401, "api_key_revoked", "key after revoke");
  ExpectErrorEnvelope(Status(key2), 401, "api_key_revoked");
  {
    auto seen_by_admin = AdminPost("/status", {{"email", email}});
    ExpectSuccessEnvelope(seen_by_admin, 200);
    EXPECT_EQ(seen_by_admin.Json()["data"].value("state", ""), "revoked") << seen_by_admin.Describe();
    EXPECT_EQ(seen_by_admin.Json()["data"].value("email", ""), email) << seen_by_admin.Describe();
  }

  // reactivate (admin): the same key works again
  auto reactivated = AdminPost("/reactivate", {{"email", email}});
  ExpectSuccessEnvelope(reactivated, 200);
  request_ids["reactivate"] = reactivated.Header("x-request-id").value_or("");
  ExpectKeyConverges(key2, 200, "", "key after reactivate");
  {
    auto after = Status(key2);
    ExpectSuccessEnvelope(after, 200);
    EXPECT_EQ(after.Json()["data"].value("state", ""), "active") << after.Describe();
  }

  // the audit log has one row per action, with the request id of the call that caused it
  for (const auto& [action, id] : request_ids) ASSERT_FALSE(id.empty()) << action << " had no X-Request-Id";
  auto audit = AdminGet("/audit?user=" + HttpsClient::Escape(email) + "&limit=100");
  ExpectSuccessEnvelope(audit, 200);
  const auto entries = audit.Json()["data"];
  ASSERT_TRUE(entries.is_array()) << audit.Describe();
  EXPECT_TRUE(audit.Header("x-total-count").has_value()) << audit.Describe();
  EXPECT_GE(std::stoll(audit.Header("x-total-count").value_or("0")), 4) << audit.Describe();
  EXPECT_TRUE(audit.Header("link").has_value()) << audit.Describe();
  std::map<std::string, std::set<std::string>> found;  // action -> request ids
  for (const auto& entry : entries) {
    for (const char* field :
         {"id", "user", "actor", "action", "details", "request_id", "client_address", "created_at"}) {
      EXPECT_TRUE(entry.contains(field)) << "audit entry without '" << field << "': " << entry.dump();
    }
    EXPECT_EQ(entry.value("user", ""), email) << "GET /audit?user= returned another user's row: " << entry.dump();
    if (entry.contains("action") && entry["action"].is_string() && entry["request_id"].is_string()) {
      found[entry["action"].get<std::string>()].insert(entry["request_id"].get<std::string>());
    }
  }
  for (const auto& [action, id] : request_ids) {
    EXPECT_TRUE(found[action].count(id) == 1)
        << "no audit row action=" << action << " request_id=" << id << " in " << entries.dump();
  }
  // who did it: the admin for revoke/reactivate, the user for register/renew
  for (const auto& entry : entries) {
    const std::string action = entry.value("action", "");
    if (action == "revoke" || action == "reactivate") {
      EXPECT_TRUE(entry["actor"].is_string() && entry["actor"] != email)
          << "admin action audited without the admin as actor: " << entry.dump();
    }
  }
}

}  // namespace
}  // namespace gw::e2e
