// The workers' JSON-lines access log: one line per request, with the request id, the route, the
// status, the latency and the key's public prefix, never the whole key.
#include <filesystem>
#include <fstream>

#include "e2e_support.hpp"

namespace gw::e2e {
namespace {

using namespace std::chrono_literals;

class AccessLog : public E2eTest {
 protected:
  struct Found {
    nlohmann::json line;
    std::string raw;
  };

  // Every worker-*.log line (JSON) whose request_id is `id`.
  std::vector<Found> LinesWithRequestId(const std::string& id) const {
    std::vector<Found> found;
    for (const auto& file : std::filesystem::directory_iterator(env_.log_dir)) {
      const std::string name = file.path().filename().string();
      if (!name.starts_with("worker-") || name.find(".log") == std::string::npos) continue;
      std::ifstream in(file.path());
      std::string raw;
      while (std::getline(in, raw)) {
        if (raw.find(id) == std::string::npos) continue;
        auto json = nlohmann::json::parse(raw, nullptr, false);
        if (json.is_object() && json.value("request_id", "") == id) found.push_back({json, raw});
      }
    }
    return found;
  }

  // True when any worker-*.log file contains `text` anywhere.
  bool AnyWorkerLogContains(const std::string& text) const {
    for (const auto& file : std::filesystem::directory_iterator(env_.log_dir)) {
      const std::string name = file.path().filename().string();
      if (!name.starts_with("worker-")) continue;
      std::ifstream in(file.path());
      const std::string content((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
      if (content.find(text) != std::string::npos) return true;
    }
    return false;
  }
};

// nginx keeps no list of routes: a path the app does not know reaches the app, which answers
// the JSON 404 (or 405 for a known path and another method) and logs it like any request.
TEST_F(AccessLog, UnknownPathsAndMethodsAreAnsweredAndLoggedByTheApp) {
  ASSERT_TRUE(Require(env_.log_dir, "GW_TEST_LOG_DIR"));
  struct Case {
    const char* method;
    const char* path;
    long status;
    const char* code;
  };
  for (const Case& c :
       {Case{"GET", "/nope/deeper", 404, "not_found"}, Case{"POST", "/register/extra", 404, "not_found"},
        Case{"DELETE", "/health", 405, "method_not_allowed"}}) {
    const std::string id = "e2e-unknown-" + RandomHex(16);
    auto response = Client().Request(c.method, c.path, {{"X-Request-Id", id}});
    ExpectErrorEnvelope(response, c.status, c.code);
    std::vector<Found> lines;
    ASSERT_TRUE(PollUntil(kHangGuard,
                          [&] {
                            lines = LinesWithRequestId(id);
                            return !lines.empty();
                          }))
        << c.method << " " << c.path << " did not reach the app: no worker log line has request_id " << id;
    EXPECT_EQ(lines[0].line.value("status", 0), c.status) << lines[0].raw;
  }
}

TEST_F(AccessLog, LineHasRequestIdRouteStatusLatencyAndOnlyTheKeyPrefix) {
  ASSERT_TRUE(Require(env_.log_dir, "GW_TEST_LOG_DIR"));
  const auto user = RegisterUser("logged");
  const std::string id = "e2e-log-" + RandomHex(16);
  const auto sent = std::chrono::steady_clock::now();
  auto response = Client().Request("POST", "/status", {{"X-API-Key", user.api_key}, {"X-Request-Id", id}});
  const auto round_trip_us =
      std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - sent).count();
  ExpectSuccessEnvelope(response, 200);
  ASSERT_EQ(response.Header("x-request-id").value_or(""), id);

  std::vector<Found> lines;
  ASSERT_TRUE(PollUntil(kHangGuard,
                        [&] {
                          lines = LinesWithRequestId(id);
                          return !lines.empty();
                        }))
      << "no worker-*.log line in " << env_.log_dir << " has request_id " << id;
  ASSERT_EQ(lines.size(), 1u) << "one access line per request; got " << lines.size() << ", first: " << lines[0].raw;

  const auto& line = lines[0].line;
  const std::string& raw = lines[0].raw;
  EXPECT_EQ(line.value("type", ""), "access") << raw;
  EXPECT_EQ(line.value("route", ""), "/status") << raw;
  EXPECT_EQ(line.value("method", ""), "POST") << raw;
  ASSERT_TRUE(line.contains("status") && line["status"].is_number_integer()) << raw;
  EXPECT_EQ(line["status"].get<int>(), 200) << raw;
  ASSERT_TRUE(line.contains("latency_us") && line["latency_us"].is_number_integer()) << raw;
  // the worker's time is part of the client's round trip (so it is in microseconds, and of
  // this request): not a timing target, both grow together on a slow machine
  EXPECT_GT(line["latency_us"].get<long long>(), 0) << raw;
  EXPECT_LE(line["latency_us"].get<long long>(), round_trip_us)
      << "client round trip " << round_trip_us << " us: " << raw;

  const std::string prefix = user.api_key.substr(0, 14);  // "ipfs_gw_" + 6 characters
  EXPECT_NE(raw.find(prefix), std::string::npos) << "the key prefix " << prefix << " is not in " << raw;
  EXPECT_EQ(raw.find(user.api_key), std::string::npos) << "the whole API key is logged: " << raw;
  EXPECT_EQ(raw.find(user.api_key.substr(0, 20)), std::string::npos)
      << "more than the public prefix of the key is logged: " << raw;
}

TEST_F(AccessLog, ErrorsAreLoggedAndKeysNeverAppear) {
  ASSERT_TRUE(Require(env_.log_dir, "GW_TEST_LOG_DIR"));
  const auto user = RegisterUser("logged-error");
  const std::string id = "e2e-logerr-" + RandomHex(16);
  // a well-formed but wrong key (the user's key, tampered) and a password in a failed renew
  std::string tampered = user.api_key;
  tampered.back() = tampered.back() == 'A' ? 'B' : 'A';
  auto response = Client().Request("POST", "/status", {{"X-API-Key", tampered}, {"X-Request-Id", id}});
  ExpectErrorEnvelope(response, 401, "invalid_api_key");
  auto renew = Client().PostJson("/renew", {{"email", user.email}, {"password", user.password}},
                                 {{"X-Request-Id", id + "-renew"}});
  ExpectSuccessEnvelope(renew, 200);
  const std::string new_key = renew.Json()["data"].value("api_key", "");

  std::vector<Found> lines;
  ASSERT_TRUE(PollUntil(kHangGuard,
                        [&] {
                          lines = LinesWithRequestId(id);
                          return !lines.empty();
                        }))
      << "no worker-*.log line has request_id " << id;
  EXPECT_EQ(lines[0].line.value("status", 0), 401) << lines[0].raw;
  EXPECT_EQ(lines[0].line.value("route", ""), "/status") << lines[0].raw;
  ASSERT_TRUE(PollUntil(kHangGuard, [&] { return !LinesWithRequestId(id + "-renew").empty(); }));

  EXPECT_FALSE(AnyWorkerLogContains(user.api_key)) << "a full API key is in the worker logs";
  EXPECT_FALSE(AnyWorkerLogContains(tampered)) << "a full (invalid) API key is in the worker logs";
  EXPECT_FALSE(AnyWorkerLogContains(new_key)) << "a renewed API key is in the worker logs";
  EXPECT_FALSE(AnyWorkerLogContains(user.password)) << "a password is in the worker logs";
}

}  // namespace
}  // namespace gw::e2e
