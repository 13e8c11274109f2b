// The hostile-input corpus (issue #12): SQL, shell, path traversal (raw, percent- and
// double-encoded), CRLF, overlong UTF-8, NUL, NFC/NFD pairs, huge numbers and very long strings,
// sent into every string field of every JSON body, every path and query parameter, the upload
// filename (multipart part and ?filename=) and the request headers of every route of
// fcgi/http/routes.cpp. Whatever arrives, the answer is 2xx or 4xx, never 5xx, never HTML, and
// every 4xx is the JSON error envelope with its request id; what a write accepted is in the
// database exactly as accepted (or as the documented sanitiser made it).
//
// Payloads go in both as a client would send them (percent-encoded by HttpsClient::Escape in
// URIs) and verbatim (raw_tls_client.hpp) where a request line can carry them: bytes a request
// line cannot hold (space, CR, LF, NUL) only go percent-encoded, since raw they would end the
// request line (nginx reads "GET /x\r\n" as an HTTP/0.9 request, which has no status line).
#include <string>
#include <utility>
#include <vector>

#include "raw_tls_client.hpp"
#include "task_support.hpp"
#include "test_sha256.hpp"

namespace gw::e2e {
namespace {

struct Payload {
  std::string name;
  std::string bytes;
};

std::string Repeat(const std::string& unit, std::size_t times) {
  std::string out;
  for (std::size_t i = 0; i < times; ++i) out += unit;
  return out;
}

const std::vector<Payload>& Payloads() {
  static const std::vector<Payload> payloads{
      {"sql-or", "' OR 1=1 --"},
      {"sql-drop", "'; DROP TABLE users; --"},
      {"shell-subst", "$(id)"},
      {"shell-backtick", "`id`"},
      {"shell-semicolon", ";id"},
      {"traversal", "../../../etc/passwd"},
      {"traversal-encoded", "..%2F..%2F..%2Fetc%2Fpasswd"},
      {"traversal-double-encoded", "%252e%252e%252f%252e%252e%252fetc%252fpasswd"},
      {"crlf-encoded", "%0d%0aX-Evil: 1"},
      {"crlf-raw", "a\r\nX-Evil: 1"},
      {"overlong-encoded", "%c0%af"},
      {"overlong-raw", "\xc0\xaf"},
      {"invalid-utf8", "\xff\xfe\xed\xa0\x80"},
      {"nul-encoded", "%00"},
      {"nul-raw", std::string("a\0b", 3)},
      {"nfc", "caf\xc3\xa9"},
      {"nfd", "cafe\xcc\x81"},
      {"huge-number", "99999999999999999999999"},
      {"minus-one", "-1"},
      {"float-huge", "1e308"},
      {"long", std::string(20000, 'A')},
      {"long-utf8", Repeat("\xc3\xa9", 3000)},
      {"bidi-override",
       "txt.\xe2\x80\xae"
       "exe"},
  };
  return payloads;
}

/// Bytes a header value or raw request line can carry as they are.
bool RequestLineSafe(const std::string& s) {
  for (const char c : s) {
    const auto u = static_cast<unsigned char>(c);
    if (u <= 0x20 || u == 0x7f) return false;
  }
  return true;
}
bool HeaderSafe(const std::string& s) {
  for (const char c : s) {
    const auto u = static_cast<unsigned char>(c);
    if (u == '\r' || u == '\n' || u == 0) return false;
  }
  return true;
}

bool ValidUtf8(const std::string& s) {
  std::size_t i = 0;
  while (i < s.size()) {
    const auto c = static_cast<unsigned char>(s[i]);
    std::size_t extra = 0;
    unsigned min = 0;
    if (c < 0x80) {
      ++i;
      continue;
    }
    if ((c & 0xe0) == 0xc0) {
      extra = 1;
      min = 0x80;
    } else if ((c & 0xf0) == 0xe0) {
      extra = 2;
      min = 0x800;
    } else if ((c & 0xf8) == 0xf0) {
      extra = 3;
      min = 0x10000;
    } else {
      return false;
    }
    if (i + extra >= s.size()) return false;
    unsigned code = c & (0x3fU >> extra);
    for (std::size_t k = 1; k <= extra; ++k) {
      const auto next = static_cast<unsigned char>(s[i + k]);
      if ((next & 0xc0) != 0x80) return false;
      code = (code << 6) | (next & 0x3fU);
    }
    if (code < min || code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff)) return false;
    i += extra + 1;
  }
  return true;
}

std::string Hex(const std::string& bytes) { return LowerHex(bytes.data(), bytes.size()); }

/// A JSON string literal holding exactly `bytes`: quotes, backslashes and control characters
/// escaped, every other byte (also invalid UTF-8) as it is.
std::string JsonString(const std::string& bytes) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out = "\"";
  for (const char c : bytes) {
    const auto u = static_cast<unsigned char>(c);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (u < 0x20) {
      out += "\\u00";
      out += kHex[u >> 4];
      out += kHex[u & 15];
    } else {
      out += c;
    }
  }
  return out + "\"";
}

