#include "fcgi/http/error_table.hpp"

#include <nlohmann/json.hpp>

#include <array>

namespace gw::web {
namespace {

using domain::ErrorCode;

struct Row {
  ErrorCode code;
  HttpError http;
};

// Keep in step with domain/error.hpp and the error list in docs/api.md.
constexpr std::array kTable{
    Row{ErrorCode::kBadRequest, {400, "bad_request", "The request is malformed"}},
    Row{ErrorCode::kInvalidJson, {400, "invalid_json", "The request body is not valid JSON"}},
    Row{ErrorCode::kUnsupportedMediaType, {415, "unsupported_media_type", "The request body must be application/json"}},
    Row{ErrorCode::kValidationFailed, {422, "validation_failed", "A field is missing or invalid"}},
    Row{ErrorCode::kInvalidQuery, {400, "invalid_query", "A query parameter is invalid"}},
    Row{ErrorCode::kMissingApiKey, {401, "missing_api_key", "An X-API-Key header is required"}},
    Row{ErrorCode::kInvalidApiKey, {401, "invalid_api_key", "The API key is not valid"}},
    Row{ErrorCode::kApiKeyInactive, {401, "api_key_inactive", "The API key was replaced by a newer one"}},
    Row{ErrorCode::kApiKeyRevoked, {401, "api_key_revoked", "The API key has been revoked by an administrator"}},
    Row{ErrorCode::kSessionExpired, {401, "session_expired", "The session has ended; sign in again"}},
    Row{ErrorCode::kCsrfFailed, {403, "csrf_failed", "Missing or wrong CSRF token"}},
    Row{ErrorCode::kInvalidCredentials, {401, "invalid_credentials", "Email or password is incorrect"}},
    Row{ErrorCode::kAccountRevoked, {403, "account_revoked", "The account has been revoked by an administrator"}},
    Row{ErrorCode::kForbidden, {403, "forbidden", "This action is not allowed for this API key"}},
    Row{ErrorCode::kNotFound, {404, "not_found", "Not found"}},
    Row{ErrorCode::kUserNotFound, {404, "user_not_found", "No account has this email"}},
    Row{ErrorCode::kRouteNotFound, {404, "not_found", "No such endpoint"}},
    Row{ErrorCode::kMethodNotAllowed, {405, "method_not_allowed", "This endpoint does not support this method"}},
    Row{ErrorCode::kEmailTaken, {409, "email_taken", "An account with this email already exists"}},
    Row{ErrorCode::kPayloadTooLarge, {413, "payload_too_large", "Request body too large"}},
    Row{ErrorCode::kInvalidCid, {400, "invalid_cid", "The CID is not valid"}},
    Row{ErrorCode::kContentNotFound, {404, "content_not_found", "No content with this CID is stored for this key"}},
    Row{ErrorCode::kRateLimited, {429, "rate_limited", "Too many requests; retry after the time in Retry-After"}},
    Row{ErrorCode::kUnknownPlan, {422, "unknown_plan", "No plan has this name"}},
    Row{ErrorCode::kRangeNotSatisfiable, {416, "range_not_satisfiable", "The Range is outside the file"}},
    Row{ErrorCode::kInternal, {500, "internal_error", "Internal server error"}},
    Row{ErrorCode::kDatabaseUnavailable,
        {503, "database_unavailable", "The database is unavailable, try again shortly"}},
    Row{ErrorCode::kStorageUnavailable,
        {503, "storage_unavailable", "The storage backend is unavailable, try again shortly"}},
    // 500, not 502: the backend answered correctly; our own credentials (or clock) are wrong, a
    // fault of this service's configuration that no retry by the client can cure.
    Row{ErrorCode::kStorageAuthFailed,
        {500, "storage_auth_failed", "The storage backend refused this service's credentials"}},
    Row{ErrorCode::kStorageCidMismatch,
        {502, "storage_cid_mismatch", "The storage backend reported another CID than the content's"}},
    Row{ErrorCode::kStorageError, {502, "storage_error", "The storage backend failed"}},
};

}  // namespace

HttpError ToHttpError(ErrorCode code) {
  for (const auto& row : kTable) {
    if (row.code == code) return row.http;
  }
  return code < ErrorCode::kServerSideError ? HttpError{400, "bad_request", "The request is malformed"}
                                            : HttpError{500, "internal_error", "Internal server error"};
}

Response ErrorResponse(const domain::Error& error, std::string_view request_id) {
  const HttpError http = ToHttpError(error.Code());
  nlohmann::json details = nlohmann::json::object();
  for (const auto& [key, value] : error.Details()) details[key] = value;
  // Server-side failures never echo internal text; client errors may carry a precise message.
  const bool server_side = http.status >= 500;
  const std::string_view message =
      !server_side && !error.PublicMessage().empty() ? std::string_view(error.PublicMessage()) : http.message;
  Response response;
  response.status = http.status;
  nlohmann::ordered_json envelope;
  envelope["status"] = http.status;
  envelope["message"] = message;
  envelope["error"]["code"] = http.code;
  envelope["error"]["details"] = details;
  envelope["error"]["request_id"] = request_id;
  // Details may echo client bytes (a decoded path): replace invalid UTF-8 rather than throw.
  response.body = envelope.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
  // An open circuit breaker knows when it will admit calls again (domain/backoff_retry.hpp).
  for (const auto& [key, value] : error.Details()) {
    if (key == "retry_after_seconds") response.SetHeader("Retry-After", value);
  }
  return response;
}

}  // namespace gw::web
