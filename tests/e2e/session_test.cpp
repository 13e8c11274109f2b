// Browser sessions through nginx (docs/api.md, "Sessions (browser sign-in)"): POST /session sets
// the __Host- cookie with exactly the contract's attributes, the cookie authenticates every
// keyed route with the CSRF rules, and sign-out, renewal, revocation, expiry and idleness end it.
// Expiry is reached by moving the session's times in the database, not by waiting.
#include <regex>

#include "content_support.hpp"
#include "e2e_support.hpp"

namespace gw::e2e {
namespace {

const std::regex kSetCookie(
    "__Host-gw_session=([A-Za-z0-9_-]{43}); Path=/; Secure; HttpOnly; SameSite=Strict; Max-Age=([0-9]+)");
constexpr const char* kCleared = "__Host-gw_session=; Path=/; Secure; HttpOnly; SameSite=Strict; Max-Age=0";

struct Browser {
  std::string token;
  std::string csrf;
  HeaderList Cookie() const { return {{"Cookie", "__Host-gw_session=" + token}}; }
  HeaderList CookieAndCsrf() const { return {{"Cookie", "__Host-gw_session=" + token}, {"X-CSRF-Token", csrf}}; }
};

class Session : public E2eTest {
 protected:
  HttpResponse SignIn(const nlohmann::json& body) { return Client().PostJson("/session", body); }

  /// Signs in (by password, or by key when `by_key`) and returns the cookie and CSRF token.
  Browser SignedIn(const Account& user, bool by_key = false) {
    const auto response = SignIn(by_key ? nlohmann::json{{"api_key", user.api_key}}
                                        : nlohmann::json{{"email", user.email}, {"password", user.password}});
    ExpectSuccessEnvelope(response, 201);
    std::smatch match;
    const std::string cookie = response.Header("set-cookie").value_or("");
    EXPECT_TRUE(std::regex_match(cookie, match, kSetCookie)) << response.Describe();
    return Browser{match.size() > 1 ? match[1].str() : "", response.Json()["data"].value("csrf_token", "")};
  }

  HttpResponse GetSession(const Browser& browser) { return Client().Request("GET", "/session", browser.Cookie()); }

  HttpResponse StatusBy(const HeaderList& headers) { return Client().Request("POST", "/status", headers); }

  /// Runs one UPDATE on the stack's database (GW_TEST_APP_DATABASE_URL, through psql) about
  /// the account `email` ($1 in `where`), and asserts it changed a row.
  void Update(const std::string& set, const std::string& where, const std::string& email) {
    const std::string dsn = GetEnvOrEmpty("GW_TEST_APP_DATABASE_URL");
    ASSERT_TRUE(Require(dsn, "GW_TEST_APP_DATABASE_URL"));
    std::string condition = where;
    condition.replace(condition.find("$1"), 2, SqlLiteral(email));
    const auto changed = PsqlValue(dsn, "WITH done AS (UPDATE sessions SET " + set + " WHERE " + condition +
                                            " RETURNING 1) SELECT count(*) FROM done");
    ASSERT_NE(changed, "0") << set << " WHERE " << condition;
  }

