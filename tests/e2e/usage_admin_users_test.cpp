// GET /usage/daily, requests_this_month in GET /usage, the key fields of POST /status, and the
// administrators' GET /admin/users, through nginx.
#include <algorithm>
#include <cctype>
#include <chrono>
#include <cstdio>
#include <ctime>

#include "content_fixture.hpp"

namespace gw::e2e {
namespace {

/// The UTC calendar date now, "YYYY-MM-DD".
std::string UtcToday() {
  const std::time_t now = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&now, &tm);
  char text[16];
  std::strftime(text, sizeof text, "%Y-%m-%d", &tm);
  return text;
}

nlohmann::json Data(const HttpResponse& response) {
  const auto json = response.Json();
  return json.is_object() && json.contains("data") ? json["data"] : nlohmann::json();
}

class UsageDaily : public ContentTest {};

TEST_F(UsageDaily, CountsTodaysUploadsBytesAndRequests) {
  const auto user = RegisterUser("daily");
  const std::string first = "first daily upload " + RandomHex(8);
  const std::string second = "the second daily upload, longer " + RandomHex(8);
  Store(user, first);
  Store(user, second);
  // The two uploads are the user's only authenticated requests so far; wait until both are
  // flushed (as an administrator, which the user's count does not include).
  ASSERT_TRUE(PollUntil(kHangGuard, [&] { return FlushedUsageCount(user.email) == 2; }))
      << "usage count " << FlushedUsageCount(user.email);

  const std::string before = UtcToday();
  const auto response = Call("GET", "/usage/daily?days=2", user);
  const std::string after = UtcToday();
  ExpectSuccessEnvelope(response, 200);
  const auto days = Data(response);
  ASSERT_TRUE(days.is_array() && days.size() == 2) << response.Describe();
  const auto today = days[1];
  EXPECT_TRUE(today.value("date", "") == before || today.value("date", "") == after) << response.Describe();
  if (before != after) return;  // the test ran across midnight (UTC): the uploads were yesterday's
  EXPECT_EQ(today.value("uploads", -1), 2) << response.Describe();
  EXPECT_EQ(today.value("bytes", -1), static_cast<long long>(first.size() + second.size())) << response.Describe();
  // the two uploads and this request (counted before it is answered)
  EXPECT_EQ(today.value("requests", -1), 3) << response.Describe();
  EXPECT_EQ(days[0],
            (nlohmann::json{{"date", days[0].value("date", "")}, {"uploads", 0}, {"bytes", 0}, {"requests", 0}}))
      << "a new user's yesterday is a zero day: " << response.Describe();
  EXPECT_LT(days[0].value("date", ""), today.value("date", ""));
}

TEST_F(UsageDaily, GivesExactlyTheAskedDaysOldestFirst) {
  const auto user = RegisterUser("daily-window");
  for (const auto& [query, expected] :
       std::vector<std::pair<std::string, std::size_t>>{{"", 30}, {"?days=1", 1}, {"?days=7", 7}, {"?days=90", 90}}) {
    const auto response = Call("GET", "/usage/daily" + query, user);
    ExpectSuccessEnvelope(response, 200);
    const auto days = Data(response);
    ASSERT_TRUE(days.is_array()) << response.Describe();
    ASSERT_EQ(days.size(), expected) << query;
    for (std::size_t i = 1; i < days.size(); ++i) {
      EXPECT_LT(days[i - 1].value("date", ""), days[i].value("date", "")) << query << " at " << i;
    }
  }
}

TEST_F(UsageDaily, RefusesADaysParameterOutOfRange) {
  const auto user = RegisterUser("daily-bad");
  for (const std::string bad : {"0", "91", "-1", "abc", "", "7.5"}) {
    const auto response = Call("GET", "/usage/daily?days=" + bad, user);
    ExpectErrorEnvelope(response, 400, "invalid_query");
    EXPECT_EQ(response.Json()["error"]["details"].value("parameter", ""), "days") << response.Describe();
  }
  ExpectErrorEnvelope(Client().Request("GET", "/usage/daily"), 401, "missing_api_key");
}

TEST_F(UsageDaily, UsageReportsTheMonthsRequests) {
  const auto user = RegisterUser("daily-month");
  Store(user, "month " + RandomHex(8));
  const auto response = Call("GET", "/usage", user);
  ExpectSuccessEnvelope(response, 200);
  const auto data = Data(response);
  // a new user's requests were all made this month (unless the month just turned)
  EXPECT_GE(data.value("requests_this_month", -1), 1) << response.Describe();
  EXPECT_LE(data.value("requests_this_month", -1), data.value("request_count", -1)) << response.Describe();
}

TEST_F(UsageDaily, StatusNamesTheCurrentKey) {
  auto user = RegisterUser("daily-key");
  const auto status = Data(Status(user.api_key));
  const std::string prefix = status.value("key_prefix", "");
  EXPECT_GE(prefix.size(), 9u) << status.dump();
  EXPECT_TRUE(user.api_key.starts_with(prefix)) << status.dump();
  EXPECT_TRUE(status.value("key_created_at", "").ends_with("Z")) << status.dump();

  const auto renewed = Client().PostJson("/renew", {{"email", user.email}, {"password", user.password}});
  ExpectSuccessEnvelope(renewed, 200);
  const std::string new_key = Data(renewed).value("api_key", "");
  const auto after = Data(Status(new_key));
  EXPECT_TRUE(new_key.starts_with(after.value("key_prefix", "-"))) << after.dump();
  EXPECT_GE(after.value("key_created_at", ""), status.value("key_created_at", "")) << after.dump();
  // an administrator sees the same for the account
  const auto seen = Data(AdminPost("/status", {{"email", user.email}}));
  EXPECT_EQ(seen.value("key_prefix", ""), after.value("key_prefix", "")) << seen.dump();
}

class AdminUsers : public ContentTest {
 protected:
  std::vector<std::string> Emails(const HttpResponse& response) {
    std::vector<std::string> emails;
    for (const auto& item : Data(response)) emails.push_back(item.value("email", ""));
    return emails;
  }
};

TEST_F(AdminUsers, SearchesFiltersAndPagesAccountsByEmail) {
  const std::string token = RandomHex(12);
  // "_" in two of them: the search matches it literally, not as LIKE's any-character
  const auto a = RegisterUser("au" + token + "_x");
  const auto b = RegisterUser("au" + token + "yx");
  const auto c = RegisterUser("au" + token + "zz");
  ExpectSuccessEnvelope(AdminPost("/revoke", {{"email", c.email}}), 200);
  std::vector<std::string> all{a.email, b.email, c.email};
  std::sort(all.begin(), all.end());

  std::string upper = "AU" + token;
  for (auto& ch : upper) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
  const auto found = AdminGet("/admin/users?q=" + upper);
  ExpectSuccessEnvelope(found, 200);
  EXPECT_EQ(Emails(found), all) << found.Describe();
  EXPECT_EQ(found.Header("x-total-count").value_or(""), "3");
  const auto item = Data(found)[0];
  for (const char* field : {"email", "state", "is_admin", "plan", "created_at", "last_renewed_at", "revoked_at",
                            "key_prefix", "usage_count"}) {
    EXPECT_TRUE(item.contains(field)) << field << " in " << item.dump();
  }
  EXPECT_EQ(Emails(AdminGet("/admin/users?q=" + HttpsClient::Escape(token + "_x"))), std::vector<std::string>{a.email});

  const auto revoked = AdminGet("/admin/users?state=revoked&q=" + token);
  EXPECT_EQ(Emails(revoked), std::vector<std::string>{c.email}) << revoked.Describe();
  EXPECT_EQ(Data(revoked)[0].value("state", ""), "revoked");
  EXPECT_TRUE(Data(revoked)[0]["revoked_at"].is_string()) << revoked.Describe();
  const auto active = AdminGet("/admin/users?state=active&q=" + token);
  EXPECT_EQ(Emails(active), (std::vector<std::string>{std::min(a.email, b.email), std::max(a.email, b.email)}));
  EXPECT_EQ(Data(active)[0].value("state", ""), "active");

  const auto second = AdminGet("/admin/users?limit=2&page=2&q=" + token);
  ExpectSuccessEnvelope(second, 200);
  EXPECT_EQ(Emails(second), std::vector<std::string>{all[2]}) << second.Describe();
  EXPECT_EQ(second.Header("x-total-count").value_or(""), "3");
  const std::string link = second.Header("link").value_or("");
  EXPECT_NE(link.find("rel=\"prev\""), std::string::npos) << link;
  EXPECT_NE(link.find("q=" + token), std::string::npos) << "the filter carries over: " << link;
}

TEST_F(AdminUsers, RefusesPlainUsersAndBadParameters) {
  const auto user = RegisterUser("au-plain");
  ExpectErrorEnvelope(Call("GET", "/admin/users", user), 403, "forbidden");
  ExpectErrorEnvelope(Client().Request("GET", "/admin/users"), 401, "missing_api_key");
  for (const auto& [query, parameter] : std::vector<std::pair<std::string, std::string>>{{"state=deleted", "state"},
                                                                                         {"q=a%00b", "q"},
                                                                                         {"q=%FF", "q"},
                                                                                         {"limit=0", "limit"},
                                                                                         {"limit=101", "limit"},
                                                                                         {"page=0", "page"}}) {
    const auto response = AdminGet("/admin/users?" + query);
    ExpectErrorEnvelope(response, 400, "invalid_query");
    EXPECT_EQ(response.Json()["error"]["details"].value("parameter", ""), parameter) << query;
  }
}

}  // namespace
}  // namespace gw::e2e
