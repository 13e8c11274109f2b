// OWASP API Security Top 10 (2023), docs/security.md: API1 (object level authorisation), API2
// (authentication) and API5 (function level authorisation), each table-driven over the route
// table of fcgi/http/routes.cpp: a route added there without its row here fails these tests.
#include <map>

#include "content_fixture.hpp"
#include "owasp_support.hpp"
#include "task_support.hpp"

namespace gw::e2e {
namespace {

// A CID nobody stores ("hello world" with one digest character changed).
constexpr const char* kUnknownCid = "bafkreifzjut3te2nhyeaklss27nh3k72ysco7y32koao5eei66wof36n5e";
constexpr const char* kUnknownTask = "00000000-0000-4000-8000-000000000000";

class Owasp : public ContentTest {
 protected:
  /// The route's path with its parameters filled: {cid}, {id} (a task) and {email}.
  static std::string Fill(std::string path, const std::string& cid, const std::string& task, const std::string& email) {
    const std::map<std::string, std::string> values{
        {"{cid}", cid}, {"{id}", task}, {"{email}", HttpsClient::Escape(email)}};
    for (const auto& [name, value] : values) {
      if (const auto at = path.find(name); at != std::string::npos) path.replace(at, name.size(), value);
    }
    return path;
  }

  HttpResponse Send(const std::string& method, const std::string& path, const std::string& key,
                    const std::optional<nlohmann::json>& body = std::nullopt) {
    HeaderList headers;
    if (!key.empty()) headers.emplace_back("X-API-Key", key);
    if (body) {
      headers.emplace_back("Content-Type", "application/json");
      return Client().Request(method, path, headers, body->dump());
    }
    return Client().Request(method, path, headers);
  }