  /// The audit rows of `action` about `email`.
  nlohmann::json AuditRows(const std::string& email, const std::string& action) {
    const auto audit = AdminGet("/audit?user=" + HttpsClient::Escape(email) + "&action=" + action + "&limit=100");
    ExpectSuccessEnvelope(audit, 200);
    return audit.Json()["data"];
  }
};

TEST_F(Session, PasswordSignInSetsTheHostCookieWithExactlyTheContractsAttributes) {
  const auto user = RegisterUser("session-pw");
  const auto response = SignIn({{"email", user.email}, {"password", user.password}});
  ExpectSuccessEnvelope(response, 201);
  ASSERT_EQ(response.Headers("set-cookie").size(), 1u) << response.Describe();
  const std::string cookie = *response.Header("set-cookie");
  std::smatch match;
  ASSERT_TRUE(std::regex_match(cookie, match, kSetCookie)) << cookie;
  EXPECT_EQ(match[2].str(), "28800") << "GW_SESSION_TTL_SECONDS' default";
  const auto data = response.Json()["data"];
  EXPECT_EQ(data.value("email", ""), user.email);
  EXPECT_EQ(data.value("is_admin", true), false);
  EXPECT_EQ(data.value("state", ""), "active");
  EXPECT_TRUE(std::regex_match(data.value("expires_at", ""), std::regex(R"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z)")))
      << data.dump();
  EXPECT_TRUE(std::regex_match(data.value("csrf_token", ""), std::regex("[0-9a-f]{64}"))) << data.dump();
  EXPECT_EQ(response.body.find(match[1].str()), std::string::npos) << "the token is in the cookie only";

  // GET /session answers the same data (a reloaded page recovers its CSRF token there)
  const Browser browser{match[1].str(), data.value("csrf_token", "")};
  const auto current = GetSession(browser);
  ExpectSuccessEnvelope(current, 200);
  EXPECT_EQ(current.Json()["data"], data);
  EXPECT_FALSE(current.Header("set-cookie").has_value());

  const auto rows = AuditRows(user.email, "sign_in");
  ASSERT_EQ(rows.size(), 1u) << rows.dump();
  EXPECT_EQ(rows[0]["details"].value("method", ""), "password") << rows.dump();
  EXPECT_EQ(rows[0].value("request_id", ""), response.Header("x-request-id").value_or("?"));
}

TEST_F(Session, KeySignInAndTheRefusals) {
  const auto user = RegisterUser("session-key");
  const auto browser = SignedIn(user, /*by_key=*/true);
  ExpectSuccessEnvelope(GetSession(browser), 200);
  const auto rows = AuditRows(user.email, "sign_in");
  ASSERT_EQ(rows.size(), 1u) << rows.dump();
  EXPECT_EQ(rows[0]["details"].value("method", ""), "api_key");

  ExpectErrorEnvelope(SignIn({{"email", user.email}, {"password", user.password + "x"}}), 401, "invalid_credentials");
  ExpectErrorEnvelope(SignIn({{"email", RandomEmail("nobody")}, {"password", user.password}}), 401,
                      "invalid_credentials");
  ExpectErrorEnvelope(SignIn({{"api_key", "ipfs_gw_" + std::string(43, 'A')}}), 401, "invalid_api_key");
  // exactly one way to sign in
  for (const auto& body :
       {nlohmann::json::object(), nlohmann::json{{"email", user.email}}, nlohmann::json{{"password", user.password}},
        nlohmann::json{{"email", user.email}, {"password", user.password}, {"api_key", user.api_key}}}) {
    auto client = NewClient();  // the per-address budget of POST /session is 10 a minute
    const auto refused = client->PostJson("/session", body);
    ExpectErrorEnvelope(refused, 422, "validation_failed");
    EXPECT_FALSE(refused.Header("set-cookie").has_value()) << body.dump();
  }
}

TEST_F(Session, TheCookieAuthenticatesStatusFilesAndUpload) {
  const auto user = RegisterUser("session-use");
  const auto browser = SignedIn(user);
  const auto status = StatusBy(browser.CookieAndCsrf());
  ExpectSuccessEnvelope(status, 200);
  EXPECT_EQ(status.Json()["data"].value("email", ""), user.email);

  auto headers = browser.CookieAndCsrf();
  headers.emplace_back("Content-Type", "application/octet-stream");
  const std::string bytes = "uploaded with a session cookie " + RandomHex(16);
  const auto upload = Client().Request("POST", "/upload?filename=cookie.txt", headers, bytes);
  ExpectSuccessEnvelope(upload, 201);
  const std::string cid = upload.Json()["data"].value("cid", "");
  ASSERT_FALSE(cid.empty()) << upload.Describe();

  const auto files = Client().Request("GET", "/files", browser.Cookie());  // GET: no CSRF token needed
  ExpectSuccessEnvelope(files, 200);
  ASSERT_EQ(files.Json()["data"].size(), 1u) << files.Describe();
  EXPECT_EQ(files.Json()["data"][0].value("cid", ""), cid);
  // the session's requests are the user's: the key sees the file too
  const auto by_key = Client().Request("GET", "/files", {{"X-API-Key", user.api_key}});
  EXPECT_EQ(by_key.Json()["data"], files.Json()["data"]);
}

TEST_F(Session, ChangesWithoutTheCsrfTokenOrFromAnotherOriginAreRefused) {
  const auto user = RegisterUser("session-csrf");
  const auto browser = SignedIn(user);
  // a cross-site form post: the cookie without X-CSRF-Token
  const auto cross_site = StatusBy(browser.Cookie());
  ExpectErrorEnvelope(cross_site, 403, "csrf_failed");
  EXPECT_EQ(cross_site.Json().value("message", ""), "Missing or wrong CSRF token");
  auto wrong = browser.Cookie();
  wrong.emplace_back("X-CSRF-Token", std::string(64, '0'));
  ExpectErrorEnvelope(StatusBy(wrong), 403, "csrf_failed");
  auto evil = browser.CookieAndCsrf();
  evil.emplace_back("Origin", "https://evil.example");
  ExpectErrorEnvelope(StatusBy(evil), 403, "csrf_failed");
  auto plain_http = browser.CookieAndCsrf();
  plain_http.emplace_back("Origin", "http://" + env_.base_url.substr(std::string("https://").size()));
  ExpectErrorEnvelope(StatusBy(plain_http), 403, "csrf_failed");
  auto own = browser.CookieAndCsrf();
  own.emplace_back("Origin", env_.base_url);
  ExpectSuccessEnvelope(StatusBy(own), 200);
  // sign-out is a change too; refused, the session lives on
  ExpectErrorEnvelope(Client().Request("DELETE", "/session", browser.Cookie()), 403, "csrf_failed");
  ExpectSuccessEnvelope(GetSession(browser), 200);
}

TEST_F(Session, TheHeaderKeyWinsOverTheCookie) {
  const auto alice = RegisterUser("session-alice");
  const auto bob = RegisterUser("session-bob");
  const auto browser = SignedIn(alice);
  auto headers = browser.Cookie();
  headers.emplace_back("X-API-Key", bob.api_key);
  const auto status = StatusBy(headers);  // no CSRF token needed: the key authenticates
  ExpectSuccessEnvelope(status, 200);
  EXPECT_EQ(status.Json()["data"].value("email", ""), bob.email);
  auto bad_key = browser.CookieAndCsrf();
  bad_key.emplace_back("X-API-Key", "not a key");
  ExpectErrorEnvelope(StatusBy(bad_key), 401, "invalid_api_key");
  // GET /session is about the cookie: a key alone is not a session
  ExpectErrorEnvelope(Client().Request("GET", "/session", {{"X-API-Key", alice.api_key}}), 401, "missing_api_key");
  ExpectErrorEnvelope(Client().Request("GET", "/session"), 401, "missing_api_key");
  ExpectErrorEnvelope(Client().Request("GET", "/session", {{"Cookie", "__Host-gw_session=" + std::string(43, 'A')}}),
                      401, "session_expired");
  ExpectErrorEnvelope(Client().Request("GET", "/session", {{"Cookie", "__Host-gw_session=garbage"}}), 401,
                      "session_expired");
}

TEST_F(Session, SignOutEndsTheSessionAndDropsTheCookie) {
  const auto user = RegisterUser("session-out");
  const auto browser = SignedIn(user);
  const auto out = Client().Request("DELETE", "/session", browser.CookieAndCsrf());
  ExpectSuccessEnvelope(out, 200);
  EXPECT_EQ(out.Json()["data"], (nlohmann::json{{"signed_out", true}}));
  EXPECT_EQ(out.Header("set-cookie").value_or(""), kCleared);
  ExpectErrorEnvelope(GetSession(browser), 401, "session_expired");
  ExpectErrorEnvelope(StatusBy(browser.CookieAndCsrf()), 401, "session_expired");
  ExpectErrorEnvelope(Client().Request("DELETE", "/session", browser.CookieAndCsrf()), 401, "session_expired");
  EXPECT_EQ(AuditRows(user.email, "sign_out").size(), 1u);
  ExpectSuccessEnvelope(Status(user.api_key), 200);  // the key is untouched
}

TEST_F(Session, RenewingTheKeyEndsItsSessions) {
  const auto user = RegisterUser("session-renew");
  const auto by_password = SignedIn(user);
  const auto by_key = SignedIn(user, true);
  const auto renewed = Client().PostJson("/renew", {{"email", user.email}, {"password", user.password}});
  ExpectSuccessEnvelope(renewed, 200);
  for (const auto* browser : {&by_password, &by_key}) {
    ExpectErrorEnvelope(GetSession(*browser), 401, "session_expired");
    ExpectErrorEnvelope(StatusBy(browser->CookieAndCsrf()), 401, "session_expired");
  }
  // the app signs in again with the new key
  Account fresh = user;
  fresh.api_key = renewed.Json()["data"].value("api_key", "");
  ExpectSuccessEnvelope(GetSession(SignedIn(fresh, true)), 200);
}

TEST_F(Session, ARevokedAccountsSessionSaysSo) {
  const auto user = RegisterUser("session-revoked");
  const auto browser = SignedIn(user);
  ExpectSuccessEnvelope(AdminPost("/revoke", {{"email", user.email}}), 200);
  ExpectErrorEnvelope(GetSession(browser), 401, "api_key_revoked");
  ExpectErrorEnvelope(StatusBy(browser.CookieAndCsrf()), 401, "api_key_revoked");
  ExpectErrorEnvelope(SignIn({{"email", user.email}, {"password", user.password}}), 403, "account_revoked");
  ExpectErrorEnvelope(SignIn({{"api_key", user.api_key}}), 401, "api_key_revoked");
  // reactivation does not bring the ended session back
  ExpectSuccessEnvelope(AdminPost("/reactivate", {{"email", user.email}}), 200);
  ExpectErrorEnvelope(GetSession(browser), 401, "session_expired");
}

TEST_F(Session, ExpiredAndIdleSessionsEnd) {
  const auto user = RegisterUser("session-expiry");
  const auto expired = SignedIn(user);
  const auto idle = SignedIn(user, true);
  // (expires_at must stay after created_at: migrations/V005__sessions.sql)
  Update("created_at = now() - interval '9 hours', expires_at = now() - interval '1 second'",
         "id = (SELECT min(s.id) FROM sessions s JOIN users u ON u.id = s.user_id WHERE u.email = $1)", user.email);
  ExpectErrorEnvelope(GetSession(expired), 401, "session_expired");
  ExpectSuccessEnvelope(GetSession(idle), 200);
  Update("last_seen_at = now() - interval '31 minutes'",
         "ended_at IS NULL AND expires_at > now() AND user_id = (SELECT id FROM users WHERE email = $1)", user.email);
  ExpectErrorEnvelope(GetSession(idle), 401, "session_expired");
  ExpectErrorEnvelope(Client().Request("GET", "/files", idle.Cookie()), 401, "session_expired");
}

}  // namespace
}  // namespace gw::e2e