class HostileInput : public ContentTest {
 protected:
  void SetUp() override {
    ContentTest::SetUp();
    database_url_ = GetEnvOrEmpty("GW_TEST_APP_DATABASE_URL");  // the app's role, schema and search_path
    ASSERT_TRUE(Require(database_url_, "GW_TEST_APP_DATABASE_URL"));
    owner_ = RegisterUser("hostile-owner");
    other_ = RegisterUser("hostile-other");
    // unlimited, so that a few thousand requests reach the handlers instead of a 429
    for (const auto* user : {&owner_, &other_}) {
      const auto set = AdminSetPlan(
          user->email,
          {{"plan", "free"}, {"overrides", {{"requests_per_minute", 0}, {"burst", 0}, {"upload_bytes_per_day", 0}}}});
      ASSERT_EQ(set.status, 200) << set.Describe();
    }
    cid_ = Store(owner_, "hostile corpus file\n", "corpus.txt");
    ASSERT_FALSE(cid_.empty());
  }

  /// 2xx or 4xx, never 5xx or HTML; a 4xx is the JSON envelope whose request id is X-Request-Id.
  void ExpectHandled(const HttpResponse& response, const std::string& what) {
    ++checked_;
    const bool ok = response.status >= 200 && response.status < 300;
    const bool refused = response.status >= 400 && response.status < 500;
    EXPECT_TRUE(ok || refused) << what << ": " << response.Describe();
    EXPECT_EQ(response.body.find("<html"), std::string::npos) << what << ": " << response.Describe();
    if (!refused) return;
    EXPECT_TRUE(response.Header("content-type").value_or("").starts_with("application/json"))
        << what << ": " << response.Describe();
    const auto json = response.Json();
    ASSERT_TRUE(json.is_object() && json.contains("error") && json["error"].is_object())
        << what << ": " << response.Describe();
    EXPECT_EQ(json.value("status", 0), response.status) << what;
    EXPECT_TRUE(json["error"].contains("code") && json["error"]["code"].is_string() &&
                !json["error"]["code"].get<std::string>().empty())
        << what << ": " << response.Describe();
    ASSERT_TRUE(json["error"].contains("request_id") && json["error"]["request_id"].is_string())
        << what << ": " << response.Describe();
    EXPECT_EQ(response.Header("x-request-id").value_or(""), json["error"]["request_id"].get<std::string>())
        << what << ": " << response.Describe();
  }

  /// method + target verbatim over HTTP/1.1 with the owner's key (or `key`) and an optional body.
  HttpResponse Raw(const std::string& method, const std::string& target, const std::string& key,
                   const std::string& body = {}, const std::string& content_type = "application/json") {
    std::string request = method + " " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n" +
                          "X-Forwarded-For: " + RandomTestAddress() + "\r\n";
    if (!key.empty()) request += "X-API-Key: " + key + "\r\n";
    if (method != "GET" && method != "HEAD") {
      if (!body.empty()) request += "Content-Type: " + content_type + "\r\n";
      request += "Content-Length: " + std::to_string(body.size()) + "\r\n";
    }
    return RawHttp1(env_.base_url, env_.ca_file, request + "\r\n" + body);
  }