  /// An upload of more than the task threshold: 202 and a task, followed to its end (the task id).
  std::string UploadAsTask(const Account& user) {
    const auto up = UploadRaw(user, std::string(kAsyncThreshold + 1024, 'o') + RandomHex(16), "big.bin");
    EXPECT_EQ(up.status, 202) << up.Describe();
    const std::string id = up.Json()["data"].value("task_id", "");
    nlohmann::json task;
    EXPECT_TRUE(PollUntil(std::chrono::seconds(120), [&] {
      task = Call("GET", "/tasks/" + id + "/status", user).Json().value("data", nlohmann::json());
      return IsFinished(task);
    })) << task.dump();
    EXPECT_EQ(task.value("state", ""), "succeeded") << task.dump();
    return id;
  }
};

// API1: user B names user A's objects by every route that takes an object id. B gets the same
// 404 as for an object that does not exist (never 403: that would confirm A's object exists),
// and A's objects are unchanged afterwards.
TEST_F(Owasp, Api1EveryObjectRouteHidesAnotherUsersObjectsAsNotFound) {
  const auto a = RegisterUser("owasp-a");
  const auto b = RegisterUser("owasp-b");
  const std::string bytes = "A's private bytes " + RandomHex(32);
  const std::string cid = Store(a, bytes, "a.txt");
  ASSERT_FALSE(cid.empty());
  const std::string task = UploadAsTask(a);
  const auto task_before = Call("GET", "/tasks/" + task + "/status", a).Json()["data"];

  // route -> the error code B gets, for A's object and for one that does not exist alike
  const std::map<std::string, std::set<std::string>> expected{
      {"GET /retrieve/{cid}", {"not_found"}},     {"DELETE /files/{cid}", {"not_found", "content_not_found"}},
      {"POST /pin/{cid}", {"content_not_found"}}, {"POST /unpin/{cid}", {"content_not_found"}},
      {"GET /tasks/{id}/status", {"not_found"}},
  };
  // every route with an object id in its path is in the table, except the admin-only one
  // (Api5EveryAdminRouteRefusesAPlainUser: a plain user is refused the function, 403, whatever
  // the account named)
  std::set<std::string> tabled;
  for (const auto& [name, codes] : expected) tabled.insert(name);
  EXPECT_EQ(RouteNames([](const DeclaredRoute& r) { return !r.admin && r.path.find('{') != std::string::npos; }),
            tabled);

  for (const auto& [name, codes] : expected) {
    SCOPED_TRACE(name);
    const std::string method = name.substr(0, name.find(' '));
    const std::string path = name.substr(name.find(' ') + 1);
    const auto theirs = Send(method, Fill(path, cid, task, a.email), b.api_key);
    const auto nobodys = Send(method, Fill(path, kUnknownCid, kUnknownTask, a.email), b.api_key);
    ASSERT_EQ(theirs.status, 404) << theirs.Describe();
    EXPECT_EQ(codes.count(ErrorCode(theirs)), 1u) << theirs.Describe();
    // indistinguishable from an object that does not exist
    EXPECT_EQ(theirs.status, nobodys.status) << nobodys.Describe();
    EXPECT_EQ(ErrorCode(theirs), ErrorCode(nobodys)) << nobodys.Describe();
    EXPECT_EQ(theirs.Json()["message"], nobodys.Json()["message"]) << nobodys.Describe();
  }
  // HEAD of a download, and object ids in queries and bodies
  EXPECT_EQ(Call("HEAD", "/retrieve/" + cid, b).status, 404);
  const auto filtered = Call("GET", "/files?cid=" + cid, b);
  ExpectSuccessEnvelope(filtered, 200);
  EXPECT_EQ(filtered.Json()["data"].size(), 0u) << filtered.Describe();
  const auto tasks = Call("GET", "/tasks", b);
  ExpectSuccessEnvelope(tasks, 200);
  EXPECT_EQ(tasks.Json()["data"].size(), 0u) << "B sees tasks that are not its own: " << tasks.Describe();
  // an account named in a body or a query: refused whether or not it exists (no enumeration)
  ExpectErrorEnvelope(Status(b.api_key, nlohmann::json{{"email", a.email}}), 403, "forbidden");
  ExpectErrorEnvelope(Status(b.api_key, nlohmann::json{{"email", RandomEmail("nobody")}}), 403, "forbidden");
  ExpectErrorEnvelope(Call("GET", "/audit?user=" + HttpsClient::Escape(a.email), b), 403, "forbidden");
  ExpectErrorEnvelope(Call("GET", "/audit?user=" + HttpsClient::Escape(RandomEmail("nobody")), b), 403, "forbidden");

  // A's objects are as they were
  const auto got = Retrieve(a, cid);
  ASSERT_EQ(got.status, 200) << got.Describe();
  EXPECT_EQ(got.body, bytes);
  const auto mine = Call("GET", "/files?cid=" + cid, a);
  ExpectSuccessEnvelope(mine, 200);
  ASSERT_EQ(mine.Json()["data"].size(), 1u) << mine.Describe();
  EXPECT_EQ(mine.Json()["data"][0].value("pinned", false), true) << mine.Describe();
  const auto all = Call("GET", "/files", a);
  EXPECT_EQ(all.Header("x-total-count").value_or(""), "2") << all.Describe();
  const auto task_after = Call("GET", "/tasks/" + task + "/status", a);
  ExpectSuccessEnvelope(task_after, 200);
  EXPECT_EQ(task_after.Json()["data"], task_before);
  const auto status = Status(a.api_key);
  ExpectSuccessEnvelope(status, 200);
  EXPECT_EQ(status.Json()["data"].value("state", ""), "active") << status.Describe();
}

// API2: every authenticated route answers 401 with the JSON envelope to a missing, malformed,
// truncated, over-long, wrongly prefixed, unknown, replaced (renewed) or revoked key, before
// anything else happens (WithApiKey is the outermost wrapper).
TEST_F(Owasp, Api2EveryAuthenticatedRouteRefusesEveryBadKey) {
  const auto renewed = RegisterUser("owasp-renewed");
  const auto revoked = RegisterUser("owasp-revoked");
  const auto fresh = Client().PostJson("/renew", {{"email", renewed.email}, {"password", renewed.password}});
  ExpectSuccessEnvelope(fresh, 200);
  ExpectSuccessEnvelope(AdminPost("/revoke", {{"email", revoked.email}}), 200);
  // key changes reach every worker within a second (the key cache listens for them)
  ASSERT_TRUE(PollUntil(std::chrono::seconds(5), [&] {
    return ErrorCode(Status(renewed.api_key)) == "api_key_inactive" &&
           ErrorCode(Status(revoked.api_key)) == "api_key_revoked";
  }));

  const std::string valid = fresh.Json()["data"].value("api_key", "");
  ASSERT_EQ(valid.size(), 51u);
  const std::vector<std::pair<std::string, std::string>> keys{
      {"", "missing_api_key"},
      {"not a key", "invalid_api_key"},
      {valid.substr(0, valid.size() - 1), "invalid_api_key"},        // truncated
      {valid + "A", "invalid_api_key"},                              // one character too many
      {valid + std::string(8192, 'A'), "invalid_api_key"},           // 8 KiB
      {"ipfs_gx_" + valid.substr(8), "invalid_api_key"},             // wrong prefix
      {"IPFS_GW_" + valid.substr(8), "invalid_api_key"},             // prefix in another case
      {"ipfs_gw_" + std::string(42, 'A') + "=", "invalid_api_key"},  // not base64url
      {"ipfs_gw_" + std::string(43, 'A'), "invalid_api_key"},        // well-formed, unknown
      {renewed.api_key, "api_key_inactive"},                         // replaced by /renew
      {revoked.api_key, "api_key_revoked"},                          // revoked by an administrator
  };
  const auto routes = DeclaredRoutes();
  int authenticated = 0;
  for (const auto& route : routes) {
    if (!route.authenticated) continue;
    ++authenticated;
    const std::string path = Fill(route.path, kUnknownCid, kUnknownTask, renewed.email);
    for (const auto& [key, code] : keys) {
      SCOPED_TRACE(route.method + " " + route.path + " with key '" + key.substr(0, 20) + "...' (" +
                   std::to_string(key.size()) + " characters)");
      // a key in the query string is no key: only the header counts
      const auto response = Send(route.method, path + (key.empty() ? "?api_key=" + valid : ""), key);
      ExpectErrorEnvelope(response, 401, code);
      EXPECT_EQ(response.body.find(valid), std::string::npos) << "the valid key echoed";
    }
  }
  EXPECT_GE(authenticated, 15);
  // the valid key works
  ExpectSuccessEnvelope(Status(valid), 200);
}

// API5: every route the route table wraps in WithAdmin refuses a plain user's key with a JSON
// 403, with a well-formed request that an administrator's key gets answered. The table below
// must name exactly the admin routes of fcgi/http/routes.cpp.
TEST_F(Owasp, Api5EveryAdminRouteRefusesAPlainUser) {
  const auto user = RegisterUser("owasp-plain");
  const auto victim = RegisterUser("owasp-victim");
  struct AdminCall {
    std::string method, path;
    std::optional<nlohmann::json> body;
  };
  const std::map<std::string, AdminCall> calls{
      {"POST /revoke", {"POST", "/revoke", nlohmann::json{{"email", victim.email}}}},
      {"POST /reactivate", {"POST", "/reactivate", nlohmann::json{{"email", victim.email}}}},
      {"GET /audit", {"GET", "/audit?user=" + HttpsClient::Escape(victim.email), std::nullopt}},
      {"GET /admin/plans", {"GET", "/admin/plans", std::nullopt}},
      {"GET /admin/users", {"GET", "/admin/users?q=" + HttpsClient::Escape(victim.email), std::nullopt}},
      {"PUT /admin/users/{email}/plan",
       {"PUT", "/admin/users/" + HttpsClient::Escape(user.email) + "/plan", nlohmann::json{{"plan", "unlimited"}}}},
  };
  std::set<std::string> tabled;
  for (const auto& [name, call] : calls) tabled.insert(name);
  EXPECT_EQ(RouteNames([](const DeclaredRoute& r) { return r.admin; }), tabled)
      << "an admin route without its row in this test (or a row for a route that is no longer admin-only)";

  for (const auto& [name, call] : calls) {
    SCOPED_TRACE(name);
    ExpectErrorEnvelope(Send(call.method, call.path, user.api_key, call.body), 403, "forbidden");
    // (the same request with no key at all is a 401: Api2EveryAuthenticatedRouteRefusesEveryBadKey)
  }
  // nothing changed: the victim is active, the user still on its plan and not an admin
  const auto victim_status = Status(victim.api_key);
  ExpectSuccessEnvelope(victim_status, 200);
  EXPECT_EQ(victim_status.Json()["data"].value("state", ""), "active");
  const auto own = Status(user.api_key);
  ExpectSuccessEnvelope(own, 200);
  EXPECT_EQ(own.Json()["data"].value("is_admin", true), false);
  EXPECT_NE(own.Json()["data"].value("plan", ""), "unlimited") << own.Describe();
  // and the administrator's key is answered by each (the rows are real requests); the plan
  // change is applied to the plain user, the revoke is undone by the reactivate after it
  for (const char* name : {"GET /admin/plans", "GET /admin/users", "GET /audit", "POST /revoke", "POST /reactivate"}) {
    const auto& call = calls.at(name);
    const auto response = Send(call.method, call.path, env_.admin_key, call.body);
    EXPECT_EQ(response.status, 200) << name << ": " << response.Describe();
  }
}

// /metrics is the one route that is neither public nor behind a key: nginx allows it from
// loopback and GW_METRICS_ALLOW only (Metrics suite). The route table says so, and nothing else
// is unauthenticated but the health checks, the two account routes and the sign-in.
TEST_F(Owasp, Api5OnlyTheseRoutesAnswerWithoutAKey) {
  EXPECT_EQ(RouteNames([](const DeclaredRoute& r) { return !r.authenticated; }),
            (std::set<std::string>{"GET /health", "GET /health/ready", "POST /register", "POST /renew", "GET /metrics",
                                   "POST /session"}));
}

}  // namespace
}  // namespace gw::e2e
