#include "fcgi/http/error_table.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <map>
#include <set>
#include <string>

namespace gw::web {
namespace {

using domain::Error;
using domain::ErrorCode;

// The documented contract, written out independently of fcgi/http/error_table.cpp.
const std::map<ErrorCode, std::pair<int, std::string>> kExpected{
    {ErrorCode::kBadRequest, {400, "bad_request"}},
    {ErrorCode::kInvalidJson, {400, "invalid_json"}},
    {ErrorCode::kUnsupportedMediaType, {415, "unsupported_media_type"}},
    {ErrorCode::kValidationFailed, {422, "validation_failed"}},
    {ErrorCode::kInvalidQuery, {400, "invalid_query"}},
    {ErrorCode::kMissingApiKey, {401, "missing_api_key"}},
    {ErrorCode::kInvalidApiKey, {401, "invalid_api_key"}},
    {ErrorCode::kApiKeyInactive, {401, "api_key_inactive"}},
    {ErrorCode::kApiKeyRevoked, {401, "api_key_revoked"}},
    {ErrorCode::kSessionExpired, {401, "session_expired"}},
    {ErrorCode::kCsrfFailed, {403, "csrf_failed"}},
    {ErrorCode::kInvalidCredentials, {401, "invalid_credentials"}},
    {ErrorCode::kAccountRevoked, {403, "account_revoked"}},
    {ErrorCode::kForbidden, {403, "forbidden"}},
    {ErrorCode::kNotFound, {404, "not_found"}},
    {ErrorCode::kUserNotFound, {404, "user_not_found"}},
    {ErrorCode::kRouteNotFound, {404, "not_found"}},
    {ErrorCode::kMethodNotAllowed, {405, "method_not_allowed"}},
    {ErrorCode::kEmailTaken, {409, "email_taken"}},
    {ErrorCode::kPayloadTooLarge, {413, "payload_too_large"}},
    {ErrorCode::kInvalidCid, {400, "invalid_cid"}},
    {ErrorCode::kContentNotFound, {404, "content_not_found"}},
    {ErrorCode::kRateLimited, {429, "rate_limited"}},
    {ErrorCode::kUnknownPlan, {422, "unknown_plan"}},
    {ErrorCode::kRangeNotSatisfiable, {416, "range_not_satisfiable"}},
    {ErrorCode::kInternal, {500, "internal_error"}},
    {ErrorCode::kDatabaseUnavailable, {503, "database_unavailable"}},
    {ErrorCode::kStorageUnavailable, {503, "storage_unavailable"}},
    {ErrorCode::kStorageAuthFailed, {500, "storage_auth_failed"}},
    {ErrorCode::kStorageCidMismatch, {502, "storage_cid_mismatch"}},
    {ErrorCode::kStorageError, {502, "storage_error"}},
};

std::vector<ErrorCode> AllRealCodes() {
  std::vector<ErrorCode> codes;
  for (int i = 0; i <= static_cast<int>(ErrorCode::kStorageError); ++i) {  // the last code
    const auto code = static_cast<ErrorCode>(i);
    if (code != ErrorCode::kServerSideError) codes.push_back(code);
  }
  return codes;
}

bool IsSnakeCase(std::string_view s) {
  if (s.empty() || s.front() == '_' || s.back() == '_') return false;
  for (const char c : s) {
    if (!((c >= 'a' && c <= 'z') || c == '_')) return false;
  }
  return s.find("__") == std::string_view::npos;
}

TEST(ErrorTable, EveryCodeMapsToItsDocumentedStatusAndCode) {
  const auto codes = AllRealCodes();
  EXPECT_EQ(codes.size(), kExpected.size()) << "a new ErrorCode needs a row here and in error_table.cpp";
  for (const ErrorCode code : codes) {
    const auto expected = kExpected.find(code);
    ASSERT_NE(expected, kExpected.end()) << "ErrorCode #" << static_cast<int>(code) << " is not documented";
    const HttpError http = ToHttpError(code);
    EXPECT_EQ(http.status, expected->second.first) << expected->second.second;
    EXPECT_EQ(http.code, expected->second.second);
    EXPECT_FALSE(http.message.empty()) << http.code;
  }
}

TEST(ErrorTable, ClientCodesAre4xxAndServerCodesAre5xx) {
  for (const ErrorCode code : AllRealCodes()) {
    const int status = ToHttpError(code).status;
    if (code < ErrorCode::kServerSideError) {
      EXPECT_TRUE(status >= 400 && status < 500) << ToHttpError(code).code;
    } else {
      EXPECT_TRUE(status >= 500 && status < 600) << ToHttpError(code).code;
    }
  }
}

TEST(ErrorTable, CodesAreSnakeCaseAndUniqueExceptTheSharedNotFound) {
  std::map<std::string, int> seen;
  for (const ErrorCode code : AllRealCodes()) {
    const std::string name(ToHttpError(code).code);
    EXPECT_TRUE(IsSnakeCase(name)) << name;
    ++seen[name];
  }
  for (const auto& [name, count] : seen) {
    EXPECT_EQ(count, name == "not_found" ? 2 : 1) << name;
  }
}

TEST(ErrorTable, MarkerFallsBackTo500ByPosition) {
  const HttpError http = ToHttpError(ErrorCode::kServerSideError);
  EXPECT_EQ(http.status, 500);
  EXPECT_EQ(http.code, "internal_error");
}

TEST(ErrorTable, UnlistedCodesFallBackBy4xxOr5xxPosition) {
  EXPECT_EQ(ToHttpError(static_cast<ErrorCode>(-1)).status, 400);
  EXPECT_EQ(ToHttpError(static_cast<ErrorCode>(-1)).code, "bad_request");
  EXPECT_EQ(ToHttpError(static_cast<ErrorCode>(1000)).status, 500);
}

TEST(ErrorResponse, HasTheEnvelopeShape) {
  const Error error(ErrorCode::kValidationFailed, "'email' is required", {{"field", "email"}});
  const Response response = ErrorResponse(error, "req-42");
  EXPECT_EQ(response.status, 422);
  EXPECT_EQ(response.content_type, "application/json");
  const auto body = nlohmann::json::parse(response.body);
  EXPECT_EQ(body.size(), 3u);
  EXPECT_EQ(body.at("status"), 422);
  EXPECT_EQ(body.at("message"), "'email' is required");
  const auto& envelope = body.at("error");
  EXPECT_EQ(envelope.size(), 3u);
  EXPECT_EQ(envelope.at("code"), "validation_failed");
  EXPECT_EQ(envelope.at("details"), (nlohmann::json{{"field", "email"}}));
  EXPECT_EQ(envelope.at("request_id"), "req-42");
}

TEST(ErrorResponse, DetailsAreAnEmptyObjectWhenThereAreNone) {
  const auto body = nlohmann::json::parse(ErrorResponse(Error(ErrorCode::kForbidden), "r").body);
  EXPECT_TRUE(body.at("error").at("details").is_object());
  EXPECT_TRUE(body.at("error").at("details").empty());
}

TEST(ErrorResponse, ClientErrorWithoutPublicMessageUsesTheTableMessage) {
  const auto body = nlohmann::json::parse(ErrorResponse(Error(ErrorCode::kMissingApiKey), "r").body);
  EXPECT_EQ(body.at("message"), std::string(ToHttpError(ErrorCode::kMissingApiKey).message));
}

TEST(ErrorResponse, ServerErrorNeverShowsPublicOrInternalText) {
  const Error error(ErrorCode::kInternal, "public secret detail", {}, "pqxx: password authentication failed");
  const Response response = ErrorResponse(error, "r");
  EXPECT_EQ(response.status, 500);
  EXPECT_EQ(response.body.find("secret"), std::string::npos) << response.body;
  EXPECT_EQ(response.body.find("pqxx"), std::string::npos) << response.body;
  EXPECT_EQ(nlohmann::json::parse(response.body).at("message"), "Internal server error");
}

TEST(ErrorResponse, ClientErrorNeverShowsInternalText) {
  const Error error(ErrorCode::kInvalidQuery, {}, {}, "sql_error: invalid input syntax for type timestamp");
  const Response response = ErrorResponse(error, "r");
  EXPECT_EQ(response.status, 400);
  EXPECT_EQ(response.body.find("sql_error"), std::string::npos) << response.body;
}

TEST(ErrorResponse, DatabaseUnavailableIs503WithItsOwnCode) {
  const auto body = nlohmann::json::parse(ErrorResponse(Error(ErrorCode::kDatabaseUnavailable), "r").body);
  EXPECT_EQ(body.at("status"), 503);
  EXPECT_EQ(body.at("error").at("code"), "database_unavailable");
}

TEST(ErrorResponse, StorageErrorsAreServerSideAndHideTheirInternalText) {
  for (const ErrorCode code : {ErrorCode::kStorageUnavailable, ErrorCode::kStorageAuthFailed,
                               ErrorCode::kStorageCidMismatch, ErrorCode::kStorageError}) {
    EXPECT_GT(code, ErrorCode::kServerSideError);
    const Error error(code, "public", {}, "s3 PutObject: HTTP 403 SignatureDoesNotMatch");
    const Response response = ErrorResponse(error, "r");
    EXPECT_EQ(response.body.find("SignatureDoesNotMatch"), std::string::npos) << response.body;
    EXPECT_EQ(nlohmann::json::parse(response.body).at("message"), std::string(ToHttpError(code).message));
  }
}

TEST(ErrorResponse, RetryAfterDetailBecomesTheRetryAfterHeader) {
  const Error refused(ErrorCode::kStorageUnavailable, {}, {{"retry_after_seconds", "42"}});
  const Response response = ErrorResponse(refused, "r");
  EXPECT_EQ(response.status, 503);
  ASSERT_EQ(response.headers.size(), 1u);
  EXPECT_EQ(response.headers[0].first, "Retry-After");
  EXPECT_EQ(response.headers[0].second, "42");
  EXPECT_EQ(nlohmann::json::parse(response.body).at("error").at("details").at("retry_after_seconds"), "42");
  EXPECT_TRUE(ErrorResponse(Error(ErrorCode::kStorageUnavailable), "r").headers.empty());
}

TEST(ErrorResponse, EscapesHostileDetailValuesAsJson) {
  const Error error(ErrorCode::kValidationFailed, "Unknown field '\"}'", {{"field", "\"},\"x\":\"y"}});
  const auto body = nlohmann::json::parse(ErrorResponse(error, "r").body);
  EXPECT_EQ(body.at("error").at("details").at("field"), "\"},\"x\":\"y");
  EXPECT_FALSE(body.contains("x"));
}

TEST(ErrorResponse, DetailsThatAreNotUtf8StillGiveAValidEnvelope) {
  // Details may echo client input, e.g. the decoded path of a 404 ("/caf%E9" -> byte 0xE9).
  const Error error(ErrorCode::kRouteNotFound, {}, {{"path", "/caf\xE9"}});
  Response response;
  ASSERT_NO_THROW(response = ErrorResponse(error, "r"));
  EXPECT_EQ(response.status, 404);
  EXPECT_TRUE(nlohmann::json::accept(response.body)) << response.body;
}

}  // namespace
}  // namespace gw::web
