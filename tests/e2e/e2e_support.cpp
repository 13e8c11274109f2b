#include "e2e_support.hpp"

#include <cstdlib>
#include <random>
#include <stdexcept>

namespace gw::e2e {
namespace {

std::string GetEnv(const std::string& name) {
  const char* value = std::getenv(name.c_str());
  return value == nullptr ? std::string() : std::string(value);
}

}  // namespace

bool OnFilebaseStack() { return GetEnv("GW_TEST_STACK") == "filebase"; }

std::string StackVariable(const std::string& name) {
  // GW_TEST_X of the Filebase stack is GW_TEST_FILEBASE_X; what both stacks share (the
  // reference importer's directory) has no such variable and is read as it is.
  if (OnFilebaseStack() && name.starts_with("GW_TEST_")) {
    const std::string filebase = "GW_TEST_FILEBASE_" + name.substr(8);
    if (std::getenv(filebase.c_str()) != nullptr) return GetEnv(filebase);
  }
  return GetEnv(name);
}

StackEnv ReadStackEnv() {
  StackEnv env;
  env.base_url = StackVariable("GW_TEST_BASE_URL");
  while (!env.base_url.empty() && env.base_url.back() == '/') env.base_url.pop_back();
  env.http_url = StackVariable("GW_TEST_HTTP_URL");
  while (!env.http_url.empty() && env.http_url.back() == '/') env.http_url.pop_back();
  env.ca_file = StackVariable("GW_TEST_CA_FILE");
  env.admin_key = StackVariable("GW_TEST_ADMIN_KEY");
  env.run_dir = StackVariable("GW_TEST_RUN_DIR");
  env.log_dir = StackVariable("GW_TEST_LOG_DIR");
  env.filebase = OnFilebaseStack();
  env.filebase_control_url = StackVariable("GW_TEST_FILEBASE_CONTROL_URL");
  return env;
}

std::string RandomHex(std::size_t n) {
  thread_local std::mt19937_64 generator{std::random_device{}()};
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (std::size_t i = 0; i < n; ++i) out += kHex[generator() & 15];
  return out;
}

std::string RandomEmail(const std::string& prefix) { return "e2e-" + prefix + "-" + RandomHex(16) + "@example.com"; }

bool PollUntil(std::chrono::milliseconds timeout, const std::function<bool()>& done) {
  return gw::test::Eventually(done, timeout, std::chrono::milliseconds(50));
}

void ExpectSuccessEnvelope(const HttpResponse& response, long expected_status) {
  ASSERT_EQ(response.status, expected_status) << response.Describe();
  const auto json = response.Json();
  ASSERT_TRUE(json.is_object()) << "not a JSON object: " << response.Describe();
  EXPECT_EQ(json.value("status", -1), expected_status) << response.Describe();
  EXPECT_TRUE(json.contains("message") && json["message"].is_string()) << response.Describe();
  EXPECT_TRUE(json.contains("data")) << response.Describe();
  EXPECT_FALSE(json.contains("error")) << response.Describe();
  EXPECT_TRUE(response.Header("x-request-id").has_value()) << "no X-Request-Id: " << response.Describe();
}

void ExpectErrorEnvelope(const HttpResponse& response, long expected_status, const std::string& expected_code) {
  ASSERT_EQ(response.status, expected_status) << response.Describe();
  const auto json = response.Json();
  ASSERT_TRUE(json.is_object()) << "not a JSON object: " << response.Describe();
  EXPECT_EQ(json.value("status", -1), expected_status) << response.Describe();
  EXPECT_TRUE(json.contains("message") && json["message"].is_string()) << response.Describe();
  EXPECT_FALSE(json.contains("data")) << response.Describe();
  ASSERT_TRUE(json.contains("error") && json["error"].is_object()) << response.Describe();
  const auto& error = json["error"];
  EXPECT_EQ(error.value("code", std::string()), expected_code) << response.Describe();
  EXPECT_TRUE(error.contains("details") && error["details"].is_object()) << response.Describe();
  ASSERT_TRUE(error.contains("request_id") && error["request_id"].is_string()) << response.Describe();
  const auto request_id = error["request_id"].get<std::string>();
  EXPECT_FALSE(request_id.empty()) << response.Describe();
  const auto header = response.Header("x-request-id");
  ASSERT_TRUE(header.has_value()) << "no X-Request-Id: " << response.Describe();
  EXPECT_EQ(*header, request_id) << "X-Request-Id differs from error.request_id: " << response.Describe();
  const auto content_type = response.Header("content-type").value_or("");
  EXPECT_TRUE(content_type.starts_with("application/json"))
      << "Content-Type " << content_type << ": " << response.Describe();
}

void E2eTest::SetUp() {
  env_ = ReadStackEnv();
  ASSERT_FALSE(env_.base_url.empty())
      << "GW_TEST_BASE_URL is not set: the end-to-end tests need a live stack. Run them through "
         "`./gw test` (which starts a throwaway stack and sets GW_TEST_BASE_URL, GW_TEST_CA_FILE, "
         "GW_TEST_ADMIN_KEY, GW_TEST_RUN_DIR, GW_TEST_LOG_DIR, GW_TEST_HTTP_URL).";
  ASSERT_FALSE(env_.ca_file.empty()) << "GW_TEST_CA_FILE is not set: the e2e tests always verify TLS and "
                                        "need the stack's certificate";
  ASSERT_FALSE(env_.admin_key.empty()) << "GW_TEST_ADMIN_KEY is not set; run the e2e tests through `./gw test`";
  client_ = NewClient();
}

std::unique_ptr<HttpsClient> E2eTest::NewClient() const {
  auto client = std::make_unique<HttpsClient>(env_.base_url, env_.ca_file);
  // Each client is its own address, as distinct users are: the test stacks trust 127.0.0.1 as
  // a proxy (GW_TRUSTED_PROXIES), so the per-address limit of /register and /renew (10 a
  // minute, as in production) applies per client instead of to the whole suite at once.
  client->SetDefaultHeaders({{"X-Forwarded-For", RandomTestAddress()}});
  return client;
}

bool E2eTest::Require(const std::string& value, const char* variable) {
  if (!value.empty()) return true;
  ADD_FAILURE() << variable << " is not set; run the e2e tests through `./gw test`";
  return false;
}

std::string RandomTestAddress() {
  // 198.18.0.0/15: reserved for benchmarking (RFC 2544), never a real client.
  const std::string hex = RandomHex(5);
  const auto octet = [&](std::size_t at) { return std::to_string(std::stoi(hex.substr(at, 2), nullptr, 16)); };
  return "198." + std::to_string(18 + std::stoi(hex.substr(4, 1), nullptr, 16) % 2) + "." + octet(0) + "." + octet(2);
}

Account E2eTest::RegisterUser(const std::string& prefix) {
  Account account{RandomEmail(prefix), "correct horse battery " + RandomHex(8), {}};
  const auto response = Client().PostJson("/register", {{"email", account.email}, {"password", account.password}});
  const auto json = response.Json();
  if (response.status != 201 || !json.is_object() || !json.contains("data") || !json["data"].contains("api_key")) {
    throw std::runtime_error("POST /register " + account.email + " -> " + response.Describe());
  }
  account.api_key = json["data"]["api_key"].get<std::string>();
  return account;
}

HttpResponse E2eTest::Status(const std::string& api_key, const std::optional<nlohmann::json>& body) {
  if (body) return Client().PostJson("/status", *body, {{"X-API-Key", api_key}});
  return Client().Request("POST", "/status", {{"X-API-Key", api_key}});
}

HttpResponse E2eTest::AdminPost(const std::string& path, const nlohmann::json& body) {
  return Client().PostJson(path, body, {{"X-API-Key", env_.admin_key}});
}

HttpResponse E2eTest::AdminGet(const std::string& path) {
  return Client().Request("GET", path, {{"X-API-Key", env_.admin_key}});
}

HttpResponse E2eTest::AdminSetPlan(const std::string& email, const nlohmann::json& body) {
  return Client().Request("PUT", "/admin/users/" + HttpsClient::Escape(email) + "/plan",
                          {{"X-API-Key", env_.admin_key}, {"Content-Type", "application/json"}}, body.dump());
}

long long E2eTest::FlushedUsageCount(const std::string& email) {
  const auto response = AdminPost("/status", {{"email", email}});
  if (response.status != 200) throw std::runtime_error("admin /status: " + response.Describe());
  return response.Json()["data"].value("usage_count", -1LL);
}

std::string E2eTest::ErrorCode(const HttpResponse& response) {
  const auto json = response.Json();
  if (!json.is_object() || !json.contains("error") || !json["error"].is_object()) return "";
  return json["error"].value("code", std::string());
}

}  // namespace gw::e2e
