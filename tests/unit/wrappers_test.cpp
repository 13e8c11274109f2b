#include "fcgi/http/wrappers.hpp"
#include "fcgi/http/rate_limiting.hpp"
#include "job_fakes.hpp"

#include <gtest/gtest.h>
#include <spdlog/sinks/null_sink.h>
#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>
#include <nlohmann/json.hpp>

#include <chrono>
#include <sstream>
#include <stdexcept>
#include <string>

#include "domain/api_key.hpp"
#include "domain/error.hpp"
#include "fcgi/http/context.hpp"
#include "fcgi/http/logging.hpp"

namespace gw::web {
namespace {

using domain::Error;
using domain::ErrorCode;
using nlohmann::json;
using namespace std::chrono_literals;

constexpr std::string_view kPepper = "wrappers-test-pepper-wrappers-test";

/// A repository that knows exactly one key.
class OneKeyRepository : public domain::AccountRepository {
 public:
  OneKeyRepository(std::string key_hash, domain::KeyLookup lookup)
      : key_hash_(std::move(key_hash)), lookup_(std::move(lookup)) {}
  domain::UserId CreateAccount(const domain::NewAccount&, std::string_view, const domain::AuditContext&) override {
    return 0;
  }
  std::optional<domain::Credentials> FindCredentials(std::string_view) override { return std::nullopt; }
  void ReplaceKey(domain::UserId, std::string_view, std::string_view, const domain::AuditContext&) override {}
  bool SetAccountActive(std::string_view, bool, const domain::AuditContext&) override { return false; }
  std::optional<domain::PlanAssignment> SetPlan(std::string_view, const domain::PlanChange&,
                                                const domain::AuditContext&) override {
    return std::nullopt;
  }
  std::vector<domain::Plan> ListPlans() override { return {}; }
  domain::Page<domain::UserSummary> ListUsers(const domain::UserQuery&) override { return {}; }
  std::optional<domain::KeyLookup> FindByKeyHash(std::string_view key_hash) override {
    if (key_hash == key_hash_) return lookup_;
    return std::nullopt;
  }
  std::optional<domain::AccountStatus> FindStatus(domain::UserId) override { return std::nullopt; }
  std::optional<domain::AccountStatus> FindStatusByEmail(std::string_view) override { return std::nullopt; }

 private:
  std::string key_hash_;
  domain::KeyLookup lookup_;
};

class NoAudit : public domain::AuditRepository {
 public:
  domain::Page<domain::AuditEntry> List(const domain::AuditQuery&) override { return {}; }
};

/// The wrappers never touch files; every call is a test failure.
class NoFiles : public domain::FileRepository {
 public:
  domain::StoredFile RecordUpload(domain::UserId, const domain::ImportedContent&, std::string_view, std::string_view,
                                  const std::function<void()>&, const domain::AuditContext&) override {
    return Unexpected<domain::StoredFile>();
  }
  std::optional<domain::StoredFile> FindHeld(domain::UserId, std::string_view, std::string_view,
                                             const domain::AuditContext&) override {
    return Unexpected<std::optional<domain::StoredFile>>();
  }
  domain::Page<domain::StoredFile> List(domain::UserId, const domain::FileQuery&,
                                        const domain::AuditContext&) override {
    return Unexpected<domain::Page<domain::StoredFile>>();
  }
  std::optional<std::string> Remove(domain::UserId, std::string_view, const domain::AuditContext&) override {
    return Unexpected<std::optional<std::string>>();
  }
  std::optional<std::string> SetPinned(domain::UserId, std::string_view, bool, const domain::AuditContext&) override {
    return Unexpected<std::optional<std::string>>();
  }
  domain::UsageSummary Usage(domain::UserId, const domain::AuditContext&) override {
    return Unexpected<domain::UsageSummary>();
  }
  domain::RecordedUsage DailyUsage(domain::UserId, int, const domain::AuditContext&) override {
    return Unexpected<domain::RecordedUsage>();
  }
  std::vector<std::string> CollectGarbage(const std::function<void(const std::string&)>&) override {
    return Unexpected<std::vector<std::string>>();
  }
  std::string EnqueueJob(domain::UserId, std::string_view, std::string_view, int, std::string_view,
                         const domain::AuditContext&) override {
    return Unexpected<std::string>();
  }
  std::optional<std::string> EnqueueJobForHeld(domain::UserId, std::string_view, std::string_view, std::string_view,
                                               int, std::string_view, const domain::AuditContext&) override {
    return Unexpected<std::optional<std::string>>();
  }

