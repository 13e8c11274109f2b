// The upload and retrieve handlers with fakes (no I/O): the app's own 413s, which hold when
// nginx's client_max_body_size is bypassed or misconfigured (the declared length checked before
// the body file is touched; the file part checked by ContentService::Upload before anything is
// staged), and what GET /retrieve answers (the headers nginx serves the bytes with, 304, 404).
#include "code_of.hpp"
#include "content_fakes.hpp"
#include "job_fakes.hpp"

#include <gtest/gtest.h>

#include <string>

#include "domain/content_service.hpp"
#include "domain/error.hpp"
#include "domain/multipart.hpp"
#include "fcgi/http/content_headers.hpp"
#include "fcgi/http/context.hpp"
#include "fcgi/http/error_table.hpp"
#include "fcgi/http/handlers/handlers.hpp"
#include "fcgi/http/upload_source.hpp"

namespace gw::web {
namespace {

using domain::Error;
using domain::ErrorCode;
using test::CodeOf;
using test::kFakeCid;

constexpr std::uint64_t kLimit = 1000;
// Never opened: a check that reads the body file would fail on it with another error.
constexpr const char* kMissingBody = "/nonexistent/gw-unit/body";

/// The handlers under test use only `files`; every other port throws if touched.
class NoAccounts final : public domain::AccountRepository {
 public:
  domain::UserId CreateAccount(const domain::NewAccount&, std::string_view, const domain::AuditContext&) override {
    throw std::logic_error("accounts touched");
  }
  std::optional<domain::Credentials> FindCredentials(std::string_view) override { throw std::logic_error("accounts"); }
  void ReplaceKey(domain::UserId, std::string_view, std::string_view, const domain::AuditContext&) override {
    throw std::logic_error("accounts touched");
  }
  bool SetAccountActive(std::string_view, bool, const domain::AuditContext&) override {
    throw std::logic_error("accounts touched");
  }
  std::optional<domain::PlanAssignment> SetPlan(std::string_view, const domain::PlanChange&,
                                                const domain::AuditContext&) override {
    throw std::logic_error("accounts touched");
  }
  std::vector<domain::Plan> ListPlans() override { throw std::logic_error("accounts touched"); }
  domain::Page<domain::UserSummary> ListUsers(const domain::UserQuery&) override {
    throw std::logic_error("accounts touched");
  }
  std::optional<domain::KeyLookup> FindByKeyHash(std::string_view) override {
    throw std::logic_error("accounts touched");
  }
  std::optional<domain::AccountStatus> FindStatus(domain::UserId) override {
    throw std::logic_error("accounts touched");
  }
  std::optional<domain::AccountStatus> FindStatusByEmail(std::string_view) override {
    throw std::logic_error("accounts touched");
  }
};

class NoAudit final : public domain::AuditRepository {
 public:
  domain::Page<domain::AuditEntry> List(const domain::AuditQuery&) override { throw std::logic_error("audit"); }
};

class UploadRetrieveHandlersTest : public ::testing::Test {
 protected:
  Request UploadRequest(std::uint64_t declared_length, std::string content_type = "application/octet-stream") {
    Request request;
    request.method = "POST";
    request.path = "/upload";
    request.query = "filename=a.bin";
    request.request_id = "req-1";
    request.remote_addr = "203.0.113.7";
    request.content_type = content_type;
    request.params = {{"CONTENT_LENGTH", std::to_string(declared_length)},
                      {"CONTENT_TYPE", content_type},
                      {"REQUEST_BODY_FILE", kMissingBody}};
    request.principal = domain::Principal{7, "alice@example.com", false, "ipfs_gw_alice"};
    return request;
  }
  Request RetrieveRequest(std::string cid, std::optional<std::string> if_none_match = std::nullopt) {
    Request request;
    request.method = "GET";
    request.path = "/retrieve/" + cid;
    request.request_id = "req-2";
    request.remote_addr = "203.0.113.7";
    request.path_params = {{"cid", cid}};
    if (if_none_match) request.params.emplace_back("HTTP_IF_NONE_MATCH", *if_none_match);
    request.principal = domain::Principal{7, "alice@example.com", false, "ipfs_gw_alice"};
    return request;
  }
  static ErrorCode CodeAndLimit(const std::function<void()>& action, std::string* limit) {
    try {
      action();
    } catch (const Error& error) {
      for (const auto& [key, value] : error.Details()) {
        if (key == "limit_bytes") *limit = value;
      }
      return error.Code();
    }
    ADD_FAILURE() << "expected a domain::Error";
    return ErrorCode::kServerSideError;
  }

