// What nginx does in front of the app: body limits, unknown routes passed on to the app (JSON 404),
// HTTP->HTTPS redirects, security headers, and TLS that a client can (and must) verify.
#include <filesystem>

#include "e2e_support.hpp"

namespace gw::e2e {
namespace {

class Nginx : public E2eTest {
 protected:
  static void ExpectSecurityHeaders(const HttpResponse& response) {
    const auto hsts = response.Header("strict-transport-security");
    ASSERT_TRUE(hsts.has_value()) << "no Strict-Transport-Security: " << response.Describe();
    EXPECT_NE(hsts->find("max-age="), std::string::npos) << *hsts;
    EXPECT_EQ(response.Header("x-content-type-options").value_or(""), "nosniff") << response.Describe();
    for (const auto& server : response.Headers("server")) {
      EXPECT_EQ(server.find('/'), std::string::npos) << "Server header reveals a version: " << server;
    }
    EXPECT_TRUE(response.Headers("x-powered-by").empty()) << response.Describe();
  }
};

TEST_F(Nginx, OversizedBodyGetsJson413FromNginx) {
  const std::string filler(2 * 1024 * 1024, 'a');
  const std::string body = nlohmann::json{{"email", RandomEmail("big")}, {"password", filler}}.dump();  // 2 MiB + a bit
  auto response = Client().Request(
      "POST", "/register", {{"Content-Type", "application/json"}, {"X-Request-Id", "e2e-big-" + RandomHex(8)}}, body);
  ExpectErrorEnvelope(response, 413, "payload_too_large");
  ExpectSecurityHeaders(response);
  // the client's request id survives on nginx's own error pages too
  const auto json = response.Json();
  EXPECT_TRUE(json["error"].value("request_id", "").starts_with("e2e-big-")) << response.Describe();
  // nginx's page has empty details; the app's own 413 (its backstop) would name limit_bytes
  EXPECT_TRUE(json["error"]["details"].empty()) << "413 not from nginx? " << response.Describe();

  // a body just under the limit reaches the app (which then rejects the long password field)
  const std::string under =
      nlohmann::json{{"email", RandomEmail("big")}, {"password", std::string(1000 * 1000, 'a')}}.dump();
  auto app = Client().Request("POST", "/register", {{"Content-Type", "application/json"}}, under);
  ExpectErrorEnvelope(app, 422, "validation_failed");
}

TEST_F(Nginx, UnknownRouteGetsJson404) {
  for (const char* path : {"/nope", "/nope/deeper?x=1", "/register/extra", "/health/other"}) {
    auto response = Client().Request("GET", path);
    ExpectErrorEnvelope(response, 404, "not_found");
    ExpectSecurityHeaders(response);
  }
  auto post = Client().PostJson("/nope", {{"a", 1}});
  ExpectErrorEnvelope(post, 404, "not_found");
}

TEST_F(Nginx, PlainHttpRedirectsToHttps) {
  ASSERT_TRUE(Require(env_.http_url, "GW_TEST_HTTP_URL"));
  HttpsClient http(env_.http_url, env_.ca_file);
  for (const char* path : {"/health", "/register"}) {
    auto response = std::string(path) == "/register"
                        ? http.PostJson(path, {{"email", RandomEmail("http")}, {"password", "long enough password"}})
                        : http.Request("GET", path);
    EXPECT_TRUE(response.status == 301 || response.status == 308) << path << ": " << response.Describe();
    const std::string location = response.Header("location").value_or("");
    EXPECT_TRUE(location.starts_with("https://")) << path << ": Location " << location;
    EXPECT_TRUE(location.ends_with(path)) << path << ": Location " << location;
  }
}

TEST_F(Nginx, SecurityHeadersOnApiResponses) {
  auto health = Client().Request("GET", "/health");
  ExpectSuccessEnvelope(health, 200);
  ExpectSecurityHeaders(health);
  auto error = Client().Request("POST", "/status");
  ExpectErrorEnvelope(error, 401, "missing_api_key");
  ExpectSecurityHeaders(error);
  const auto user = RegisterUser("headers");
  auto status = Status(user.api_key);
  ExpectSuccessEnvelope(status, 200);
  ExpectSecurityHeaders(status);
}

TEST_F(Nginx, TlsIsVerifiedAgainstTheStackCertificate) {
  // The stack's certificate works (every other test relies on it) ...
  ExpectSuccessEnvelope(Client().Request("GET", "/health"), 200);
  // ... and a client that does not trust it is refused: verification is really on.
  // The system bundle (package ca-certificates, a dependency of curl, which gw installs) trusts
  // public CAs only, not the stack's self-signed certificate.
  const std::string system_bundle = "/etc/ssl/certs/ca-certificates.crt";
  ASSERT_TRUE(std::filesystem::exists(system_bundle)) << system_bundle << " is missing";
  HttpsClient untrusting(env_.base_url, system_bundle);
  EXPECT_THROW(untrusting.Request("GET", "/health"), std::runtime_error);
}

}  // namespace
}  // namespace gw::e2e