 private:
  template <typename T>
  T Unexpected() {
    ADD_FAILURE() << "wrappers must not use the file repository";
    return T{};
  }
};

class ZeroRandom : public domain::RandomSource {
 public:
  void Fill(std::span<unsigned char> out) override {
    for (auto& byte : out) byte = 0;
  }
};

/// One session at a time, as the database would report it.
class OneSession : public domain::SessionRepository {
 public:
  std::optional<std::string> Create(const domain::NewSession& session, const domain::AuditContext&) override {
    row.session_id = 42;
    row.key = domain::KeyLookup{session.user_id, "alice@example.com", false, true, true};
    row.key_prefix = "ipfs_gw_abcdef";
    row.expires_at = "2030-01-01T00:00:00Z";
    hash = session.token_hash;
    return row.expires_at;
  }
  std::optional<domain::SessionLookup> Find(std::string_view token_hash, std::int64_t) override {
    ++finds;
    if (token_hash != hash) return std::nullopt;
    return row;
  }
  void Touch(std::int64_t) override {}
  bool End(std::int64_t, domain::UserId, const domain::AuditContext&) override { return true; }

  domain::SessionLookup row;
  std::string hash;
  int finds = 0;
};

std::string TheKey() {
  std::array<unsigned char, domain::kApiKeyRandomBytes> bytes{};
  for (std::size_t i = 0; i < bytes.size(); ++i) bytes[i] = static_cast<unsigned char>(i * 11 + 3);
  return domain::FormatApiKey(bytes);
}

std::shared_ptr<spdlog::logger> NullLogger() {
  return std::make_shared<spdlog::logger>("null", std::make_shared<spdlog::sinks::null_sink_st>());
}

/// A logger that writes each event as a JSON line into `out`, like MakeJsonLogger does into a file.
std::shared_ptr<spdlog::logger> StreamLogger(std::ostringstream& out) {
  auto logger = std::make_shared<spdlog::logger>("stream", std::make_shared<spdlog::sinks::ostream_sink_st>(out));
  logger->set_pattern("{%v");  // LogEvent writes the object without its opening brace
  logger->set_level(spdlog::level::debug);
  return logger;
}

Handler Ok() {
  return [](Request&, Context&) { return JsonSuccess(200, "ok", json::object()); };
}

Handler Throwing(std::function<void()> thrower) {
  return [thrower = std::move(thrower)](Request&, Context&) -> Response {
    thrower();
    return {};
  };
}

ErrorCode CodeOf(const Handler& handler, Request& request, Context& context) {
  try {
    handler(request, context);
  } catch (const Error& error) {
    return error.Code();
  }
  ADD_FAILURE() << "expected a domain::Error";
  return ErrorCode::kServerSideError;
}

class WrappersTest : public ::testing::Test {
 protected:
  WrappersTest()
      : key(TheKey()),
        repo(domain::HashApiKey(kPepper, key), domain::KeyLookup{7, "alice@example.com", false, true, true}),
        context{repo, audit, files, jobs, [] { return true; }} {}

