// Browser sessions: the domain rules (domain/sessions.cpp over fake ports), the cookie and CSRF
// helpers (fcgi/http/session_cookie.cpp) and WithApiKey's cookie path.
#include "domain/sessions.hpp"

#include <gtest/gtest.h>

#include <array>
#include <chrono>
#include <map>
#include <string>
#include <vector>

#include "code_of.hpp"
#include "domain/accounts.hpp"
#include "domain/api_key.hpp"
#include "domain/error.hpp"
#include "fcgi/http/session_cookie.hpp"

namespace gw::domain {
namespace {

using namespace std::chrono_literals;
using test::CodeOf;

constexpr std::string_view kPepper = "sessions-test-pepper-sessions-test-pepper";
constexpr PasswordHashParams kCheap{1, 64, 1};
constexpr std::string_view kPassword = "correct horse battery";
constexpr UserId kUser = 7;

class CountingRandom : public RandomSource {
 public:
  void Fill(std::span<unsigned char> out) override {
    for (auto& byte : out) byte = static_cast<unsigned char>(next_++ * 37 + 11);
  }

 private:
  unsigned next_ = 0;
};

std::string TheKey() {
  std::array<unsigned char, kApiKeyRandomBytes> bytes{};
  for (std::size_t i = 0; i < bytes.size(); ++i) bytes[i] = static_cast<unsigned char>(i * 13 + 5);
  return FormatApiKey(bytes);
}

/// One account (alice, user 7) with a password and one key.
class OneAccount : public AccountRepository {
 public:
  explicit OneAccount(std::string password_hash) : password_hash_(std::move(password_hash)) {}
  UserId CreateAccount(const NewAccount&, std::string_view, const AuditContext&) override { return 0; }
  std::optional<Credentials> FindCredentials(std::string_view email) override {
    ++credential_lookups;
    if (email != "alice@example.com") return std::nullopt;
    return Credentials{kUser, password_hash_, active};
  }
  void ReplaceKey(UserId, std::string_view, std::string_view, const AuditContext&) override {}
  bool SetAccountActive(std::string_view, bool, const AuditContext&) override { return false; }
  std::optional<PlanAssignment> SetPlan(std::string_view, const PlanChange&, const AuditContext&) override {
    return std::nullopt;
  }
  std::vector<Plan> ListPlans() override { return {}; }
  Page<UserSummary> ListUsers(const UserQuery&) override { return {}; }
  std::optional<KeyLookup> FindByKeyHash(std::string_view key_hash) override {
    if (key_hash != HashApiKey(kPepper, TheKey())) return std::nullopt;
    return KeyLookup{kUser, "alice@example.com", false, active, key_current, "free", {}};
  }
  std::optional<AccountStatus> FindStatus(UserId) override { return std::nullopt; }
  std::optional<AccountStatus> FindStatusByEmail(std::string_view) override { return std::nullopt; }

  bool active = true;
  bool key_current = true;
  int credential_lookups = 0;

 private:
  std::string password_hash_;
};

/// Sessions in memory, keyed by token hash; each test sets the flags the database would compute.
class MemorySessions : public SessionRepository {
 public:
  std::optional<std::string> Create(const NewSession& session, const AuditContext& audit) override {
    created.push_back(session);
    audits.push_back(audit);
    if (refuse_create) return std::nullopt;
    SessionLookup row;
    row.session_id = static_cast<std::int64_t>(rows.size()) + 1;
    row.key = KeyLookup{session.user_id, "alice@example.com", true, true, true, "pro", {60, 10, 0}};
    row.key_prefix = "ipfs_gw_abcdef";
    row.expires_at = "2030-01-01T08:00:00Z";
    rows[session.token_hash] = row;
    return row.expires_at;
  }
  std::optional<SessionLookup> Find(std::string_view token_hash, std::int64_t idle_seconds) override {
    ++finds;
    last_idle_seconds = idle_seconds;
    const auto it = rows.find(std::string(token_hash));
    if (it == rows.end()) return std::nullopt;
    return it->second;
  }
  void Touch(std::int64_t session_id) override { touched.push_back(session_id); }
  bool End(std::int64_t session_id, UserId, const AuditContext&) override {
    for (auto& [hash, row] : rows) {
      if (row.session_id == session_id && !row.ended) {
        row.ended = true;
        return true;
      }
    }
    return false;
  }

