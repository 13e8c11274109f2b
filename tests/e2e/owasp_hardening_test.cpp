// OWASP API Security Top 10 (2023), docs/security.md: API3 (object property level
// authorisation), API4 (resource consumption), API7 (SSRF), API8 (misconfiguration) and API9
// (inventory), through nginx over HTTPS.
#include <fcntl.h>
#include <openssl/hmac.h>

#include <cctype>
#include <fstream>

#include "content_fixture.hpp"
#include "owasp_support.hpp"
#include "test_sha256.hpp"

namespace gw::e2e {
namespace {

std::string Lower(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

std::string HmacSha256Hex(const std::string& key, const std::string& data) {
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()), reinterpret_cast<const unsigned char*>(data.data()),
       data.size(), mac, &length);
  return LowerHex(mac, length);
}

class OwaspHardening : public ContentTest {
 protected:
  /// Every field name of a JSON document, with its path ("data[0].id").
  static void FieldNames(const nlohmann::json& j, const std::string& at,
                         std::vector<std::pair<std::string, std::string>>& out) {
    if (j.is_object()) {
      for (const auto& [name, value] : j.items()) {
        out.emplace_back(name, at + "." + name);
        FieldNames(value, at + "." + name, out);
      }
    } else if (j.is_array()) {
      for (std::size_t i = 0; i < j.size(); ++i) FieldNames(j[i], at + "[" + std::to_string(i) + "]", out);
    }
  }