  HttpResponse Send(const std::string& method, const std::string& path, const std::string& key,
                    const std::optional<std::string>& json_body = std::nullopt, HeaderList headers = {}) {
    if (!key.empty()) headers.emplace_back("X-API-Key", key);
    headers.emplace_back("X-Forwarded-For", RandomTestAddress());
    if (json_body) headers.emplace_back("Content-Type", "application/json");
    return Client().Request(method, path, headers, json_body);
  }

  std::string Db(const std::string& sql) { return PsqlValue(database_url_, sql); }

  std::string database_url_;
  Account owner_;
  Account other_;
  std::string cid_;
  int checked_ = 0;
};

/// Every route of fcgi/http/routes.cpp with its parameters filled from `fill` (path parameters)
/// and the key it needs.
struct Route {
  std::string method;
  std::string path;  // with {param} placeholders
  bool admin = false;
  bool key = true;
};

const std::vector<Route>& Routes() {
  static const std::vector<Route> routes{
      {"GET", "/health", false, false},
      {"GET", "/health/ready", false, false},
      {"POST", "/register", false, false},
      {"POST", "/renew", false, false},
      {"POST", "/status"},
      {"POST", "/revoke", true},
      {"POST", "/reactivate", true},
      {"GET", "/audit", true},
      {"GET", "/admin/plans", true},
      {"PUT", "/admin/users/{email}/plan", true},
      {"POST", "/upload"},
      {"GET", "/retrieve/{cid}"},
      {"GET", "/files"},
      {"DELETE", "/files/{cid}"},
      {"POST", "/pin/{cid}"},
      {"POST", "/unpin/{cid}"},
      {"GET", "/usage"},
      {"GET", "/usage/daily"},
      {"GET", "/admin/users", true},
      {"GET", "/tasks"},
      {"GET", "/tasks/{id}/status"},
      {"GET", "/metrics", false, false},
      {"POST", "/session", false, false},
      {"GET", "/session"},
      {"DELETE", "/session"},
  };
  return routes;
}

std::string Fill(std::string path, const std::string& value) {
  for (const std::string param : {"{email}", "{cid}", "{id}"}) {
    if (const auto at = path.find(param); at != std::string::npos) path.replace(at, param.size(), value);
  }
  return path;
}