  SessionLookup& Only() { return rows.begin()->second; }

  std::map<std::string, SessionLookup> rows;
  std::vector<NewSession> created;
  std::vector<AuditContext> audits;
  std::vector<std::int64_t> touched;
  bool refuse_create = false;
  int finds = 0;
  std::int64_t last_idle_seconds = 0;
};

std::string HashOf(std::string_view password) {
  std::array<unsigned char, 16> salt{};
  return HashPassword(password, salt, kCheap);
}

class SessionServiceTest : public ::testing::Test {
 protected:
  SignIn ByPassword(std::string email, std::string password) const {
    return SignIn{std::move(email), std::move(password), {}, false};
  }
  SignIn ByKey(std::string key) const { return SignIn{{}, {}, std::move(key), true}; }
  AuditContext Audit() const { return AuditContext{"req-1", "192.0.2.1", std::nullopt}; }

  OneAccount accounts{HashOf(kPassword)};
  MemorySessions sessions;
  CountingRandom random;
  KeyCache cache{60s, 100};
  UsageCounter usage;
  AccountService service{std::string(kPepper), random, cache, usage, kCheap, SessionSettings{3600, 600}};
};

TEST_F(SessionServiceTest, PasswordSignInStoresOnlyTheTokensHmacAndAuditsTheMethod) {
  const auto started =
      service.StartSession(accounts, sessions, ByPassword("Alice@Example.com", std::string(kPassword)), Audit());
  EXPECT_TRUE(IsWellFormedSessionToken(started.token)) << started.token;
  ASSERT_EQ(sessions.created.size(), 1u);
  const NewSession& stored = sessions.created[0];
  EXPECT_EQ(stored.token_hash, HashSessionToken(kPepper, started.token));
  EXPECT_EQ(stored.token_hash.find(started.token), std::string::npos);
  EXPECT_EQ(stored.user_id, kUser);
  EXPECT_EQ(stored.key_hash, "") << "a password sign-in binds the account's current key";
  EXPECT_EQ(stored.ttl_seconds, 3600);
  EXPECT_EQ(stored.method, "password");
  EXPECT_EQ(sessions.audits[0].actor_user_id, kUser);
  EXPECT_EQ(sessions.audits[0].request_id, "req-1");
  EXPECT_EQ(started.view.email, "alice@example.com");
  EXPECT_EQ(started.view.expires_at, "2030-01-01T08:00:00Z");
  EXPECT_EQ(started.view.state, KeyState::kActive);
  EXPECT_EQ(started.view.csrf_token, SessionCsrfToken(kPepper, started.token));
}

TEST_F(SessionServiceTest, TwoSignInsGetDifferentTokens) {
  const auto a =
      service.StartSession(accounts, sessions, ByPassword("alice@example.com", std::string(kPassword)), Audit());
  const auto b =
      service.StartSession(accounts, sessions, ByPassword("alice@example.com", std::string(kPassword)), Audit());
  EXPECT_NE(a.token, b.token);
  EXPECT_NE(a.view.csrf_token, b.view.csrf_token);
}

TEST_F(SessionServiceTest, WrongPasswordUnknownEmailAndRevokedAccountAreRefusedWithoutASession) {
  EXPECT_EQ(
      CodeOf([&] { service.StartSession(accounts, sessions, ByPassword("alice@example.com", "wrong one"), Audit()); }),
      ErrorCode::kInvalidCredentials);
  EXPECT_EQ(CodeOf([&] {
              service.StartSession(accounts, sessions, ByPassword("nobody@example.com", std::string(kPassword)),
                                   Audit());
            }),
            ErrorCode::kInvalidCredentials);
  EXPECT_EQ(CodeOf([&] { service.StartSession(accounts, sessions, ByPassword("not an email", "x"), Audit()); }),
            ErrorCode::kValidationFailed);
  accounts.active = false;
  EXPECT_EQ(CodeOf([&] {
              service.StartSession(accounts, sessions, ByPassword("alice@example.com", std::string(kPassword)),
                                   Audit());
            }),
            ErrorCode::kAccountRevoked);
  EXPECT_TRUE(sessions.created.empty());
}

TEST_F(SessionServiceTest, KeySignInBindsThatKeyAndGivesTheUsualKeyCodes) {
  const auto started = service.StartSession(accounts, sessions, ByKey(TheKey()), Audit());
  ASSERT_EQ(sessions.created.size(), 1u);
  EXPECT_EQ(sessions.created[0].key_hash, HashApiKey(kPepper, TheKey()));
  EXPECT_EQ(sessions.created[0].method, "api_key");
  EXPECT_EQ(started.view.csrf_token, SessionCsrfToken(kPepper, started.token));

  EXPECT_EQ(CodeOf([&] { service.StartSession(accounts, sessions, ByKey(""), Audit()); }), ErrorCode::kMissingApiKey);
  EXPECT_EQ(CodeOf([&] { service.StartSession(accounts, sessions, ByKey("ipfs_gw_nope"), Audit()); }),
            ErrorCode::kInvalidApiKey);
  cache.ForgetUser(kUser);
  accounts.key_current = false;
  EXPECT_EQ(CodeOf([&] { service.StartSession(accounts, sessions, ByKey(TheKey()), Audit()); }),
            ErrorCode::kApiKeyInactive);
  cache.ForgetUser(kUser);
  accounts.key_current = true;
  accounts.active = false;
  EXPECT_EQ(CodeOf([&] { service.StartSession(accounts, sessions, ByKey(TheKey()), Audit()); }),
            ErrorCode::kApiKeyRevoked);
  EXPECT_EQ(sessions.created.size(), 1u);
}

TEST_F(SessionServiceTest, AKeyRenewedBetweenTheCheckAndTheInsertIsInactive) {
  sessions.refuse_create = true;
  EXPECT_EQ(CodeOf([&] { service.StartSession(accounts, sessions, ByKey(TheKey()), Audit()); }),
            ErrorCode::kApiKeyInactive);
  EXPECT_EQ(CodeOf([&] {
              service.StartSession(accounts, sessions, ByPassword("alice@example.com", std::string(kPassword)),
                                   Audit());
            }),
            ErrorCode::kAccountRevoked);
}

TEST_F(SessionServiceTest, ResolveGivesThePrincipalOfTheSessionsKeyAndCountsTheRequest) {
  const auto started =
      service.StartSession(accounts, sessions, ByPassword("alice@example.com", std::string(kPassword)), Audit());
  const auto resolved = service.ResolveSession(sessions, started.token);
  EXPECT_EQ(resolved.principal.user_id, kUser);
  EXPECT_EQ(resolved.principal.email, "alice@example.com");
  EXPECT_TRUE(resolved.principal.is_admin);
  EXPECT_EQ(resolved.principal.key_prefix, "ipfs_gw_abcdef");
  EXPECT_EQ(resolved.principal.plan, "pro");
  EXPECT_EQ(resolved.principal.limits.requests_per_minute, 60);
  EXPECT_EQ(resolved.session.id, sessions.Only().session_id);
  EXPECT_EQ(resolved.session.csrf_token, started.view.csrf_token);
  EXPECT_EQ(sessions.last_idle_seconds, 600) << "GW_SESSION_IDLE_SECONDS reaches the lookup";
  EXPECT_EQ(usage.Pending(kUser), 1);
  EXPECT_TRUE(sessions.touched.empty()) << "last_seen_at is written at most once a minute";
  sessions.Only().touch_due = true;
  service.ResolveSession(sessions, started.token);
  EXPECT_EQ(sessions.touched, std::vector<std::int64_t>{sessions.Only().session_id});
}

TEST_F(SessionServiceTest, MalformedOrUnknownTokensAreAnExpiredSession) {
  EXPECT_EQ(CodeOf([&] { service.ResolveSession(sessions, "short"); }), ErrorCode::kSessionExpired);
  EXPECT_EQ(CodeOf([&] { service.ResolveSession(sessions, std::string(42, 'A') + "="); }), ErrorCode::kSessionExpired);
  EXPECT_EQ(sessions.finds, 0) << "malformed tokens are refused before any lookup";
  EXPECT_EQ(CodeOf([&] { service.ResolveSession(sessions, std::string(43, 'A')); }), ErrorCode::kSessionExpired);
  EXPECT_EQ(sessions.finds, 1);
}

TEST_F(SessionServiceTest, EndedExpiredIdleOrRenewedSessionsAreExpiredAndARevokedAccountSaysSo) {
  const auto started =
      service.StartSession(accounts, sessions, ByPassword("alice@example.com", std::string(kPassword)), Audit());
  const auto code = [&] { return CodeOf([&] { service.ResolveSession(sessions, started.token); }); };
  const SessionLookup fresh = sessions.Only();
  for (auto flag : {&SessionLookup::ended, &SessionLookup::expired, &SessionLookup::idle}) {
    sessions.Only() = fresh;
    sessions.Only().*flag = true;
    EXPECT_EQ(code(), ErrorCode::kSessionExpired);
  }
  sessions.Only() = fresh;
  sessions.Only().key.key_current = false;
  EXPECT_EQ(code(), ErrorCode::kSessionExpired);
  // revocation ends the sessions too, but the browser is told the reason
  sessions.Only() = fresh;
  sessions.Only().key.account_active = false;
  sessions.Only().ended = true;
  EXPECT_EQ(code(), ErrorCode::kApiKeyRevoked);
  EXPECT_EQ(usage.Pending(kUser), 0) << "refused requests are not counted";
}

TEST_F(SessionServiceTest, EndSessionEndsItOnce) {
  const auto started =
      service.StartSession(accounts, sessions, ByPassword("alice@example.com", std::string(kPassword)), Audit());
  const auto resolved = service.ResolveSession(sessions, started.token);
  service.EndSession(sessions, resolved.principal, resolved.session, Audit());
  EXPECT_EQ(CodeOf([&] { service.ResolveSession(sessions, started.token); }), ErrorCode::kSessionExpired);
  EXPECT_EQ(CodeOf([&] { service.EndSession(sessions, resolved.principal, resolved.session, Audit()); }),
            ErrorCode::kSessionExpired);
}

TEST(SessionTokens, TheCsrfTokenIsAnotherHmacOfTheTokenAndComparedExactly) {
  const std::string token(43, 'x');
  EXPECT_NE(SessionCsrfToken(kPepper, token), HashSessionToken(kPepper, token));
  EXPECT_NE(SessionCsrfToken(kPepper, token), SessionCsrfToken("another-pepper-another-pepper-xx", token));
  EXPECT_NE(SessionCsrfToken(kPepper, token), SessionCsrfToken(kPepper, std::string(43, 'y')));
  EXPECT_EQ(SessionCsrfToken(kPepper, token).size(), 64u);
  const SessionInfo session{1, SessionCsrfToken(kPepper, token), "2030-01-01T00:00:00Z"};
  EXPECT_TRUE(CsrfTokenMatches(session, SessionCsrfToken(kPepper, token)));
  EXPECT_FALSE(CsrfTokenMatches(session, ""));
  EXPECT_FALSE(CsrfTokenMatches(session, SessionCsrfToken(kPepper, token).substr(1)));
  EXPECT_FALSE(CsrfTokenMatches(SessionInfo{}, ""));
}

}  // namespace
}  // namespace gw::domain