  std::string key;
  OneKeyRepository repo;
  NoAudit audit;
  NoFiles files;
  test::MemoryJobQueue jobs;
  Context context;
  ZeroRandom random;
  domain::KeyCache cache{60s, 100};
  domain::UsageCounter usage;
  domain::AccountService accounts{std::string(kPepper), random, cache, usage, domain::PasswordHashParams{1, 64, 1}};
};

// --- WithAdmin -----------------------------------------------------------------------------

TEST_F(WrappersTest, WithAdminRefusesARequestWithoutPrincipal) {
  Request request;
  EXPECT_EQ(CodeOf(WithAdmin(Ok()), request, context), ErrorCode::kForbidden);
}

TEST_F(WrappersTest, WithAdminRefusesANonAdmin) {
  Request request;
  request.principal = domain::Principal{7, "alice@example.com", false, "ipfs_gw_abcdef"};
  EXPECT_EQ(CodeOf(WithAdmin(Ok()), request, context), ErrorCode::kForbidden);
}

TEST_F(WrappersTest, WithAdminLetsAnAdminThrough) {
  Request request;
  request.principal = domain::Principal{1, "root@example.com", true, "ipfs_gw_abcdef"};
  EXPECT_EQ(WithAdmin(Ok())(request, context).status, 200);
}

// --- WithApiKey ----------------------------------------------------------------------------

TEST_F(WrappersTest, WithApiKeySetsThePrincipalFromTheHeader) {
  Request request;
  request.params = {{"HTTP_X_API_KEY", key}};
  std::optional<domain::Principal> seen;
  const Handler inner = [&seen](Request& r, Context&) {
    seen = r.principal;
    return Response{};
  };
  WithApiKey(accounts, inner)(request, context);
  ASSERT_TRUE(seen.has_value());
  EXPECT_EQ(seen->user_id, 7);
  EXPECT_EQ(seen->email, "alice@example.com");
}

TEST_F(WrappersTest, WithApiKeyWithoutHeaderIsMissingApiKey) {
  Request request;
  EXPECT_EQ(CodeOf(WithApiKey(accounts, Ok()), request, context), ErrorCode::kMissingApiKey);
}

TEST_F(WrappersTest, WithApiKeyWithUnknownKeyIsInvalidAndSkipsTheHandler) {
  Request request;
  request.params = {{"HTTP_X_API_KEY", "ipfs_gw_" + std::string(43, 'A')}};
  bool called = false;
  const Handler inner = [&called](Request&, Context&) {
    called = true;
    return Response{};
  };
  EXPECT_EQ(CodeOf(WithApiKey(accounts, inner), request, context), ErrorCode::kInvalidApiKey);
  EXPECT_FALSE(called);
}

TEST_F(WrappersTest, WithApiKeyTakesTheSessionCookieWithTheCsrfRules) {
  OneSession sessions;
  context.sessions = &sessions;
  const auto started =
      accounts.StartSession(repo, sessions, domain::SignIn{{}, {}, key, true}, {"req", "192.0.2.1", std::nullopt});
  const std::string cookie = "theme=dark; __Host-gw_session=" + started.token;
  std::optional<domain::SessionInfo> seen;
  const Handler inner = [&seen](Request& r, Context&) {
    seen = r.session;
    return Response{};
  };
  Request get;
  get.method = "GET";
  get.params = {{"HTTP_COOKIE", cookie}};
  WithApiKey(accounts, inner)(get, context);
  ASSERT_TRUE(get.principal.has_value());
  EXPECT_EQ(get.principal->user_id, 7);
  EXPECT_EQ(get.principal->key_prefix, "ipfs_gw_abcdef");
  ASSERT_TRUE(seen.has_value());
  EXPECT_EQ(seen->id, 42);

  Request post;
  post.method = "POST";
  post.params = {{"HTTP_COOKIE", cookie}};
  EXPECT_EQ(CodeOf(WithApiKey(accounts, inner), post, context), ErrorCode::kCsrfFailed);
  post.params.emplace_back("HTTP_X_CSRF_TOKEN", started.view.csrf_token);
  seen.reset();
  WithApiKey(accounts, inner)(post, context);
  EXPECT_TRUE(seen.has_value());

  Request unknown;
  unknown.method = "GET";
  unknown.params = {{"HTTP_COOKIE", "__Host-gw_session=" + std::string(43, 'Q')}};
  EXPECT_EQ(CodeOf(WithApiKey(accounts, Ok()), unknown, context), ErrorCode::kSessionExpired);
}

TEST_F(WrappersTest, WithApiKeyPrefersTheHeaderAndThenNeverLooksAtTheCookie) {
  OneSession sessions;
  context.sessions = &sessions;
  Request request;
  request.method = "POST";  // no CSRF token: the header key needs none
  request.params = {{"HTTP_COOKIE", "__Host-gw_session=" + std::string(43, 'Q')}, {"HTTP_X_API_KEY", key}};
  std::optional<domain::SessionInfo> seen{domain::SessionInfo{}};
  const Handler inner = [&seen](Request& r, Context&) {
    seen = r.session;
    return Response{};
  };
  WithApiKey(accounts, inner)(request, context);
  EXPECT_EQ(request.principal->user_id, 7);
  EXPECT_FALSE(seen.has_value());
  EXPECT_EQ(sessions.finds, 0);
  // a bad header key is refused even with a cookie beside it
  request.params = {{"HTTP_COOKIE", "__Host-gw_session=" + std::string(43, 'Q')}, {"HTTP_X_API_KEY", "nope"}};
  EXPECT_EQ(CodeOf(WithApiKey(accounts, Ok()), request, context), ErrorCode::kInvalidApiKey);
  EXPECT_EQ(sessions.finds, 0);
}

// --- WithJsonBody --------------------------------------------------------------------------

const BodySchema kEmailSchema{{{"email", JsonType::kString, true, 320}}};
const BodySchema kOptionalSchema{{{"email", JsonType::kString, false, 320}}, true};

Request JsonRequest(std::string body, std::string content_type = "application/json") {
  Request request;
  request.method = "POST";
  request.body = std::move(body);
  request.content_type = std::move(content_type);
  return request;
}

TEST_F(WrappersTest, WithJsonBodyRefusesANonJsonContentType) {
  Request request = JsonRequest(R"({"email":"a@b.co"})", "text/plain");
  EXPECT_EQ(CodeOf(WithJsonBody(kEmailSchema, Ok()), request, context), ErrorCode::kUnsupportedMediaType);
  Request form = JsonRequest("email=a@b.co", "application/x-www-form-urlencoded");
  EXPECT_EQ(CodeOf(WithJsonBody(kEmailSchema, Ok()), form, context), ErrorCode::kUnsupportedMediaType);
  Request missing = JsonRequest(R"({"email":"a@b.co"})", "");
  EXPECT_EQ(CodeOf(WithJsonBody(kEmailSchema, Ok()), missing, context), ErrorCode::kUnsupportedMediaType);
}

TEST_F(WrappersTest, WithJsonBodyRefusalMapsTo415) {
  Request request = JsonRequest(R"({"email":"a@b.co"})", "text/plain");
  const Response response = WithJsonErrors(NullLogger(), WithJsonBody(kEmailSchema, Ok()))(request, context);
  EXPECT_EQ(response.status, 415);
  EXPECT_EQ(json::parse(response.body).at("error").at("code"), "unsupported_media_type");
}

TEST_F(WrappersTest, WithJsonBodyAcceptsJsonWithCharsetAndAnyCase) {
  for (const char* type : {"application/json; charset=utf-8", "Application/JSON", "application/json;charset=UTF-8"}) {
    Request request = JsonRequest(R"({"email":"a@b.co"})", type);
    EXPECT_EQ(WithJsonBody(kEmailSchema, Ok())(request, context).status, 200) << type;
  }
}

TEST_F(WrappersTest, WithJsonBodyRefusesInvalidJson) {
  for (const char* body : {"{", "{'email': 'a@b.co'}", "not json", "{\"email\":\"a@b.co\"} trailing"}) {
    Request request = JsonRequest(body);
    EXPECT_EQ(CodeOf(WithJsonBody(kEmailSchema, Ok()), request, context), ErrorCode::kInvalidJson) << body;
  }
}

TEST_F(WrappersTest, WithJsonBodyRefusesADuplicateKeyAsInvalidJson) {
  // nlohmann alone would keep the last "email"; the caller gets a 400 naming the key instead
  Request request = JsonRequest(R"({"email":"a@b.co","email":"admin@b.co"})");
  EXPECT_EQ(CodeOf(WithJsonBody(kEmailSchema, Ok()), request, context), ErrorCode::kInvalidJson);
}

TEST_F(WrappersTest, WithJsonBodyRefusesAnEmptyBodyWhenTheBodyIsRequired) {
  Request request = JsonRequest("");
  EXPECT_EQ(CodeOf(WithJsonBody(kEmailSchema, Ok()), request, context), ErrorCode::kInvalidJson);
}

TEST_F(WrappersTest, WithJsonBodyAcceptsAnEmptyBodyWhenOptionalEvenWithoutContentType) {
  Request request = JsonRequest("  \r\n", "");
  bool saw_empty_object = false;
  const Handler inner = [&saw_empty_object](Request& r, Context&) {
    saw_empty_object = r.Json().is_object() && r.Json().empty();
    return Response{};
  };
  WithJsonBody(kOptionalSchema, inner)(request, context);
  EXPECT_TRUE(saw_empty_object);
}

TEST_F(WrappersTest, WithJsonBodyValidatesAgainstTheSchema) {
  Request request = JsonRequest(R"({"email":"a@b.co","extra":1})");
  EXPECT_EQ(CodeOf(WithJsonBody(kEmailSchema, Ok()), request, context), ErrorCode::kValidationFailed);
}

TEST_F(WrappersTest, WithJsonBodyMakesTheParsedBodyAvailable) {
  Request request = JsonRequest(R"({"email":"a@b.co"})");
  std::string seen;
  const Handler inner = [&seen](Request& r, Context&) {
    seen = r.Json().at("email").get<std::string>();
    return Response{};
  };
  WithJsonBody(kEmailSchema, inner)(request, context);
  EXPECT_EQ(seen, "a@b.co");
}

TEST(Request, JsonWithoutWithJsonBodyIsAnInternalError) {
  Request request;
  try {
    request.Json();
    FAIL() << "expected an Error";
  } catch (const Error& error) {
    EXPECT_EQ(error.Code(), ErrorCode::kInternal);
  }
}

// --- Dispatch ------------------------------------------------------------------------------

std::shared_ptr<Router> SmallRouter() {
  auto router = std::make_shared<Router>();
  router->Add("GET", "/audit", Ok());
  router->Add("POST", "/items/{id}", [](Request& r, Context&) {
    return JsonSuccess(200, "item", {{"id", std::string(r.PathParam("id"))}, {"route", r.route}});
  });
  return router;
}

TEST_F(WrappersTest, DispatchRoutesAndFillsRouteAndPathParameters) {
  Request request;
  request.method = "POST";
  request.path = "/items/abc";
  const Response response = Dispatch(SmallRouter())(request, context);
  EXPECT_EQ(response.status, 200);
  const auto data = json::parse(response.body).at("data");
  EXPECT_EQ(data.at("id"), "abc");
  EXPECT_EQ(data.at("route"), "/items/{id}");
}

TEST_F(WrappersTest, DispatchOfUnknownPathIsRouteNotFound) {
  Request request;
  request.method = "GET";
  request.path = "/nope";
  EXPECT_EQ(CodeOf(Dispatch(SmallRouter()), request, context), ErrorCode::kRouteNotFound);
}

TEST_F(WrappersTest, DispatchOfWrongMethodIsMethodNotAllowed) {
  Request request;
  request.method = "DELETE";
  request.path = "/audit";
  EXPECT_EQ(CodeOf(Dispatch(SmallRouter()), request, context), ErrorCode::kMethodNotAllowed);
}

TEST_F(WrappersTest, MethodNotAllowedResponseCarriesTheAllowHeader) {
  Request request;
  request.method = "DELETE";
  request.path = "/audit";
  const Response response = WithJsonErrors(NullLogger(), Dispatch(SmallRouter()))(request, context);
  EXPECT_EQ(response.status, 405);
  ASSERT_EQ(response.headers.size(), 1u);
  EXPECT_EQ(response.headers[0].first, "Allow");
  EXPECT_EQ(response.headers[0].second, "GET, HEAD");
}

TEST_F(WrappersTest, UnknownPathBecomesA404EnvelopeWithTheRequestId) {
  Request request;
  request.method = "GET";
  request.path = "/nope";
  request.request_id = "rid-1";
  const Response response = WithJsonErrors(NullLogger(), Dispatch(SmallRouter()))(request, context);
  EXPECT_EQ(response.status, 404);
  const auto body = json::parse(response.body);
  EXPECT_EQ(body.at("error").at("code"), "not_found");
  EXPECT_EQ(body.at("error").at("request_id"), "rid-1");
  EXPECT_TRUE(response.headers.empty());
}

TEST_F(WrappersTest, UnknownPathThatIsNotUtf8IsStillA404) {
  // nginx hands over DOCUMENT_URI percent-decoded, so "/caf%E9" arrives as raw byte 0xE9.
  Request request;
  request.method = "GET";
  request.path = "/caf\xE9";
  const Handler chain = WithJsonErrors(NullLogger(), Dispatch(SmallRouter()));
  Response response;
  ASSERT_NO_THROW(response = chain(request, context));
  EXPECT_EQ(response.status, 404);
  EXPECT_TRUE(json::accept(response.body));
}

// --- WithJsonErrors ------------------------------------------------------------------------

TEST_F(WrappersTest, WithJsonErrorsTurnsAnUnexpectedExceptionIntoAnOpaque500) {
  Request request;
  request.request_id = "rid-2";
  std::ostringstream log;
  const Handler chain =
      WithJsonErrors(StreamLogger(log), Throwing([] { throw std::runtime_error("connection to 10.0.0.5 failed"); }));
  const Response response = chain(request, context);
  EXPECT_EQ(response.status, 500);
  EXPECT_EQ(response.body.find("10.0.0.5"), std::string::npos) << response.body;
  const auto body = json::parse(response.body);
  EXPECT_EQ(body.at("error").at("code"), "internal_error");
  EXPECT_EQ(body.at("error").at("request_id"), "rid-2");
  // ...but the operator sees the cause in the log.
  EXPECT_NE(log.str().find("10.0.0.5"), std::string::npos) << log.str();
}

TEST_F(WrappersTest, WithJsonErrorsKeepsTheDomainErrorCodeAndMessage) {
  Request request;
  const Handler chain =
      WithJsonErrors(NullLogger(), Throwing([] { throw domain::FieldError("email", "'email' is required"); }));
  const Response response = chain(request, context);
  EXPECT_EQ(response.status, 422);
  EXPECT_EQ(json::parse(response.body).at("message"), "'email' is required");
}

TEST_F(WrappersTest, WithJsonErrorsLogsServerSideDomainErrorsButNotClientErrors) {
  std::ostringstream log;
  Request request;
  WithJsonErrors(StreamLogger(log), Throwing([] { throw Error(ErrorCode::kForbidden); }))(request, context);
  EXPECT_TRUE(log.str().empty()) << log.str();
  WithJsonErrors(StreamLogger(log), Throwing([] { throw Error(ErrorCode::kInternal, {}, {}, "disk full"); }))(request,
                                                                                                              context);
  EXPECT_NE(log.str().find("disk full"), std::string::npos);
}

TEST_F(WrappersTest, WithJsonErrorsPassesSuccessThrough) {
  Request request;
  EXPECT_EQ(WithJsonErrors(NullLogger(), Ok())(request, context).status, 200);
}

// --- WithAccessLog -------------------------------------------------------------------------

TEST_F(WrappersTest, WithAccessLogGeneratesARequestIdWhenMissing) {
  Request request;
  std::string seen;
  const Handler inner = [&seen](Request& r, Context&) {
    seen = r.request_id;
    return Response{};
  };
  WithAccessLog(NullLogger(), inner)(request, context);
  EXPECT_FALSE(seen.empty());
  EXPECT_EQ(seen, request.request_id);
  EXPECT_EQ(seen.size(), 16u);  // 12 random bytes in base64url

  Request second;
  WithAccessLog(NullLogger(), inner)(second, context);
  EXPECT_NE(second.request_id, request.request_id);
}

TEST_F(WrappersTest, WithAccessLogKeepsAnExistingRequestId) {
  Request request;
  request.request_id = "from-nginx";
  WithAccessLog(NullLogger(), Ok())(request, context);
  EXPECT_EQ(request.request_id, "from-nginx");
}

TEST_F(WrappersTest, WithAccessLogWritesOneJsonLineWithoutTheFullApiKey) {
  std::ostringstream log;
  auto logger = StreamLogger(log);
  Request request;
  request.method = "GET";
  request.path = "/audit";
  request.remote_addr = "192.0.2.9";
  request.params = {{"HTTP_X_API_KEY", key}};
  const Handler app = WithAccessLog(logger, WithJsonErrors(logger, Dispatch([this] {
                                                             auto router = std::make_shared<Router>();
                                                             router->Add("GET", "/audit", WithApiKey(accounts, Ok()));
                                                             return router;
                                                           }())));
  const Response response = app(request, context);
  EXPECT_EQ(response.status, 200);

  const std::string text = log.str();
  ASSERT_FALSE(text.empty());
  EXPECT_EQ(text.find('\n'), text.size() - 1) << "exactly one line: " << text;
  EXPECT_EQ(text.find(key), std::string::npos) << "the full key leaked into the log: " << text;
  const auto line = json::parse(text);
  EXPECT_EQ(line.at("type"), "access");
  EXPECT_EQ(line.at("request_id"), request.request_id);
  EXPECT_EQ(line.at("method"), "GET");
  EXPECT_EQ(line.at("route"), "/audit");
  EXPECT_EQ(line.at("status"), 200);
  EXPECT_EQ(line.at("client"), "192.0.2.9");
  EXPECT_EQ(line.at("key_prefix"), std::string(domain::PublicKeyPrefix(key)));
  EXPECT_TRUE(line.at("latency_us").is_number_integer());
}

TEST_F(WrappersTest, WithAccessLogWritesTheBytesLogEventWouldForOddValues) {
  // The access line is built by hand (no JSON tree per request): it must be exactly what
  // LogEvent's dump of the same fields writes, also for a quote, a control character and
  // invalid UTF-8 from the client (replaced, never a broken line).
  std::ostringstream log;
  auto logger = StreamLogger(log);
  Request request;
  request.method = "GET";
  request.path = "/nope";
  request.request_id = "id\"with\\odd\x01\xff\xfe bytes \xc3\xa9";
  request.remote_addr = "192.0.2.9";
  request.client_address = "tab\there";
  const Response response = WithAccessLog(logger, WithJsonErrors(logger, Dispatch(SmallRouter())))(request, context);
  const std::string text = log.str();
  const auto parsed = json::parse(text);
  std::ostringstream expected;
  LogEvent(*StreamLogger(expected), LogLevel::kInfo,
           {{"type", "access"},
            {"request_id", request.request_id},
            {"method", "GET"},
            {"route", "-"},
            {"status", 404},
            {"latency_us", parsed.at("latency_us")},
            {"bytes", response.body.size()},
            {"key_prefix", ""},
            {"client", "tab\there"}});
  EXPECT_EQ(text, expected.str());
}

TEST(AppendJsonString, WritesWhatNlohmannDumpWrites) {
  for (const std::string value :
       {"", "plain /route-1", "q\"uote", "back\\slash", "nl\nx", "\x7f", "\xff", "\xc3\xa9"}) {
    std::string out;
    AppendJsonString(out, value);
    EXPECT_EQ(out, json(value).dump(-1, ' ', false, json::error_handler_t::replace)) << value;
  }
}

TEST_F(WrappersTest, WithAccessLogRecordsTheErrorStatusAndNoRouteForUnknownPaths) {
  std::ostringstream log;
  auto logger = StreamLogger(log);
  Request request;
  request.method = "GET";
  request.path = "/nope";
  WithAccessLog(logger, WithJsonErrors(logger, Dispatch(SmallRouter())))(request, context);
  const auto line = json::parse(log.str());
  EXPECT_EQ(line.at("status"), 404);
  EXPECT_EQ(line.at("route"), "-");
  EXPECT_EQ(line.at("key_prefix"), "");
}

// --- WithRateLimit -------------------------------------------------------------------------

/// Records what it was asked and answers from a script.
class ScriptedStore : public domain::RateLimitStore {
 public:
  domain::RateDecision Acquire(std::string_view key, const domain::RateLimit& limit, std::int64_t cost) override {
    keys.emplace_back(key);
    limits.push_back(limit);
    costs.push_back(cost);
    return next;
  }
  std::vector<std::string> keys;
  std::vector<domain::RateLimit> limits;
  std::vector<std::int64_t> costs;
  domain::RateDecision next{true, 41, 0ns, 5'400ms};
};

std::string RateLimitHeaderOf(const Response& response, const std::string& name) {
  for (const auto& [key, value] : response.headers) {
    if (key == name) return value;
  }
  return {};
}

class RateLimitingTest : public WrappersTest {
 protected:
  Response Call(const RateLimitPolicy& policy, Request& request) {
    const Handler handler = WithRateLimit(limiting, policy, [this](Request&, Context&) {
      ++inner_calls;
      return Response{200, "application/json", {}, "{}"};
    });
    return handler(request, context);
  }
  static Request Authenticated(domain::PlanLimits limits) {
    Request request;
    request.principal = domain::Principal{42, "a@example.com", false, "ipfs_gw_x", "free", limits};
    return request;
  }