TEST_F(HostileInput, EveryStringFieldOfEveryJsonBody) {
  struct Body {
    std::string method;
    std::string path;
    bool admin;
    std::vector<std::string> fields;  // the body's string fields
    nlohmann::json valid;             // a valid body the payload goes into
  };
  const auto plan_user = RegisterUser("hostile-plan");
  const std::vector<Body> bodies{
      {"POST", "/register", false, {"email", "password"}, {{"email", ""}, {"password", "long enough password"}}},
      {"POST",
       "/renew",
       false,
       {"email", "password"},
       {{"email", owner_.email}, {"password", "wrong but long enough"}}},
      {"POST", "/status", false, {"email"}, {{"email", owner_.email}}},
      {"POST", "/status", true, {"email"}, {{"email", owner_.email}}},
      {"POST", "/revoke", true, {"email"}, {{"email", ""}}},
      {"POST", "/reactivate", true, {"email"}, {{"email", ""}}},
      {"PUT", "/admin/users/" + HttpsClient::Escape(plan_user.email) + "/plan", true, {"plan"}, {{"plan", "free"}}},
  };
  for (const auto& body : bodies) {
    for (const auto& field : body.fields) {
      for (const auto& payload : Payloads()) {
        for (const bool as_email : {false, true}) {
          if (as_email && field != "email") continue;
          // as_email: the payload inside an address the validator may take ("<hex><payload>@example.com")
          const std::string value = as_email ? "e2e-" + RandomHex(8) + payload.bytes + "@example.com" : payload.bytes;
          std::string text = "{";
          bool first = true;
          for (const auto& [key, valid] : body.valid.items()) {
            if (!first) text += ",";
            first = false;
            text += JsonString(key) + ":" + (key == field ? JsonString(value) : valid.dump());
          }
          text += "}";
          const std::string what =
              body.method + " " + body.path + " " + field + "=" + payload.name + (as_email ? " (in an address)" : "");
          const auto response = Send(body.method, body.path, body.admin ? env_.admin_key : owner_.api_key, text);
          ExpectHandled(response, what);
          if (body.path == "/register" && response.status == 201) {
            // stored as accepted: the email lower-cased and trimmed, the password usable as sent
            const std::string stored = response.Json()["data"].value("email", "");
            EXPECT_EQ(
                Db("SELECT encode(convert_to(email,'UTF8'),'hex') FROM users WHERE email = " + SqlLiteral(stored)),
                Hex(stored))
                << what;
            const auto renew =
                Send("POST", "/renew", "", nlohmann::json({{"email", stored}, {"password", "x"}}).dump());
            ExpectHandled(renew, what + " then /renew");
            if (field == "password") {
              std::string renew_body = "{\"email\":" + JsonString(stored) + ",\"password\":" + JsonString(value) + "}";
              const auto renewed = Send("POST", "/renew", "", renew_body);
              EXPECT_EQ(renewed.status, 200) << what << ": the password as sent logs in: " << renewed.Describe();
            }
          }
        }
      }
    }
  }
  // the integer overrides of a plan change get the huge and odd numbers as JSON numbers
  for (const std::string field : {"requests_per_minute", "burst", "upload_bytes_per_day"}) {
    for (const std::string number : {"99999999999999999999999", "-1", "1e308", "-0", "1.5", "9223372036854775807",
                                     "9223372036854775808", "-9223372036854775809"}) {
      const std::string text = R"({"plan":"free","overrides":{")" + field + "\":" + number + "}}";
      const auto response =
          Send("PUT", "/admin/users/" + HttpsClient::Escape(plan_user.email) + "/plan", env_.admin_key, text);
      ExpectHandled(response, "overrides." + field + "=" + number);
      if (response.status == 200) {
        const auto stored = Db("SELECT coalesce(" + field +
                               "_override::text, 'null') FROM users WHERE email = " + SqlLiteral(plan_user.email));
        EXPECT_EQ(stored, response.Json()["data"]["overrides"].value(field, nlohmann::json()).dump())
            << "overrides." << field << "=" << number;
      }
    }
  }
  EXPECT_GT(checked_, 300);
}

TEST_F(HostileInput, EveryPathParameter) {
  for (const auto& route : Routes()) {
    if (route.path.find('{') == std::string::npos) continue;
    const std::string key = route.admin ? env_.admin_key : owner_.api_key;
    const std::string body = route.method == "PUT" ? R"({"plan":"free"})" : "";
    for (const auto& payload : Payloads()) {
      const std::string what = route.method + " " + route.path + " <- " + payload.name;
      const auto encoded = Send(route.method, Fill(route.path, HttpsClient::Escape(payload.bytes)), key,
                                body.empty() ? std::nullopt : std::optional<std::string>(body));
      ExpectHandled(encoded, what + " (percent-encoded)");
      if (RequestLineSafe(payload.bytes)) {
        ExpectHandled(Raw(route.method, Fill(route.path, payload.bytes), key, body), what + " (verbatim)");
      }
    }
  }
  // the owner's file is still there, and still the owner's only
  EXPECT_EQ(Retrieve(owner_, cid_).status, 200);
  EXPECT_EQ(Retrieve(other_, cid_).status, 404);
  EXPECT_GT(checked_, 150);
}