namespace gw::web {
namespace {

using domain::ErrorCode;
using test::CodeOf;

Request WithHeaders(std::string method, web::NameValues params) {
  Request request;
  request.method = std::move(method);
  request.params = std::move(params);
  return request;
}

TEST(SessionCookie, IsFoundAmongOtherCookiesAndEmptyIsNone) {
  EXPECT_EQ(SessionCookieOf(WithHeaders("GET", {{"HTTP_COOKIE", "a=1; __Host-gw_session=tok; b=2"}})), "tok");
  EXPECT_EQ(SessionCookieOf(WithHeaders("GET", {{"HTTP_COOKIE", "__Host-gw_session=first;__Host-gw_session=2"}})),
            "first");
  EXPECT_EQ(SessionCookieOf(WithHeaders("GET", {{"HTTP_COOKIE", "__Host-gw_session="}})), std::nullopt);
  EXPECT_EQ(SessionCookieOf(WithHeaders("GET", {{"HTTP_COOKIE", "gw_session=tok; x__Host-gw_session=y"}})),
            std::nullopt);
  EXPECT_EQ(SessionCookieOf(WithHeaders("GET", {})), std::nullopt);
}

TEST(SessionCookie, SetAndClearCarryExactlyTheContractsAttributes) {
  Response response;
  SetSessionCookie(response, "tok", 28800);
  ASSERT_EQ(response.headers.size(), 1u);
  EXPECT_EQ(response.headers[0].first, "Set-Cookie");
  EXPECT_EQ(response.headers[0].second,
            "__Host-gw_session=tok; Path=/; Secure; HttpOnly; SameSite=Strict; Max-Age=28800");
  Response cleared;
  ClearSessionCookie(cleared);
  EXPECT_EQ(cleared.headers[0].second, "__Host-gw_session=; Path=/; Secure; HttpOnly; SameSite=Strict; Max-Age=0");
}

TEST(SessionCsrf, SafeMethodsNeedNoTokenOthersNeedTheTokenAndTheirOwnOrigin) {
  const domain::SessionInfo session{1, "csrf-token", "2030-01-01T00:00:00Z"};
  for (const char* method : {"GET", "HEAD", "OPTIONS"}) {
    EXPECT_NO_THROW(CheckCsrf(WithHeaders(method, {{"HTTP_ORIGIN", "https://evil.example"}}), session)) << method;
  }
  for (const char* method : {"POST", "PUT", "DELETE", "PATCH"}) {
    SCOPED_TRACE(method);
    EXPECT_EQ(CodeOf([&] { CheckCsrf(WithHeaders(method, {}), session); }), ErrorCode::kCsrfFailed);
    EXPECT_EQ(CodeOf([&] {
                CheckCsrf(WithHeaders(method, {{"HTTP_X_CSRF_TOKEN", "csrf-tokeN"}}), session);
              }),
              ErrorCode::kCsrfFailed);
    EXPECT_NO_THROW(CheckCsrf(WithHeaders(method, {{"HTTP_X_CSRF_TOKEN", "csrf-token"}}), session));
    EXPECT_NO_THROW(CheckCsrf(WithHeaders(method, {{"HTTP_X_CSRF_TOKEN", "csrf-token"},
                                                   {"HTTP_HOST", "gw.example:8443"},
                                                   {"HTTP_ORIGIN", "https://gw.example:8443"}}),
                              session));
    EXPECT_EQ(CodeOf([&] {
                CheckCsrf(WithHeaders(method, {{"HTTP_X_CSRF_TOKEN", "csrf-token"},
                                               {"HTTP_HOST", "gw.example:8443"},
                                               {"HTTP_ORIGIN", "https://evil.example"}}),
                          session);
              }),
              ErrorCode::kCsrfFailed);
    EXPECT_EQ(CodeOf([&] {
                CheckCsrf(WithHeaders(method, {{"HTTP_X_CSRF_TOKEN", "csrf-token"},
                                               {"HTTP_HOST", "gw.example:8443"},
                                               {"HTTP_ORIGIN", "http://gw.example:8443"}}),
                          session);
              }),
              ErrorCode::kCsrfFailed);
    // nginx's REQUEST_HOST (the Host header with its port) wins over HTTP_HOST ($host, no port)
    EXPECT_NO_THROW(CheckCsrf(WithHeaders(method, {{"HTTP_X_CSRF_TOKEN", "csrf-token"},
                                                   {"HTTP_HOST", "gw.example"},
                                                   {"REQUEST_HOST", "gw.example:8443"},
                                                   {"HTTP_ORIGIN", "https://gw.example:8443"}}),
                              session));
    EXPECT_EQ(CodeOf([&] {
                CheckCsrf(WithHeaders(method, {{"HTTP_X_CSRF_TOKEN", "csrf-token"},
                                               {"HTTP_HOST", "gw.example:8443"},
                                               {"REQUEST_HOST", "gw.example"},
                                               {"HTTP_ORIGIN", "https://gw.example:8443"}}),
                          session);
              }),
              ErrorCode::kCsrfFailed);
    EXPECT_EQ(CodeOf([&] {
                CheckCsrf(WithHeaders(method, {{"HTTP_X_CSRF_TOKEN", "csrf-token"}, {"HTTP_ORIGIN", "null"}}), session);
              }),
              ErrorCode::kCsrfFailed);
  }
}

}  // namespace
}  // namespace gw::web
