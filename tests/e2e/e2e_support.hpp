// Shared pieces of the end-to-end tests: the stack description from the environment, a base
// fixture that FAILS (never skips) without a live stack, and small API helpers.
#pragma once

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <thread>

#include "https_client.hpp"
#include "tests/common/eventually.hpp"

namespace gw::e2e {

/// The live stack, as `./gw test` describes it through GW_TEST_* variables.
struct StackEnv {
  std::string base_url;              // GW_TEST_BASE_URL  https://127.0.0.1:<port>
  std::string http_url;              // GW_TEST_HTTP_URL  http://127.0.0.1:<port> (redirects only)
  std::string ca_file;               // GW_TEST_CA_FILE   the self-signed certificate to trust
  std::string admin_key;             // GW_TEST_ADMIN_KEY an administrator's API key
  std::string run_dir;               // GW_TEST_RUN_DIR   worker-<slot>.pid files
  std::string log_dir;               // GW_TEST_LOG_DIR   worker-<slot>.log JSON-lines logs
  bool filebase = false;             // GW_TEST_STACK=filebase: the stack stores content on the Filebase double
  std::string filebase_control_url;  // GW_TEST_FILEBASE_CONTROL_URL the double's fault/request-log API
};

/// True when GW_TEST_STACK=filebase: the suites that run against both backends
/// (tests/e2e/CMakeLists.txt) then talk to the Filebase stack.
bool OnFilebaseStack();
/// The environment variable `name` (GW_TEST_...) of the stack under test: GW_TEST_FILEBASE_...
/// on the Filebase stack when that is set. Empty when unset.
std::string StackVariable(const std::string& name);

/// Reads the environment; empty strings for unset variables.
StackEnv ReadStackEnv();

/// "e2e-<prefix>-<16 random hex>@example.com": unique per call, so tests can run repeatedly
/// against the same database.
std::string RandomEmail(const std::string& prefix = "user");
/// n random lower-case hex digits.
std::string RandomHex(std::size_t n);
/// A random address in 198.18.0.0/15 (RFC 2544's benchmarking range), for X-Forwarded-For.
std::string RandomTestAddress();

struct Account {
  std::string email;  // as registered (already normalised)
  std::string password;
  std::string api_key;
};

/// Polls `done` every 50 ms until it returns true or `timeout` passes; returns the last result.
bool PollUntil(std::chrono::milliseconds timeout, const std::function<bool()>& done);
/// The usual `timeout` of PollUntil for what the stack does in the background (replace a worker,
/// flush counts, write a log line, spread a key change): the integration tests' hang guard
/// (tests/common/eventually.hpp), generous on purpose, not a timing target (bench/ is).
using gw::test::kHangGuard;

/// Asserts the success envelope {"status":N,"message":"...","data":...} with status == expected.
void ExpectSuccessEnvelope(const HttpResponse& response, long expected_status);
/// Asserts the error envelope {"status":N,"message":"...","error":{"code","details","request_id"}}
/// with the given status and code, and that X-Request-Id equals error.request_id.
void ExpectErrorEnvelope(const HttpResponse& response, long expected_status, const std::string& expected_code);

/// Base fixture: every test FAILS (not skips) when GW_TEST_BASE_URL is not set.
class E2eTest : public ::testing::Test {
 protected:
  void SetUp() override;

  HttpsClient& Client() { return *client_; }
  std::unique_ptr<HttpsClient> NewClient() const;

  /// Registers a fresh account (throws with the response on anything but 201).
  Account RegisterUser(const std::string& prefix = "user");
  /// POST /status with the key and an optional body.
  HttpResponse Status(const std::string& api_key, const std::optional<nlohmann::json>& body = std::nullopt);
  /// POST to an admin endpoint with the administrator's key.
  HttpResponse AdminPost(const std::string& path, const nlohmann::json& body);
  /// GET with the administrator's key.
  HttpResponse AdminGet(const std::string& path);
  /// PUT /admin/users/{email}/plan with the administrator's key and `body` ({"plan", "overrides"}).
  HttpResponse AdminSetPlan(const std::string& email, const nlohmann::json& body);
  /// An account's usage_count as an administrator sees it: flushed counts only (no process-local
  /// pending ones), so it shows that a batch flush happened. Throws on anything but 200.
  long long FlushedUsageCount(const std::string& email);
  /// The error.code of a response, or "" when it has none.
  static std::string ErrorCode(const HttpResponse& response);

  /// Fails the current test unless the named variable was set (returns false then).
  bool Require(const std::string& value, const char* variable);

  StackEnv env_;
  std::unique_ptr<HttpsClient> client_;
};

}  // namespace gw::e2e