  test::CallLog log;
  test::FakeContentStore store{log};
  test::FakeFileRepository files{log};
  domain::ContentService content{store, kLimit};
  NoAccounts accounts;
  NoAudit audit;
  test::MemoryJobQueue jobs;
  Context context{accounts,
                  audit,
                  files,
                  jobs,
                  [] { return true; },
                  [] {
                    return std::vector<std::pair<std::string, std::int64_t>>{}; }};
};

// --- the app's 413s ------------------------------------------------------------------------

TEST_F(UploadRetrieveHandlersTest, ARawBodyDeclaredOverTheLimitIs413BeforeTheBodyFileIsRead) {
  std::string limit;
  EXPECT_EQ(CodeAndLimit([&] { UploadSourceOf(UploadRequest(kLimit + 1), kLimit); }, &limit),
            ErrorCode::kPayloadTooLarge);
  EXPECT_EQ(limit, std::to_string(kLimit)) << "the 413 must say the limit";
  // at the limit, the declared length passes: the next step (reading the body file) fails instead
  EXPECT_EQ(CodeOf([&] { UploadSourceOf(UploadRequest(kLimit), kLimit); }), ErrorCode::kInternal);
}

TEST_F(UploadRetrieveHandlersTest, AMultipartBodyMayExceedTheLimitByItsFramingAllowanceOnly) {
  const std::string multipart = "multipart/form-data; boundary=xyz";
  const std::uint64_t max_body = kLimit + domain::kMultipartFramingAllowance;
  EXPECT_EQ(CodeOf([&] { UploadSourceOf(UploadRequest(max_body + 1, multipart), kLimit); }),
            ErrorCode::kPayloadTooLarge);
  EXPECT_EQ(CodeOf([&] { UploadSourceOf(UploadRequest(max_body, multipart), kLimit); }), ErrorCode::kInternal);
}

TEST_F(UploadRetrieveHandlersTest, ThePostUploadHandlerAnswers413AsTheJsonEnvelopeAndStoresNothing) {
  auto request = UploadRequest(kLimit + 1);
  const auto handler = handlers::PostUpload(content);
  try {
    handler(request, context);
    FAIL() << "no error for a body over the limit";
  } catch (const Error& error) {
    const Response response = ErrorResponse(error, request.request_id);
    EXPECT_EQ(response.status, 413);
    EXPECT_NE(response.body.find("\"code\":\"payload_too_large\""), std::string::npos) << response.body;
    EXPECT_NE(response.body.find("\"limit_bytes\":\"1000\""), std::string::npos) << response.body;
  }
  EXPECT_EQ(log, test::CallLog{}) << "something was staged or recorded";
}

// The part inside a multipart body is checked on its own (the declared length allowed framing).
TEST_F(UploadRetrieveHandlersTest, AFilePartOverTheLimitIs413WithNothingStagedOrRecorded) {
  const domain::Principal alice{7, "alice@example.com", false, "ipfs_gw_alice"};
  const domain::AuditContext ctx{"req-3", "203.0.113.7", 7};
  std::string limit;
  EXPECT_EQ(CodeAndLimit(
                [&] {
                  content.Upload(files, alice, {"/spooled/body", 120, kLimit + 1, "big.bin"}, ctx);
                },
                &limit),
            ErrorCode::kPayloadTooLarge);
  EXPECT_EQ(limit, std::to_string(kLimit));
  EXPECT_EQ(log, test::CallLog{}) << "something was staged or recorded";
  // exactly the limit is taken
  const auto stored = content.Upload(files, alice, {"/spooled/body", 120, kLimit, "ok.bin"}, ctx);
  ASSERT_TRUE(stored.file);
  EXPECT_EQ(log.front(), "stage /spooled/body 120 1000");
}

// --- GET /retrieve -------------------------------------------------------------------------

TEST_F(UploadRetrieveHandlersTest, RetrieveHandsTheBytesToNginxWithTheirHeaders) {
  files.held = domain::StoredFile{kFakeCid, "say \"hi\".txt", "say \"hi\".txt", 11, "text/plain", true, "t"};
  auto request = RetrieveRequest(kFakeCid);
  const Response response = handlers::GetRetrieve(content)(request, context);
  EXPECT_EQ(response.status, 200);
  EXPECT_EQ(response.content_type, "text/plain");
  const auto header = [&](std::string_view name) {
    for (const auto& [key, value] : response.headers) {
      if (key == name) return value;
    }
    return std::string("<absent>");
  };
  EXPECT_EQ(header("X-Accel-Redirect"), "/_content/" + std::string(kFakeCid));
  EXPECT_EQ(header("ETag"), "\"" + std::string(kFakeCid) + "\"");
  EXPECT_EQ(header("Cache-Control"), std::string(kImmutableCacheControl));
  EXPECT_EQ(header("Content-Disposition"),
            "attachment; filename=\"say _hi_.txt\"; filename*=UTF-8''say%20%22hi%22.txt");
  EXPECT_TRUE(response.body.empty()) << "nginx serves the bytes, not the worker";
  EXPECT_EQ(log, (test::CallLog{"find_held 7 " + std::string(kFakeCid) + " retrieve"}));
  EXPECT_EQ(files.last_audit.request_id, "req-2");
}

TEST_F(UploadRetrieveHandlersTest, RetrieveWithAMatchingIfNoneMatchIs304WithoutTheBytes) {
  files.held = domain::StoredFile{kFakeCid, "a.txt", "a.txt", 11, "text/plain", true, "t"};
  auto request = RetrieveRequest(kFakeCid, "\"other\", \"" + std::string(kFakeCid) + "\"");
  const Response response = handlers::GetRetrieve(content)(request, context);
  EXPECT_EQ(response.status, 304);
  EXPECT_TRUE(response.content_type.empty());
  for (const auto& [key, value] : response.headers) {
    EXPECT_NE(key, "X-Accel-Redirect") << "a 304 must not send the bytes";
    EXPECT_NE(key, "Content-Disposition");
  }
  // a non-matching one gets the bytes
  auto other = RetrieveRequest(kFakeCid, "\"bafkreisomethingelse\"");
  EXPECT_EQ(handlers::GetRetrieve(content)(other, context).status, 200);
}

TEST_F(UploadRetrieveHandlersTest, RetrieveOfAFileNotHeldIs404AndOfAMalformedCid400) {
  auto request = RetrieveRequest(kFakeCid);  // files.held is empty
  EXPECT_EQ(CodeOf([&] { handlers::GetRetrieve(content)(request, context); }), ErrorCode::kNotFound);
  auto malformed = RetrieveRequest("not-a-cid");
  EXPECT_EQ(CodeOf([&] { handlers::GetRetrieve(content)(malformed, context); }), ErrorCode::kInvalidCid);
  EXPECT_EQ(log, (test::CallLog{"find_held 7 " + std::string(kFakeCid) + " retrieve"}))
      << "a malformed CID must not reach the repository";
}

}  // namespace
}  // namespace gw::web
