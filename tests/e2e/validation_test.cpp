// Request validation, the error envelope and request ids, as seen by a client through nginx.
#include "e2e_support.hpp"

namespace gw::e2e {
namespace {

class Validation : public E2eTest {
 protected:
  static std::string Field(const HttpResponse& response) {
    const auto json = response.Json();
    if (!json.is_object() || !json.contains("error")) return "";
    return json["error"]["details"].value("field", "");
  }
};

TEST_F(Validation, ShortPasswordIsRejected) {
  auto response = Client().PostJson("/register", {{"email", RandomEmail("shortpw")}, {"password", "elevenchars"}});
  ExpectErrorEnvelope(response, 422, "validation_failed");
  EXPECT_EQ(Field(response), "password") << response.Describe();
}

TEST_F(Validation, InvalidEmailIsRejected) {
  for (const char* email : {"not-an-email", "a@b", "@example.com", "two@@example.com", "x@example.123", ""}) {
    auto response = Client().PostJson("/register", {{"email", email}, {"password", "long enough password"}});
    ExpectErrorEnvelope(response, 422, "validation_failed");
    EXPECT_EQ(Field(response), "email") << "email '" << email << "': " << response.Describe();
  }
}

TEST_F(Validation, MissingAndMistypedFieldsAreRejected) {
  auto missing = Client().PostJson("/register", {{"email", RandomEmail("nopw")}});
  ExpectErrorEnvelope(missing, 422, "validation_failed");
  EXPECT_EQ(Field(missing), "password") << missing.Describe();

  auto mistyped = Client().PostJson("/register", {{"email", 42}, {"password", "long enough password"}});
  ExpectErrorEnvelope(mistyped, 422, "validation_failed");
  EXPECT_EQ(Field(mistyped), "email") << mistyped.Describe();

  auto not_object = Client().PostJson("/register", nlohmann::json::array({1, 2}));
  ExpectErrorEnvelope(not_object, 422, "validation_failed");
}

TEST_F(Validation, UnknownFieldIsRejected) {
  auto response = Client().PostJson(
      "/register", {{"email", RandomEmail("unknown")}, {"password", "long enough password"}, {"is_admin", true}});
  ExpectErrorEnvelope(response, 422, "validation_failed");
  EXPECT_EQ(Field(response), "is_admin") << response.Describe();
}

TEST_F(Validation, DuplicateEmailIsTakenAfterNormalisation) {
  const std::string email = RandomEmail("dup");
  std::string shouted = email;
  for (auto& c : shouted) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));

  // registered with surrounding spaces and upper case: stored lower-cased and trimmed
  auto first = Client().PostJson("/register", {{"email", "  " + shouted + " "}, {"password", "long enough password"}});
  ExpectSuccessEnvelope(first, 201);
  EXPECT_EQ(first.Json()["data"].value("email", ""), email) << first.Describe();

  auto again = Client().PostJson("/register", {{"email", email}, {"password", "another long password"}});
  ExpectErrorEnvelope(again, 409, "email_taken");
  auto shouted_again = Client().PostJson("/register", {{"email", shouted}, {"password", "another long password"}});
  ExpectErrorEnvelope(shouted_again, 409, "email_taken");

  // the normalised email logs in
  auto status = Status(first.Json()["data"].value("api_key", ""));
  ExpectSuccessEnvelope(status, 200);
  EXPECT_EQ(status.Json()["data"].value("email", ""), email);
}

TEST_F(Validation, InvalidJsonIsRejected) {
  for (const char* body : {"{\"email\":", "not json", "{\"email\":\"a@example.com\",}", ""}) {
    auto response = Client().Request("POST", "/register", {{"Content-Type", "application/json"}}, std::string(body));
    ExpectErrorEnvelope(response, 400, "invalid_json");
  }
}

TEST_F(Validation, WrongContentTypeIsRejected) {
  const std::string body = nlohmann::json{{"email", RandomEmail("ctype")}, {"password", "long enough password"}}.dump();
  for (const char* type : {"text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x"}) {
    auto response = Client().Request("POST", "/register", {{"Content-Type", type}}, body);
    ExpectErrorEnvelope(response, 415, "unsupported_media_type");
  }
  // no Content-Type at all
  ExpectErrorEnvelope(Client().Request("POST", "/register", {}, body), 415, "unsupported_media_type");
  // parameters and case are fine
  auto ok = Client().Request("POST", "/register", {{"Content-Type", "Application/JSON; charset=utf-8"}}, body);
  ExpectSuccessEnvelope(ok, 201);
}

