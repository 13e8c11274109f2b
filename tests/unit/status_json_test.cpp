#include "fcgi/http/status_json.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "fcgi/http/http_response.hpp"
#include "fcgi/http/plan_json.hpp"

namespace gw::web {
namespace {

using nlohmann::json;

// What POST /status wrote before it wrote its data by hand: the JSON tree of the same fields.
std::string TreeJson(const domain::AccountStatus& status) {
  json data{{"email", status.email},       {"state", domain::ToString(status.key_state)},
            {"is_admin", status.is_admin}, {"created_at", status.created_at},
            {"last_renewed_at", nullptr},  {"usage_count", status.usage_count},
            {"plan", status.plan},         {"limits", LimitsToJson(status.limits)}};
  if (status.last_renewed_at) data["last_renewed_at"] = *status.last_renewed_at;
  data["key_prefix"] = status.key_prefix ? json(*status.key_prefix) : json(nullptr);
  data["key_created_at"] = status.key_created_at ? json(*status.key_created_at) : json(nullptr);
  return data.dump(-1, ' ', false, json::error_handler_t::replace);
}

TEST(AccountStatusJson, WritesTheBytesOfTheJsonTreeWithEveryOptionalSet) {
  domain::AccountStatus status;
  status.email = "user@example.com";
  status.key_state = domain::KeyState::kActive;
  status.is_admin = true;
  status.created_at = "2026-12-01T10:00:00.123456Z";
  status.last_renewed_at = "2026-12-02T10:00:00Z";
  status.usage_count = 1234567890123;
  status.plan = "pro";
  status.limits = {6000, 200, 1LL << 40};
  status.key_prefix = "ipfs_gw_abcdef";
  status.key_created_at = "2026-12-02T10:00:00Z";
  EXPECT_EQ(AccountStatusJson(status), TreeJson(status));
}

TEST(AccountStatusJson, WritesNullsAndEscapesOddTextLikeTheJsonTree) {
  domain::AccountStatus status;
  status.email = "\"quoted\"\\@b\xc3\xa9.example\x01\xff";
  status.key_state = domain::KeyState::kRevoked;
  status.created_at = "2026-12-01T10:00:00Z";
  status.plan = "tab\tplan";
  status.limits = {0, 0, 0};
  EXPECT_EQ(AccountStatusJson(status), TreeJson(status));
  EXPECT_TRUE(json::parse(AccountStatusJson(status)).is_object());
}

TEST(JsonSuccessText, IsTheEnvelopeJsonSuccessWrites) {
  const json data{{"b", 1}, {"a", "x\"y"}};
  const Response tree = JsonSuccess(201, "Cr\xc3\xa9\"ated", data);
  const Response text = JsonSuccessText(201, "Cr\xc3\xa9\"ated", data.dump());
  EXPECT_EQ(text.body, tree.body);
  EXPECT_EQ(text.status, 201);
  nlohmann::ordered_json envelope;
  envelope["status"] = 201;
  envelope["message"] = "Cr\xc3\xa9\"ated";
  envelope["data"] = data;
  EXPECT_EQ(tree.body, envelope.dump());
}

}  // namespace
}  // namespace gw::web