  /// A response whose body must hold no stack trace, SQL, library or filesystem detail.
  static void ExpectNoInternals(const HttpResponse& response) {
    const std::string body = Lower(response.body);
    for (const char* leak : {"/tmp/",     "/var/",    "/work/",   "/usr/",        "/home/",    ".cpp",
                             ".hpp",      "std::",    "pqxx",     "libpq",        "postgres",  "select ",
                             "insert ",   "update ",  "sqlstate", "syntax error", "exception", "terminate",
                             "backtrace", "nlohmann", "fastcgi",  "nginx/",       "<html"}) {
      EXPECT_EQ(body.find(leak), std::string::npos) << "'" << leak << "' in " << response.Describe();
    }
  }
};

// API3: no response of a whole user and administrator journey carries a password, a key hash,
// the key pepper, an internal user id, or a key where none was asked for. The only numeric id a
// client sees is an audit row's, in GET /audit, to administrators.
TEST_F(OwaspHardening, Api3NoResponseCarriesSecretsOrInternalIds) {
  ASSERT_TRUE(Require(StackVariable("GW_TEST_KEY_PEPPER_FILE"), "GW_TEST_KEY_PEPPER_FILE"));
  std::ifstream pepper_file(StackVariable("GW_TEST_KEY_PEPPER_FILE"));
  std::string pepper((std::istreambuf_iterator<char>(pepper_file)), std::istreambuf_iterator<char>());
  while (!pepper.empty() && std::isspace(static_cast<unsigned char>(pepper.back()))) pepper.pop_back();
  ASSERT_GE(pepper.size(), 32u) << "the pepper file could not be read";

  struct Seen {
    std::string what;
    HttpResponse response;
  };
  std::vector<Seen> seen;
  const auto keep = [&](const std::string& what, HttpResponse response) {
    seen.push_back({what, response});
    return response;
  };
  auto user = RegisterUser("owasp-journey");
  const std::string first_key = user.api_key;
  const HeaderList key{{"X-API-Key", user.api_key}};
  const std::string cid = Store(user, "journey bytes " + RandomHex(16), "journey.txt");
  keep("status", Status(user.api_key));
  keep("status self", Status(user.api_key, nlohmann::json{{"email", user.email}}));
  keep("files", Call("GET", "/files", user));
  keep("files by cid", Call("GET", "/files?cid=" + cid, user));
  keep("retrieve", Retrieve(user, cid));
  keep("unpin", Call("POST", "/unpin/" + cid, user));
  keep("pin", Call("POST", "/pin/" + cid, user));
  keep("usage", Call("GET", "/usage", user));
  keep("usage daily", Call("GET", "/usage/daily?days=3", user));
  keep("tasks", Call("GET", "/tasks", user));
  keep("bad password", Client().PostJson("/renew", {{"email", user.email}, {"password", user.password + "x"}}));
  const auto renewed = Client().PostJson("/renew", {{"email", user.email}, {"password", user.password}});
  ExpectSuccessEnvelope(renewed, 200);
  user.api_key = renewed.Json()["data"].value("api_key", "");
  keep("old key", Status(first_key));
  keep("admin status", AdminPost("/status", {{"email", user.email}}));
  keep("admin plans", AdminGet("/admin/plans"));
  keep("admin users", AdminGet("/admin/users?q=" + HttpsClient::Escape(user.email)));
  keep("admin plan change", AdminSetPlan(user.email, {{"plan", "pro"}}));
  keep("admin audit", AdminGet("/audit?user=" + HttpsClient::Escape(user.email)));
  keep("admin audit all", AdminGet("/audit?limit=100"));
  keep("admin revoke", AdminPost("/revoke", {{"email", user.email}}));
  keep("admin reactivate", AdminPost("/reactivate", {{"email", user.email}}));
  keep("delete", Call("DELETE", "/files/" + cid, user));
  keep("admin status after", AdminPost("/status", {{"email", user.email}}));
  keep("taken email", Client().PostJson("/register", {{"email", user.email}, {"password", user.password}}));
  ASSERT_GE(seen.size(), 20u);

  const std::set<std::string> forbidden_names{"password",   "password_hash", "key_hash", "hash",     "pepper",
                                              "key_pepper", "user_id",       "secret",   "api_keys", "salt"};
  const std::vector<std::string> forbidden_values{user.password, pepper, HmacSha256Hex(pepper, first_key),
                                                  HmacSha256Hex(pepper, user.api_key)};
  for (const auto& [what, response] : seen) {
    SCOPED_TRACE(what);
    EXPECT_LT(response.status, 500) << response.Describe();
    for (const auto& value : forbidden_values) {
      EXPECT_EQ(response.body.find(value), std::string::npos) << "a secret in " << response.Describe();
      for (const auto& [name, header] : response.headers) EXPECT_EQ(header.find(value), std::string::npos) << name;
    }
    // keys: in no response but the ones that issue them (register, renew: not kept here)
    EXPECT_EQ(response.body.find(first_key), std::string::npos) << response.Describe();
    EXPECT_EQ(response.body.find(user.api_key), std::string::npos) << response.Describe();
    const auto json = response.Json();
    if (json.is_discarded()) continue;  // the download
    std::vector<std::pair<std::string, std::string>> names;
    FieldNames(json, "", names);
    for (const auto& [name, path] : names) {
      EXPECT_EQ(forbidden_names.count(Lower(name)), 0u) << path << " in " << response.Describe();
      if (name == "id") {
        EXPECT_TRUE(what.starts_with("admin audit") && path.starts_with(".data[")) << path << " in " << what;
      }
    }
  }
}

// API3: a field a route does not define is refused (422 validation_failed naming it), on every
// route with a JSON body, nested objects included; nothing is applied.
TEST_F(OwaspHardening, Api3UnknownBodyFieldsAreRefusedOnEveryRouteWithABody) {
  const auto user = RegisterUser("owasp-fields");
  const HeaderList key{{"X-API-Key", user.api_key}};
  const HeaderList admin{{"X-API-Key", env_.admin_key}};
  struct Case {
    std::string method, path;
    HeaderList headers;
    nlohmann::json body;
    std::string field;
  };
  const std::vector<Case> cases{
      {"POST",
       "/register",
       {},
       {{"email", RandomEmail("f")}, {"password", "long enough password"}, {"is_admin", true}},
       "is_admin"},
      {"POST", "/renew", {}, {{"email", user.email}, {"password", user.password}, {"plan", "unlimited"}}, "plan"},
      {"POST", "/status", key, {{"email", user.email}, {"is_admin", true}}, "is_admin"},
      {"POST", "/session", {}, {{"email", user.email}, {"password", user.password}, {"remember", true}}, "remember"},
      {"POST", "/revoke", admin, {{"email", user.email}, {"reason", "x"}}, "reason"},
      {"POST", "/reactivate", admin, {{"email", user.email}, {"state", "active"}}, "state"},
      {"PUT",
       "/admin/users/" + HttpsClient::Escape(user.email) + "/plan",
       admin,
       {{"plan", "pro"}, {"is_admin", true}},
       "is_admin"},
      {"PUT",
       "/admin/users/" + HttpsClient::Escape(user.email) + "/plan",
       admin,
       {{"plan", "pro"}, {"overrides", {{"burst", 5}, {"storage_bytes", 1}}}},
       "overrides.storage_bytes"},
  };
  // every route with a body schema is here (the JSON-body routes of the route table)
  std::set<std::string> covered;
  for (const auto& c : cases)
    covered.insert(c.method + " " + (c.path.starts_with("/admin/users/") ? "/admin/users/{email}/plan" : c.path));
  EXPECT_EQ(covered, (std::set<std::string>{"POST /register", "POST /renew", "POST /status", "POST /revoke",
                                            "POST /reactivate", "PUT /admin/users/{email}/plan", "POST /session"}));
  for (const auto& c : cases) {
    SCOPED_TRACE(c.method + " " + c.path + " " + c.body.dump());
    auto headers = c.headers;
    headers.emplace_back("Content-Type", "application/json");
    const auto response = Client().Request(c.method, c.path, headers, c.body.dump());
    ExpectErrorEnvelope(response, 422, "validation_failed");
    const std::string field = response.Json()["error"]["details"].value("field", "");
    EXPECT_TRUE(field == c.field || c.field.ends_with("." + field)) << response.Describe();
  }
  // nothing was applied: the key still works, the user is no admin and on the free plan
  const auto status = Status(user.api_key);
  ExpectSuccessEnvelope(status, 200);
  EXPECT_EQ(status.Json()["data"].value("is_admin", true), false);
  EXPECT_EQ(status.Json()["data"].value("plan", ""), "free") << status.Describe();
  EXPECT_EQ(status.Json()["data"].value("state", ""), "active") << status.Describe();
}

// API4: page sizes are capped (limit above 100 is a 400, not a bigger page), deep and wide JSON
// and many multipart parts are 4xx JSON answers, never a 5xx or a dead worker.
TEST_F(OwaspHardening, Api4PaginationCapsDeepJsonAndManyPartsAreRefusedCheaply) {
  const auto user = RegisterUser("owasp-limits");
  for (const char* path : {"/files?limit=101", "/tasks?limit=101", "/files?limit=1000000", "/tasks?page=0",
                           "/files?page=99999999999999999999", "/usage/daily?days=91", "/usage/daily?days=100000"}) {
    SCOPED_TRACE(path);
    const auto response = Call("GET", path, user);
    ExpectErrorEnvelope(response, 400, "invalid_query");
  }
  const auto capped = Call("GET", "/files?limit=100", user);
  ExpectSuccessEnvelope(capped, 200);

  const std::string deep_array = std::string(10000, '[') + std::string(10000, ']');
  std::string deep_object;
  for (int i = 0; i < 10000; ++i) deep_object += "{\"a\":";
  deep_object += "1" + std::string(10000, '}');
  std::string wide = "{";
  for (int i = 0; i < 50000; ++i) wide += "\"k" + std::to_string(i) + "\":" + std::to_string(i) + ",";
  wide += "\"email\":\"x@example.com\"}";
  const std::string deep_in_field = "{\"email\":" + deep_array + ",\"password\":\"long enough password\"}";
  const HeaderList json{{"Content-Type", "application/json"}};
  HeaderList keyed_json = json;
  keyed_json.emplace_back("X-API-Key", user.api_key);
  for (const auto& [what, body] :
       std::vector<std::pair<std::string, std::string>>{{"10,000 nested arrays", deep_array},
                                                        {"10,000 nested objects", deep_object},
                                                        {"50,000 members", wide},
                                                        {"nested arrays in a field", deep_in_field}}) {
    SCOPED_TRACE(what);
    for (const auto& [path, headers] :
         std::vector<std::pair<std::string, HeaderList>>{{"/register", json}, {"/status", keyed_json}}) {
      const auto response = Client().Request("POST", path, headers, body);
      ASSERT_GE(response.status, 400) << response.Describe();
      ASSERT_LT(response.status, 500) << response.Describe();
      EXPECT_TRUE(ErrorCode(response) == "validation_failed" || ErrorCode(response) == "invalid_json")
          << response.Describe();
    }
  }
  // 20,000 parts in one multipart upload: refused or the file taken, never a 5xx
  const std::string boundary = "owasp" + RandomHex(16);
  std::string multipart;
  for (int i = 0; i < 20000; ++i) {
    multipart +=
        "--" + boundary + "\r\nContent-Disposition: form-data; name=\"f" + std::to_string(i) + "\"\r\n\r\nx\r\n";
  }
  multipart += "--" + boundary + "--\r\n";
  const auto parts = Client().Request(
      "POST", "/upload", {{"X-API-Key", user.api_key}, {"Content-Type", "multipart/form-data; boundary=" + boundary}},
      multipart);
  EXPECT_LT(parts.status, 500) << parts.Describe();
  EXPECT_TRUE(parts.status == 201 || !ErrorCode(parts).empty()) << parts.Describe();
  // and the service is still there for everyone
  ExpectSuccessEnvelope(Status(user.api_key), 200);
}

// API4: a client that sends its headers and then stalls the body is cut off by nginx
// (client_body_timeout, 30 s in nginx/nginx.conf.in for the JSON API), freeing the connection;
// the app never sees the request.
TEST_F(OwaspHardening, Api4AStalledBodyIsCutOffByNginx) {
  RawTls tls(env_.base_url, env_.ca_file);
  ASSERT_TRUE(tls.Connect(/*receive_timeout_seconds=*/50)) << tls.Error();
  tls.Write(
      "POST /register HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
      "Content-Length: 1000\r\nX-Forwarded-For: " +
      RandomTestAddress() + "\r\n\r\n{\"email\":");
  std::string answer;
  EXPECT_TRUE(tls.ReadUntilClosed(answer)) << "still connected after 50 s of a stalled body";
  // nginx either resets the connection (reset_timedout_connection on) or answers 408
  EXPECT_TRUE(answer.empty() || answer.starts_with("HTTP/1.1 408")) << answer;
}

// API7: no request makes the gateway fetch a URL. Fields and parameters that name one (the
// Pinning Service API's "origins", "url", "source") are refused where a schema applies and
// ignored where none does; a listener on loopback that they point at sees no connection.
TEST_F(OwaspHardening, Api7NoUserSuppliedUrlIsEverFetched) {
  const int listener = ::socket(AF_INET, SOCK_STREAM, 0);
  ASSERT_GE(listener, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(::bind(listener, reinterpret_cast<sockaddr*>(&address), sizeof address), 0);
  ASSERT_EQ(::listen(listener, 16), 0);
  socklen_t length = sizeof address;
  ::getsockname(listener, reinterpret_cast<sockaddr*>(&address), &length);
  const std::string port = std::to_string(ntohs(address.sin_port));
  const std::string url = "http://127.0.0.1:" + port + "/owasp-ssrf";
  const nlohmann::json origins = {"/ip4/127.0.0.1/tcp/" + port + "/http", url};

  const auto user = RegisterUser("owasp-ssrf");
  const std::string cid = Store(user, "ssrf bytes " + RandomHex(16));
  HeaderList keyed_json{{"X-API-Key", user.api_key}, {"Content-Type", "application/json"}};
  // a pin body as the Pinning Service API has it: ignored (the route takes no body)
  const auto pin = Client().Request("POST", "/pin/" + cid, keyed_json,
                                    nlohmann::json{{"cid", cid}, {"origins", origins}, {"url", url}}.dump());
  ExpectSuccessEnvelope(pin, 200);
  EXPECT_EQ(pin.Json()["data"].value("cid", ""), cid);
  // an upload "from a URL": the query parameter is not a source, the (empty) body is
  const auto from_url = Client().Request(
      "POST", "/upload?url=" + HttpsClient::Escape(url) + "&source=" + HttpsClient::Escape(url),
      {{"X-API-Key", user.api_key}, {"Content-Type", "application/octet-stream"}}, std::string("bytes, not a URL"));
  ExpectSuccessEnvelope(from_url, 201);
  EXPECT_EQ(from_url.Json()["data"].value("size", 0), 16) << from_url.Describe();
  // routes with a schema refuse such fields
  ExpectErrorEnvelope(Client().Request("POST", "/status", keyed_json, nlohmann::json{{"url", url}}.dump()), 422,
                      "validation_failed");
  ExpectErrorEnvelope(
      Client().PostJson("/register",
                        {{"email", RandomEmail("ssrf")}, {"password", "long enough password"}, {"origins", origins}}),
      422, "validation_failed");
  // a retrieve of a CID nobody stores is a 404 from the database, not a lookup on the network
  const auto unknown = Retrieve(user, "bafkreifzjut3te2nhyeaklss27nh3k72ysco7y32koao5eei66wof36n5e");
  ExpectErrorEnvelope(unknown, 404, "not_found");

  // nothing connected to the listener (the requests above have all been answered)
  ASSERT_EQ(::fcntl(listener, F_SETFL, O_NONBLOCK), 0);
  const int accepted = ::accept(listener, nullptr, nullptr);
  EXPECT_LT(accepted, 0) << "the gateway connected to a URL a client supplied";
  if (accepted >= 0) ::close(accepted);
  ::close(listener);
}

// API8: TLS 1.2 and 1.3 only, forward-secret AEAD ciphers only; a TLS 1.0/1.1 client or a
// TLS 1.2 client offering only CBC or RSA key exchange is refused in the handshake.
TEST_F(OwaspHardening, Api8OnlyTls12AndUpWithStrongCiphers) {
  {
    RawTls tls13(env_.base_url, env_.ca_file);
    ASSERT_TRUE(tls13.Connect()) << tls13.Error();
    EXPECT_EQ(tls13.Version(), "TLSv1.3");
  }
  {
    RawTls tls12(env_.base_url, env_.ca_file);
    tls12.Versions(TLS1_2_VERSION, TLS1_2_VERSION);
    ASSERT_TRUE(tls12.Connect()) << tls12.Error();
    EXPECT_EQ(tls12.Version(), "TLSv1.2");
    const std::string cipher = tls12.Cipher();
    EXPECT_TRUE(cipher.starts_with("ECDHE-") &&
                (cipher.find("GCM") != std::string::npos || cipher.find("CHACHA20") != std::string::npos))
        << cipher;
  }
  for (const int version : {TLS1_VERSION, TLS1_1_VERSION}) {
    SCOPED_TRACE(version == TLS1_VERSION ? "TLS 1.0" : "TLS 1.1");
    RawTls old(env_.base_url, env_.ca_file);
    old.Versions(version, version);
    old.Ciphers("DEFAULT:@SECLEVEL=0");
    EXPECT_FALSE(old.Connect()) << "handshake succeeded with " << old.Version();
  }
  for (const char* weak : {"AES128-SHA:AES256-SHA", "ECDHE-RSA-AES128-SHA:ECDHE-RSA-AES256-SHA384",
                           "AES128-GCM-SHA256:AES256-GCM-SHA384", "ECDHE-RSA-AES128-SHA256:ECDHE-RSA-AES256-SHA384"}) {
    SCOPED_TRACE(weak);
    RawTls tls(env_.base_url, env_.ca_file);
    tls.Versions(TLS1_2_VERSION, TLS1_2_VERSION);
    tls.Ciphers(weak);
    EXPECT_FALSE(tls.Connect()) << "TLS 1.2 handshake succeeded with " << tls.Cipher();
  }
}

// API8: the security headers a review expects, on the app's answers, its errors, nginx's own
// errors and downloads; and error bodies that tell nothing about the inside.
TEST_F(OwaspHardening, Api8SecurityHeadersOnEveryKindOfAnswerAndNoInternalsInErrors) {
  const auto user = RegisterUser("owasp-headers");
  const std::string cid = Store(user, "header bytes " + RandomHex(16), "page.html");
  const HeaderList json{{"Content-Type", "application/json"}};
  const std::vector<std::pair<std::string, HttpResponse>> answers{
      {"app 200", Client().Request("GET", "/health")},
      {"app 200 keyed", Status(user.api_key)},
      {"app 401", Client().Request("POST", "/status")},
      {"app 404 route", Client().Request("GET", "/owasp-nothing-here")},
      {"app 405", Client().Request("GET", "/register")},
      {"app 400 json", Client().Request("POST", "/register", json, std::string("{\"email\":"))},
      {"app 422", Client().Request("POST", "/register", json, std::string("[1]"))},
      {"app 400 cid", Call("GET", "/retrieve/not-a-cid", user)},
      {"app 404 cid", Call("GET", "/retrieve/bafkreifzjut3te2nhyeaklss27nh3k72ysco7y32koao5eei66wof36n5e", user)},
      {"app 400 query", Call("GET", "/files?limit=x", user)},
      {"nginx 413", Client().Request("POST", "/register", json, std::string(2 << 20, ' '))},
      {"nginx 404 internal", Client().Request("GET", "/_content/aa/" + cid)},
      {"download", Retrieve(user, cid)},
  };
  for (const auto& [what, response] : answers) {
    SCOPED_TRACE(what);
    EXPECT_NE(response.status, 0);
    EXPECT_NE(response.Header("strict-transport-security").value_or("").find("max-age="), std::string::npos)
        << response.Describe();
    EXPECT_EQ(response.Header("x-content-type-options").value_or(""), "nosniff") << response.Describe();
    EXPECT_EQ(response.Header("x-frame-options").value_or(""), "DENY") << response.Describe();
    EXPECT_EQ(response.Header("referrer-policy").value_or(""), "no-referrer") << response.Describe();
    const auto csp = response.Headers("content-security-policy");
    ASSERT_EQ(csp.size(), 1u) << "Content-Security-Policy headers: " << csp.size() << ": " << response.Describe();
    EXPECT_NE(csp[0].find("default-src 'none'"), std::string::npos) << csp[0];
    EXPECT_NE(csp[0].find("frame-ancestors 'none'"), std::string::npos) << csp[0];
    for (const auto& server : response.Headers("server")) EXPECT_EQ(server, "nginx") << "a version shown";
    EXPECT_TRUE(response.Headers("x-powered-by").empty()) << response.Describe();
    if (response.status >= 400) {
      EXPECT_TRUE(response.Header("content-type").value_or("").starts_with("application/json")) << response.Describe();
      ExpectNoInternals(response);
    }
  }
  // a download is never rendered by the browser as a page of this origin
  const auto& download = answers.back().second;
  ASSERT_EQ(download.status, 200) << download.Describe();
  EXPECT_TRUE(download.Header("content-disposition").value_or("").starts_with("attachment")) << download.Describe();
  EXPECT_NE(download.Header("content-security-policy").value_or("").find("sandbox"), std::string::npos)
      << download.Describe();
}

// API9: paths nobody documented are a JSON 404 (the route table is the whole API, and
// docs/openapi.yaml is held to it by the ctest openapi_matches_sources); nginx's internal
// locations cannot be reached from outside.
TEST_F(OwaspHardening, Api9UndocumentedPathsAreJson404) {
  const auto user = RegisterUser("owasp-inventory");
  for (const char* path : {"/admin", "/admin/users/x", "/admin/users/x/plan/extra", "/api/v0/add", "/api/v1/upload",
                           "/v2/upload", "/debug", "/internal", "/.env", "/.git/config", "/server-status",
                           "/nginx_status", "/_content/aa/bafkreiaaaaaaaaaaaaaaaaaaaaaaa", "/_filebase/x",
                           "/ipfs/bafkreifzjut3te2nhyekklss27nh3k72ysco7y32koao5eei66wof36n5e", "/swagger.json",
                           "/openapi.yaml", "/files/", "/tasks/"}) {
    SCOPED_TRACE(path);
    for (const auto& method : {"GET", "POST"}) {
      const auto response = Client().Request(method, path, {{"X-API-Key", user.api_key}});
      if (std::string(path) == "/files/" || std::string(path) == "/tasks/") {
        // a trailing slash names the route itself (router): GET is the listing, POST not allowed
        EXPECT_TRUE(response.status == 200 || response.status == 405) << response.Describe();
        continue;
      }
      ExpectErrorEnvelope(response, 404, "not_found");
      ExpectNoInternals(response);
    }
  }
  // methods nobody routes: a JSON 405 naming the allowed ones, or nginx's JSON 405
  for (const auto& method : {"TRACE", "OPTIONS", "PATCH"}) {
    const auto response = Client().Request(method, "/health");
    EXPECT_EQ(response.status, 405) << method << ": " << response.Describe();
    EXPECT_TRUE(response.Header("content-type").value_or("").starts_with("application/json")) << response.Describe();
  }
}

}  // namespace
}  // namespace gw::e2e
