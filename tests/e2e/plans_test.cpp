// Plans through nginx and the worker pool: PUT /admin/users/{email}/plan, GET /admin/plans and
// the plan in POST /status.
#include <map>
#include <string>
#include <utility>

#include "e2e_support.hpp"

namespace gw::e2e {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;

class Plans : public E2eTest {
 protected:
  /// PUT /admin/users/<path_email>/plan with `body` (sent as is) and `key`.
  HttpResponse PutPlan(const std::string& path_email, const std::string& body, const std::string& key) {
    return Client().Request("PUT", "/admin/users/" + path_email + "/plan",
                            {{"X-API-Key", key}, {"Content-Type", "application/json"}}, body);
  }
  HttpResponse AdminPutPlan(const std::string& path_email, const json& body) {
    return PutPlan(path_email, body.dump(), env_.admin_key);
  }
  static std::string Field(const HttpResponse& response) {
    return response.Json()["error"]["details"].value("field", "");
  }
};

TEST_F(Plans, AnAdminChangesAPlanTheUserSeesItWithinASecondAndTheAuditLogHasIt) {
  const auto user = RegisterUser("plan");
  auto before = Status(user.api_key);
  ExpectSuccessEnvelope(before, 200);
  EXPECT_EQ(before.Json()["data"].value("plan", ""), "free") << before.Describe();
  EXPECT_EQ(before.Json()["data"]["limits"],
            (json{{"requests_per_minute", 600}, {"burst", 100}, {"upload_bytes_per_day", 1073741824}}))
      << before.Describe();

  const json body{{"plan", "pro"},
                  {"overrides", {{"requests_per_minute", 1200}, {"burst", nullptr}, {"upload_bytes_per_day", 0}}}};
  auto changed = AdminPutPlan(user.email, body);  // '@' as it is in the path
  ExpectSuccessEnvelope(changed, 200);
  const json expected{{"email", user.email},
                      {"plan", "pro"},
                      {"limits", {{"requests_per_minute", 1200}, {"burst", 1000}, {"upload_bytes_per_day", 0}}},
                      {"overrides", {{"requests_per_minute", 1200}, {"burst", nullptr}, {"upload_bytes_per_day", 0}}}};
  EXPECT_EQ(changed.Json()["data"], expected) << changed.Describe();

  // Every worker forgets the user's cached key and status at once: the next requests, on any
  // worker, see the new plan.
  HttpResponse seen;
  EXPECT_TRUE(PollUntil(kHangGuard,
                        [&] {
                          seen = Status(user.api_key);
                          return seen.status == 200 && seen.Json()["data"].value("plan", "") == "pro";
                        }))
      << "POST /status still shows the old plan: " << seen.Describe();
  EXPECT_EQ(seen.Json()["data"]["limits"], expected["limits"]) << seen.Describe();
  for (int i = 0; i < 8; ++i) {
    auto again = Status(user.api_key);
    EXPECT_EQ(again.Json()["data"].value("plan", ""), "pro") << again.Describe();
  }

  auto audit = AdminGet("/audit?action=plan_change&user=" + HttpsClient::Escape(user.email));
  ExpectSuccessEnvelope(audit, 200);
  ASSERT_EQ(audit.Json()["data"].size(), 1u) << audit.Describe();
  const auto entry = audit.Json()["data"][0];
  EXPECT_EQ(entry.value("request_id", ""), changed.Header("x-request-id").value_or("?")) << entry.dump();
  EXPECT_FALSE(entry["actor"].is_null()) << "a plan change audited without the admin as actor: " << entry.dump();
  const auto details = entry["details"];
  EXPECT_EQ(details.value("plan", ""), "pro") << entry.dump();
  EXPECT_EQ(details.value("previous_plan", ""), "free") << entry.dump();
  EXPECT_EQ(details.value("requests_per_minute_override", ""), "1200") << entry.dump();
  EXPECT_EQ(details.value("upload_bytes_per_day_override", ""), "0") << entry.dump();
  EXPECT_FALSE(details.contains("burst_override")) << entry.dump();

  // Without `overrides` every override is removed; the email may arrive %-encoded.
  const std::string encoded = user.email.substr(0, user.email.find('@')) + "%40example.com";
  auto back = AdminPutPlan(encoded, {{"plan", "free"}});
  ExpectSuccessEnvelope(back, 200);
  EXPECT_EQ(back.Json()["data"].value("email", ""), user.email) << back.Describe();
  EXPECT_EQ(back.Json()["data"]["overrides"],
            (json{{"requests_per_minute", nullptr}, {"burst", nullptr}, {"upload_bytes_per_day", nullptr}}))
      << back.Describe();
  EXPECT_EQ(back.Json()["data"]["limits"], before.Json()["data"]["limits"]) << back.Describe();
}

TEST_F(Plans, AdministratorsAreOnTheUnlimitedPlan) {
  auto own = Status(env_.admin_key);
  ExpectSuccessEnvelope(own, 200);
  EXPECT_EQ(own.Json()["data"].value("plan", ""), "unlimited") << own.Describe();
  EXPECT_EQ(own.Json()["data"]["limits"], (json{{"requests_per_minute", 0}, {"burst", 0}, {"upload_bytes_per_day", 0}}))
      << own.Describe();
}

TEST_F(Plans, AdminsListThePlans) {
  auto plans = AdminGet("/admin/plans");
  ExpectSuccessEnvelope(plans, 200);
  const json data = plans.Json()["data"];
  ASSERT_TRUE(data.is_array()) << plans.Describe();
  std::map<std::string, json> by_name;
  for (const auto& plan : data) by_name[plan.value("name", "")] = plan;
  ASSERT_TRUE(by_name.contains("free") && by_name.contains("pro") && by_name.contains("unlimited")) << plans.Describe();
  EXPECT_EQ(by_name["pro"]["limits"],
            (json{{"requests_per_minute", 6000}, {"burst", 1000}, {"upload_bytes_per_day", 107374182400}}));
  EXPECT_TRUE(by_name["free"]["description"].is_string()) << plans.Describe();
}

TEST_F(Plans, OnlyAdministratorsMayChangeOrListPlans) {
  const auto user = RegisterUser("noplan");
  ExpectErrorEnvelope(PutPlan(user.email, R"({"plan":"pro"})", user.api_key), 403, "forbidden");
  ExpectErrorEnvelope(Client().Request("GET", "/admin/plans", {{"X-API-Key", user.api_key}}), 403, "forbidden");
  ExpectErrorEnvelope(Client().Request("PUT", "/admin/users/" + user.email + "/plan",
                                       {{"Content-Type", "application/json"}}, R"({"plan":"pro"})"),
                      401, "missing_api_key");
  auto status = Status(user.api_key);
  EXPECT_EQ(status.Json()["data"].value("plan", ""), "free") << status.Describe();
}

TEST_F(Plans, AnUnknownUserIsNotFoundAndAnUnknownPlanIsUnprocessable) {
  ExpectErrorEnvelope(AdminPutPlan(RandomEmail("nobody"), {{"plan", "pro"}}), 404, "user_not_found");

  const auto user = RegisterUser("goldplan");
  auto unknown = AdminPutPlan(user.email, {{"plan", "gold"}});
  ExpectErrorEnvelope(unknown, 422, "unknown_plan");
  EXPECT_EQ(unknown.Json()["error"]["details"].value("plan", ""), "gold") << unknown.Describe();
  auto status = Status(user.api_key);
  EXPECT_EQ(status.Json()["data"].value("plan", ""), "free") << status.Describe();
  auto audit = AdminGet("/audit?action=plan_change&user=" + HttpsClient::Escape(user.email));
  EXPECT_EQ(audit.Json()["data"].size(), 0u) << audit.Describe();
}

TEST_F(Plans, MalformedRequestsAreRejectedNamingTheField) {
  const auto user = RegisterUser("badplan");
  const std::pair<json, std::string> bodies[] = {
      {json::object(), "plan"},
      {{{"plan", 5}}, "plan"},
      {{{"plan", nullptr}}, "plan"},
      {{{"plan", ""}}, "plan"},
      {{{"plan", std::string(65, 'p')}}, "plan"},
      {{{"plan", "pro"}, {"tier", "x"}}, "tier"},
      {{{"plan", "pro"}, {"overrides", json::array({1})}}, "overrides"},
      {{{"plan", "pro"}, {"overrides", 5}}, "overrides"},
      {{{"plan", "pro"}, {"overrides", {{"burst", -1}}}}, "overrides.burst"},
      {{{"plan", "pro"}, {"overrides", {{"burst", "10"}}}}, "overrides.burst"},
      {{{"plan", "pro"}, {"overrides", {{"burst", 1.5}}}}, "overrides.burst"},
      {{{"plan", "pro"}, {"overrides", {{"requests_per_minute", 9223372036854775808ULL}}}},
       "overrides.requests_per_minute"},
      {{{"plan", "pro"}, {"overrides", {{"upload_bytes_per_day", -5}}}}, "overrides.upload_bytes_per_day"},
      {{{"plan", "pro"}, {"overrides", {{"bust", 1}}}}, "overrides.bust"},
  };
  for (const auto& [body, field] : bodies) {
    auto response = AdminPutPlan(user.email, body);
    ExpectErrorEnvelope(response, 422, "validation_failed");
    EXPECT_EQ(Field(response), field) << body.dump() << " -> " << response.Describe();
  }
  auto bad_email = AdminPutPlan("not-an-email", {{"plan", "pro"}});
  ExpectErrorEnvelope(bad_email, 422, "validation_failed");
  EXPECT_EQ(Field(bad_email), "email") << bad_email.Describe();

  ExpectErrorEnvelope(PutPlan(user.email, R"({"plan": "pro")", env_.admin_key), 400, "invalid_json");
  ExpectErrorEnvelope(
      Client().Request("PUT", "/admin/users/" + user.email + "/plan",
                       {{"X-API-Key", env_.admin_key}, {"Content-Type", "text/plain"}}, R"({"plan":"pro"})"),
      415, "unsupported_media_type");
  auto wrong_method = AdminGet("/admin/users/" + user.email + "/plan");
  ExpectErrorEnvelope(wrong_method, 405, "method_not_allowed");
  EXPECT_EQ(wrong_method.Header("allow").value_or(""), "PUT") << wrong_method.Describe();

  auto status = Status(user.api_key);
  EXPECT_EQ(status.Json()["data"].value("plan", ""), "free") << status.Describe();
}

}  // namespace
}  // namespace gw::e2e