TEST_F(HostileInput, EveryQueryParameter) {
  struct Query {
    std::string path;
    bool admin;
    std::vector<std::string> parameters;
  };
  const std::vector<Query> queries{
      {"/files", false, {"page", "limit", "cid", "name", "pinned"}},
      {"/audit", true, {"user", "action", "since", "until", "page", "limit"}},
      {"/tasks", false, {"state", "page", "limit"}},
      {"/usage", false, {"since"}},
      {"/usage/daily", false, {"days"}},
      {"/admin/users", true, {"q", "state", "page", "limit"}},
      {"/retrieve/" + cid_, false, {"filename"}},
  };
  for (const auto& query : queries) {
    const std::string key = query.admin ? env_.admin_key : owner_.api_key;
    for (const auto& parameter : query.parameters) {
      for (const auto& payload : Payloads()) {
        const std::string what = query.path + "?" + parameter + "=" + payload.name;
        ExpectHandled(Send("GET", query.path + "?" + parameter + "=" + HttpsClient::Escape(payload.bytes), key),
                      what + " (percent-encoded)");
        if (RequestLineSafe(payload.bytes)) {
          ExpectHandled(Raw("GET", query.path + "?" + parameter + "=" + payload.bytes, key), what + " (verbatim)");
        }
      }
    }
  }
  EXPECT_GT(checked_, 500);
}

TEST_F(HostileInput, UploadFilenamesAreStoredAsSentOrAsTheSanitiserMadeThem) {
  const std::string bytes = "hostile filename corpus " + RandomHex(8) + "\n";
  for (const auto& payload : Payloads()) {
    for (const bool multipart : {false, true}) {
      const std::string what = std::string(multipart ? "multipart filename=" : "?filename=") + payload.name;
      HttpResponse response;
      if (multipart) {
        // the name goes into the part's header as sent; a CR/LF in it breaks the part's framing
        response = UploadMultipart(owner_, bytes, "; filename=\"" + payload.bytes + "\"");
      } else {
        response = UploadRaw(owner_, bytes, payload.bytes);
      }
      ExpectHandled(response, what);
      if (response.status != 201) continue;
      const auto data = response.Json()["data"];
      const std::string original = data.value("original_filename", "");
      const std::string safe = data.value("filename", "");
      const std::string row =
          Db("SELECT encode(convert_to(f.original_filename,'UTF8'),'hex') || ' ' || "
             "encode(convert_to(f.safe_filename,'UTF8'),'hex') FROM files f JOIN users u ON u.id = f.user_id "
             "WHERE u.email = " +
             SqlLiteral(owner_.email) + " AND f.cid = " + SqlLiteral(data.value("cid", "")));
      // the database holds what the response reported
      EXPECT_EQ(row, Hex(original) + " " + Hex(safe)) << what;
      // ... which is the name as sent whenever it is storable text (valid UTF-8, no NUL, at most
      // 1024 bytes: docs/api.md); otherwise the sanitised text
      const bool storable =
          ValidUtf8(payload.bytes) && payload.bytes.find('\0') == std::string::npos && payload.bytes.size() <= 1024;
      // a part's quoted filename carries any byte but '"', '\\', CR and LF as it is
      const bool quotable = payload.bytes.find_first_of("\"\\\r\n") == std::string::npos;
      if (storable && (!multipart || quotable)) {
        EXPECT_EQ(Hex(original), Hex(payload.bytes)) << what;
      }
      if (!storable) {
        EXPECT_TRUE(ValidUtf8(original)) << what;
      }
      // the safe name has no path, no control characters, no bidi override, at most 255 bytes
      EXPECT_EQ(safe.find('/'), std::string::npos) << what << ": " << safe;
      EXPECT_EQ(safe.find('\\'), std::string::npos) << what << ": " << safe;
      EXPECT_EQ(safe.find("\xe2\x80\xae"), std::string::npos) << what << ": " << safe;
      EXPECT_LE(safe.size(), 255u) << what;
      for (const char c : safe) EXPECT_GE(static_cast<unsigned char>(c), 0x20) << what << ": " << Hex(safe);
      EXPECT_TRUE(safe != "." && safe != ".." && !safe.empty()) << what;
    }
  }
  EXPECT_GT(checked_, 40);
}