TEST_F(Validation, ApiKeyErrors) {
  ExpectErrorEnvelope(Client().Request("POST", "/status"), 401, "missing_api_key");
  ExpectErrorEnvelope(Status("not-a-key"), 401, "invalid_api_key");
  ExpectErrorEnvelope(Status("ipfs_gw_short"), 401, "invalid_api_key");
  // well-formed (ipfs_gw_ + 43 base64url characters) but unknown
  ExpectErrorEnvelope(Status("ipfs_gw_" + std::string(43, 'A')), 401, "invalid_api_key");
  const auto user = RegisterUser("keyerr");
  std::string tampered = user.api_key;
  tampered.back() = tampered.back() == 'A' ? 'B' : 'A';
  ExpectErrorEnvelope(Status(tampered), 401, "invalid_api_key");
}

TEST_F(Validation, RenewWithWrongPasswordOrUnknownEmail) {
  const auto user = RegisterUser("renewpw");
  ExpectErrorEnvelope(Client().PostJson("/renew", {{"email", user.email}, {"password", "wrong password 123"}}), 401,
                      "invalid_credentials");
  ExpectErrorEnvelope(Client().PostJson("/renew", {{"email", RandomEmail("ghost")}, {"password", user.password}}), 401,
                      "invalid_credentials");
  // the key was not replaced by the failed attempts
  ExpectSuccessEnvelope(Status(user.api_key), 200);
}

TEST_F(Validation, RequestIdIsGeneratedOrEchoed) {
  // generated when the client sends none: on success and on errors, unique per request
  auto ok = Client().Request("GET", "/health");
  ExpectSuccessEnvelope(ok, 200);
  auto error1 = Client().Request("POST", "/status");
  auto error2 = Client().Request("POST", "/status");
  ExpectErrorEnvelope(error1, 401, "missing_api_key");
  ExpectErrorEnvelope(error2, 401, "missing_api_key");
  EXPECT_NE(error1.Header("x-request-id"), error2.Header("x-request-id"));

  // a well-formed client id is echoed, in the header and in error.request_id
  const HeaderList trace{{"X-Request-Id", "e2e-trace-123"}};
  auto echoed_ok = Client().Request("GET", "/health", trace);
  ExpectSuccessEnvelope(echoed_ok, 200);
  EXPECT_EQ(echoed_ok.Header("x-request-id").value_or(""), "e2e-trace-123") << echoed_ok.Describe();
  auto echoed_error = Client().Request("POST", "/status", trace);
  ExpectErrorEnvelope(echoed_error, 401, "missing_api_key");
  EXPECT_EQ(echoed_error.Json()["error"].value("request_id", ""), "e2e-trace-123") << echoed_error.Describe();
  auto echoed_nginx = Client().Request("GET", "/nope", trace);
  ExpectErrorEnvelope(echoed_nginx, 404, "not_found");
  EXPECT_EQ(echoed_nginx.Header("x-request-id").value_or(""), "e2e-trace-123") << echoed_nginx.Describe();

  // an id that could inject into logs or JSON is replaced, never echoed
  auto hostile = Client().Request("POST", "/status", {{"X-Request-Id", "bad\"id{}<script>"}});
  ExpectErrorEnvelope(hostile, 401, "missing_api_key");
  EXPECT_NE(hostile.Header("x-request-id").value_or(""), "bad\"id{}<script>") << hostile.Describe();
}

TEST_F(Validation, HealthEndpoints) {
  auto live = Client().Request("GET", "/health");
  ExpectSuccessEnvelope(live, 200);
  auto ready = Client().Request("GET", "/health/ready");
  ExpectSuccessEnvelope(ready, 200);
  EXPECT_EQ(ready.Json()["data"].value("database", ""), "ok") << ready.Describe();
}

TEST_F(Validation, WrongMethodIs405) {
  auto response = Client().Request("GET", "/register");
  ExpectErrorEnvelope(response, 405, "method_not_allowed");
  EXPECT_NE(response.Header("allow").value_or("").find("POST"), std::string::npos) << response.Describe();
}

}  // namespace
}  // namespace gw::e2e
