// Requests a new user found answered by nginx's HTML pages, or accepted when they should not be
// (issue #12): each now ends as the JSON error envelope with its status and X-Request-Id. The
// URIs and header blocks are sent as raw bytes (raw_tls_client.hpp): libcurl would normalise
// "/../" and refuse a space, and refuses nothing of the size tests here.
#include <chrono>
#include <fstream>
#include <string>

#include "content_fixture.hpp"
#include "raw_tls_client.hpp"

namespace gw::e2e {
namespace {

class MalformedRequest : public ContentTest {
 protected:
  HttpResponse Raw(const std::string& request) { return RawHttp1(env_.base_url, env_.ca_file, request); }
  static std::string Reason(const HttpResponse& response) {
    const auto json = response.Json();
    if (!json.is_object() || !json.contains("error")) return "";
    return json["error"]["details"].value("reason", "");
  }
};

TEST_F(MalformedRequest, UrisNginxCannotParseAreJson400NotHtml500) {
  const auto user = RegisterUser("malformed-uri");
  // each was nginx's HTML 500 ("empty URI in redirect to named location")
  for (const std::string target :
       {"GET /retrieve/..%2F..%2F..%2Fetc%2Fpasswd", "DELETE /files/..%2F..%2Fx", "GET /retrieve/%00",
        "DELETE /files/%00", "POST /pin/%00", "GET /retrieve/a b", "GET /../../etc/passwd", "GET /retrieve/../../x",
        "GET /files?cid=%00 x", "GET /tasks/..%2f..%2f..%2f/status"}) {
    SCOPED_TRACE(target);
    const auto response =
        Raw(target + " HTTP/1.1\r\nHost: 127.0.0.1\r\nX-API-Key: " + user.api_key + "\r\nConnection: close\r\n\r\n");
    ExpectErrorEnvelope(response, 400, "bad_request");
    EXPECT_EQ(response.body.find("<html"), std::string::npos) << response.Describe();
  }
}

TEST_F(MalformedRequest, NginxsOwnErrorsAreLoggedWithTheRequestLineAsSent) {
  // nginx's error pages are internal redirects to /_gw_error/<status> (as GET); the access log
  // keeps the client's method and raw path instead
  ASSERT_TRUE(Require(env_.log_dir, "GW_TEST_LOG_DIR"));
  const auto refused = Raw("DELETE /files/..%2F..%2Fx HTTP/1.1\r\nHost: x\r\n\r\n");
  ExpectErrorEnvelope(refused, 400, "bad_request");
  const std::string id = refused.Header("x-request-id").value_or("");
  nlohmann::json line;
  ASSERT_TRUE(PollUntil(std::chrono::milliseconds(5000),
                        [&] {
                          std::ifstream in(env_.log_dir + "/nginx-access.log");
                          for (std::string text; std::getline(in, text);) {
                            if (text.find("\"request_id\":\"" + id + "\"") == std::string::npos) continue;
                            line = nlohmann::json::parse(text, nullptr, false);
                            return true;
                          }
                          return false;
                        }))
      << "no access log line for " << id;
  EXPECT_EQ(line.value("method", ""), "DELETE") << line.dump();
  EXPECT_EQ(line.value("uri", ""), "/files/..%2F..%2Fx") << line.dump();
  EXPECT_EQ(line.value("status", 0), 400) << line.dump();
}

TEST_F(MalformedRequest, AClientRequestIdIsNotTrustedBeforeTheHeadIsParsed) {
  // nginx refused the request line before reading headers: the id is nginx's own
  const auto response = Raw("GET /a b HTTP/1.1\r\nHost: x\r\nX-Request-Id: mine-123\r\n\r\n");
  ExpectErrorEnvelope(response, 400, "bad_request");
  EXPECT_EQ(response.Header("x-request-id").value_or("").size(), 32u) << response.Describe();
}

TEST_F(MalformedRequest, OversizedRequestHeadsAreJson431And414OverHttp1) {
  const std::string start = "GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n";
  // one header line over a 16 KiB buffer; five lines of 15 000 bytes, over the four buffers
  ExpectErrorEnvelope(Raw(start + "X-Big: " + std::string(20000, 'a') + "\r\n\r\n"), 431,
                      "request_header_fields_too_large");
  std::string many = start;
  for (int i = 0; i < 5; ++i) many += "X-Many-" + std::to_string(i) + ": " + std::string(15000, 'b') + "\r\n";
  ExpectErrorEnvelope(Raw(many + "\r\n"), 431, "request_header_fields_too_large");
  ExpectErrorEnvelope(Raw("GET /" + std::string(20000, 'u') + " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"), 414,
                      "uri_too_long");
  // under the limits the same head is served
  const auto fine = Raw(start + "X-Big: " + std::string(8000, 'a') + "\r\n\r\n");
  EXPECT_EQ(fine.status, 200) << fine.Describe();
}

TEST_F(MalformedRequest, OversizedRequestHeadsEndAnHttp2ConnectionWithEnhanceYourCalm) {
  // nginx 1.22 checks HTTP/2 header sizes while decoding HPACK, before a request exists: no
  // response is possible, the connection ends with GOAWAY ENHANCE_YOUR_CALM (docs/api.md).
  constexpr std::uint32_t kEnhanceYourCalm = 0xb;
  const auto small = RawHttp2Get(env_.base_url, env_.ca_file, "/health", {{"x-small", std::string(8000, 'a')}});
  EXPECT_TRUE(small.response_headers) << small.Describe();
  EXPECT_FALSE(small.goaway) << small.Describe();

  const auto big = RawHttp2Get(env_.base_url, env_.ca_file, "/health", {{"x-big", std::string(70 * 1024, 'a')}});
  EXPECT_FALSE(big.response_headers) << big.Describe();
  EXPECT_TRUE(big.goaway) << big.Describe();
  EXPECT_EQ(big.goaway_error, kEnhanceYourCalm) << big.Describe();

  HeaderList many;
  for (int i = 0; i < 6; ++i) many.emplace_back("x-many-" + std::to_string(i), std::string(12000, 'b'));
  const auto total = RawHttp2Get(env_.base_url, env_.ca_file, "/health", many);
  EXPECT_FALSE(total.response_headers) << total.Describe();
  EXPECT_TRUE(total.goaway) << total.Describe();
  EXPECT_EQ(total.goaway_error, kEnhanceYourCalm) << total.Describe();
}

TEST_F(MalformedRequest, MultipartWithoutBoundaryIsRefusedNotStoredRaw) {
  const auto user = RegisterUser("no-boundary");
  const std::string body =
      "--x\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.txt\"\r\n\r\nhi\r\n--x--\r\n";
  for (const std::string type : {"multipart/form-data", "multipart/form-data; charset=utf-8",
                                 "Multipart/Form-Data; boundary=", "multipart/mixed; boundary=x"}) {
    SCOPED_TRACE(type);
    const auto response =
        Client().Request("POST", "/upload", {{"X-API-Key", user.api_key}, {"Content-Type", type}}, body);
    ExpectErrorEnvelope(response, 400, "bad_request");
    EXPECT_EQ(Reason(response), "missing_boundary") << response.Describe();
  }
  const auto listed = Call("GET", "/files", user);
  ExpectSuccessEnvelope(listed, 200);
  EXPECT_EQ(listed.Json()["data"].size(), 0u) << listed.Describe();
}

TEST_F(MalformedRequest, ABodylessUploadIsRefusedAnExplicitEmptyFileIsStored) {
  const auto user = RegisterUser("empty-upload");
  // no body at all, and an empty body without a name: a mistake, not a file
  const auto none =
      Raw("POST /upload HTTP/1.1\r\nHost: x\r\nX-API-Key: " + user.api_key + "\r\nConnection: close\r\n\r\n");
  ExpectErrorEnvelope(none, 400, "bad_request");
  EXPECT_EQ(Reason(none), "empty_body") << none.Describe();
  const auto empty = Client().Request("POST", "/upload", {{"X-API-Key", user.api_key}}, std::string());
  ExpectErrorEnvelope(empty, 400, "bad_request");
  EXPECT_EQ(Reason(empty), "empty_body") << empty.Describe();
  const auto listed = Call("GET", "/files", user);
  ExpectSuccessEnvelope(listed, 200);
  EXPECT_EQ(listed.Json()["data"].size(), 0u) << listed.Describe();

  // the empty file, asked for: with ?filename=, or as an empty part
  const auto named = UploadRaw(user, "", "empty.txt");
  ExpectSuccessEnvelope(named, 201);
  EXPECT_EQ(named.Json()["data"].value("size", -1), 0) << named.Describe();
  const auto part = UploadMultipart(user, "", "; filename=\"empty-part.txt\"");
  ExpectSuccessEnvelope(part, 201);
  EXPECT_EQ(part.Json()["data"].value("size", -1), 0) << part.Describe();
  EXPECT_EQ(CidOf(part), CidOf(named));
}

TEST_F(MalformedRequest, ADuplicateJsonKeyIsRefusedNamingIt) {
  const std::string email = RandomEmail("dupkey");
  const auto response = Client().Request(
      "POST", "/register", {{"Content-Type", "application/json"}, {"X-Forwarded-For", RandomTestAddress()}},
      R"({"email":")" + email + R"(","password":"long enough password","email":"admin@example.com"})");
  ExpectErrorEnvelope(response, 400, "invalid_json");
  const auto json = response.Json();
  EXPECT_EQ(json["error"]["details"].value("key", ""), "email") << response.Describe();
  EXPECT_NE(json.value("message", "").find("'email'"), std::string::npos) << response.Describe();
  // nothing was registered under either email
  const auto again = Client().PostJson("/register", {{"email", email}, {"password", "long enough password"}},
                                       {{"X-Forwarded-For", RandomTestAddress()}});
  ExpectSuccessEnvelope(again, 201);

  const auto nested = AdminSetPlan(email, nlohmann::json::object());  // establishes the route works
  EXPECT_NE(nested.status, 500) << nested.Describe();
  const auto duplicate_override =
      Client().Request("PUT", "/admin/users/" + HttpsClient::Escape(email) + "/plan",
                       {{"X-API-Key", env_.admin_key}, {"Content-Type", "application/json"}},
                       R"({"plan":"free","overrides":{"burst":1,"burst":100000}})");
  ExpectErrorEnvelope(duplicate_override, 400, "invalid_json");
  EXPECT_EQ(duplicate_override.Json()["error"]["details"].value("key", ""), "overrides.burst")
      << duplicate_override.Describe();
}

}  // namespace
}  // namespace gw::e2e