TEST_F(HostileInput, EveryHeaderOfEveryRoute) {
  // the Range corpus on a real file (first: DELETE /files/{cid} below removes it): "bytes=" +
  // payload, past the end, reversed, too many
  for (const auto& payload : Payloads()) {
    if (!HeaderSafe(payload.bytes)) continue;
    ExpectHandled(Retrieve(owner_, cid_, {{"Range", "bytes=" + payload.bytes}}), "Range: bytes=" + payload.name);
    ExpectHandled(Retrieve(owner_, cid_, {{"Range", "bytes=0-" + payload.bytes}}), "Range: bytes=0-" + payload.name);
  }
  for (const std::string range : {"bytes=999999-", "bytes=5-1", "bytes=-0", "bytes=0-0,1-1,2-2,3-3,4-4,5-5,6-6",
                                  "bytes=18446744073709551616-", "bytes=--1", "bytes=0-1,0-1,0-1"}) {
    ExpectHandled(Retrieve(owner_, cid_, {{"Range", range}}), "Range: " + range);
  }
  for (const auto& route : Routes()) {
    const std::string key = !route.key ? "" : route.admin ? env_.admin_key : owner_.api_key;
    const std::string path =
        Fill(route.path, route.path.find("{email}") != std::string::npos ? HttpsClient::Escape(other_.email)
                         : route.path.find("{id}") != std::string::npos  ? "00000000-0000-0000-0000-000000000000"
                                                                         : cid_);
    const bool has_body = route.method == "POST" || route.method == "PUT";
    std::optional<std::string> body;
    if (route.path == "/register" || route.path == "/renew") {
      body = nlohmann::json({{"email", RandomEmail("hostile-hdr")}, {"password", "long enough password"}}).dump();
    } else if (route.path == "/revoke" || route.path == "/reactivate") {
      body = nlohmann::json({{"email", "nobody-" + RandomHex(8) + "@example.com"}}).dump();
    } else if (route.method == "PUT") {
      body = R"({"plan":"free"})";
    } else if (route.path == "/upload") {
      body = "hostile header corpus\n";
    } else if (has_body) {
      body = "{}";
    }
    for (const auto& payload : Payloads()) {
      if (!HeaderSafe(payload.bytes)) continue;
      for (const std::string header :
           {"X-API-Key", "Range", "Content-Type", "X-Forwarded-For", "Origin", "X-Request-Id", "If-None-Match"}) {
        HeaderList headers{{header, payload.bytes}};
        if (header != "X-API-Key" && !key.empty()) headers.emplace_back("X-API-Key", key);
        if (header != "X-Forwarded-For") headers.emplace_back("X-Forwarded-For", RandomTestAddress());
        if (header != "Content-Type" && body) {
          headers.emplace_back("Content-Type",
                               route.path == "/upload" ? "application/octet-stream" : "application/json");
        }
        std::string target = path;
        if (route.path == "/upload") target += "?filename=h.txt";
        const auto response = Client().Request(route.method, target, headers, body);
        ExpectHandled(response, route.method + " " + route.path + " " + header + ": " + payload.name);
        if (header == "X-Request-Id" && response.Header("x-request-id")) {
          // an id is echoed only when it is a plain token (nginx's map), never as sent otherwise
          const auto echoed = *response.Header("x-request-id");
          EXPECT_TRUE(echoed == payload.bytes || echoed.find_first_not_of("0123456789abcdef") == std::string::npos)
              << echoed;
        }
      }
    }
  }
  EXPECT_GT(checked_, 1000);
}

}  // namespace
}  // namespace gw::e2e