  ScriptedStore store;
  std::vector<std::string> limited;
  RateLimiting limiting{store, [this](std::string_view policy) { limited.emplace_back(policy); }};
  int inner_calls = 0;
};

TEST_F(RateLimitingTest, PerKeySpendsTheUsersPlanAndSaysWhereItStands) {
  Request request = Authenticated({600, 100, 0});
  const Response response = Call(RateLimitPolicy::PerKey(), request);
  EXPECT_EQ(response.status, 200);
  EXPECT_EQ(inner_calls, 1);
  ASSERT_EQ(store.keys.size(), 1u);
  EXPECT_EQ(store.keys[0], "key:42");
  EXPECT_EQ(store.limits[0].count, 600);
  EXPECT_EQ(store.limits[0].burst, 100);
  EXPECT_EQ(store.limits[0].period, std::chrono::nanoseconds(1min));
  EXPECT_EQ(RateLimitHeaderOf(response, "RateLimit-Policy"), "\"key\";q=100;w=10");
  EXPECT_EQ(RateLimitHeaderOf(response, "RateLimit"), "\"key\";r=41;t=6");
}

TEST_F(RateLimitingTest, RefusalIs429WithRetryAfterAndTheInnerHandlerNeverRuns) {
  store.next = {false, 0, 1'200ms, 60s};
  Request request = Authenticated({100, 20, 0});
  request.request_id = "req-9";
  const Response response = Call(RateLimitPolicy::PerKey(), request);
  EXPECT_EQ(response.status, 429);
  EXPECT_EQ(inner_calls, 0);
  EXPECT_EQ(RateLimitHeaderOf(response, "Retry-After"), "2");
  EXPECT_EQ(RateLimitHeaderOf(response, "RateLimit"), "\"key\";r=0;t=60");
  const auto body = nlohmann::json::parse(response.body);
  EXPECT_EQ(body["error"]["code"], "rate_limited");
  EXPECT_EQ(body["error"]["details"]["policy"], "key");
  EXPECT_EQ(body["error"]["details"]["retry_after_seconds"], "2");
  EXPECT_EQ(body["error"]["request_id"], "req-9");
  EXPECT_EQ(limited, std::vector<std::string>{"key"});
}

TEST_F(RateLimitingTest, UnlimitedPlansAreNotCountedAtAll) {
  Request request = Authenticated({0, 0, 0});
  const Response response = Call(RateLimitPolicy::PerKey(), request);
  EXPECT_EQ(response.status, 200);
  EXPECT_TRUE(store.keys.empty());
  EXPECT_EQ(RateLimitHeaderOf(response, "RateLimit"), "");
}

TEST_F(RateLimitingTest, PerClientAddressUsesTheResolvedAddress) {
  Request request;
  request.remote_addr = "127.0.0.1";
  request.client_address = "198.51.100.4";
  Call(RateLimitPolicy::PerClientAddress({10, 1min, 10}), request);
  ASSERT_EQ(store.keys.size(), 1u);
  EXPECT_EQ(store.keys[0], "ip:198.51.100.4");
}

TEST_F(RateLimitingTest, UploadBudgetCostsTheBodyLength) {
  Request request = Authenticated({600, 100, 1'000'000});
  request.params = {{"CONTENT_LENGTH", "12345"}};
  const Response response = Call(RateLimitPolicy::UploadBudget(), request);
  ASSERT_EQ(store.costs.size(), 1u);
  EXPECT_EQ(store.keys[0], "upload:42");
  EXPECT_EQ(store.costs[0], 12345);
  EXPECT_EQ(store.limits[0].burst, 1'000'000);
  EXPECT_EQ(store.limits[0].period, std::chrono::nanoseconds(24h));
  EXPECT_EQ(RateLimitHeaderOf(response, "RateLimit-Policy"), "\"upload\";q=1000000;w=86400;qu=\"content-bytes\"");
}

TEST_F(RateLimitingTest, TwoPoliciesOnOneRouteShareTheHeaders) {
  Request request = Authenticated({600, 100, 1'000'000});
  const Handler inner = [](Request&, Context&) { return Response{201, "application/json", {}, "{}"}; };
  const Handler both = WithRateLimit(limiting, RateLimitPolicy::PerKey(),
                                     WithRateLimit(limiting, RateLimitPolicy::UploadBudget(), inner));
  const Response response = both(request, context);
  EXPECT_EQ(RateLimitHeaderOf(response, "RateLimit-Policy"),
            "\"upload\";q=1000000;w=86400;qu=\"content-bytes\", \"key\";q=100;w=10");
}

TEST_F(RateLimitingTest, ClientErrorsOfTheInnerHandlerStillCarryTheHeaders) {
  Request request = Authenticated({600, 100, 0});
  const Handler handler = WithRateLimit(limiting, RateLimitPolicy::PerKey(), [](Request&, Context&) -> Response {
    throw domain::Error(domain::ErrorCode::kNotFound);
  });
  const Response response = handler(request, context);
  EXPECT_EQ(response.status, 404);
  EXPECT_NE(RateLimitHeaderOf(response, "RateLimit"), "");
}

TEST_F(RateLimitingTest, DisabledAddsNothing) {
  RateLimiting off{store, {}, false};
  Request request = Authenticated({1, 1, 0});
  const Handler handler = WithRateLimit(off, RateLimitPolicy::PerKey(), [](Request&, Context&) { return Response{}; });
  EXPECT_EQ(handler(request, context).status, 200);
  EXPECT_TRUE(store.keys.empty());
}

}  // namespace
}  // namespace gw::web
