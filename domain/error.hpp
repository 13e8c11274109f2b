#pragma once
/// @file
/// The closed set of errors the service can report, and the one exception type that carries them.
///
/// Client-side codes come before kServerSideError and server-side codes after it, so a code that
/// is missing from the HTTP table (fcgi/http/error_table.cpp) still falls back to 4xx or 5xx by
/// position. When you add a code, add its row to that table and to the error list in docs/api.md.

#include <string>
#include <utility>
#include <vector>

namespace gw::domain {

enum class ErrorCode {
  kBadRequest,            //!< malformed request that fits no finer code
  kInvalidJson,           //!< body is not JSON
  kUnsupportedMediaType,  //!< body is not application/json
  kValidationFailed,      //!< JSON was fine but a field is missing or wrong
  kInvalidQuery,          //!< a query parameter is malformed or out of range
  kMissingApiKey,         //!< no X-API-Key header
  kInvalidApiKey,         //!< key unknown or malformed
  kApiKeyInactive,        //!< key was superseded by a renewal
  kApiKeyRevoked,         //!< the account's key was revoked by an administrator
  kSessionExpired,        //!< the session cookie is unknown, expired, idle too long, signed out or its key renewed
  kCsrfFailed,            //!< a cookie-authenticated change without the session's X-CSRF-Token, or cross-origin
  kInvalidCredentials,    //!< email/password pair does not match
  kAccountRevoked,        //!< password login refused while an administrator has revoked the account
  kForbidden,             //!< authenticated but not allowed (e.g. not an admin)
  kNotFound,              //!< the addressed thing does not exist (or is not the caller's)
  kUserNotFound,          //!< an admin addressed an email that has no account
  kRouteNotFound,         //!< no route for this path
  kMethodNotAllowed,      //!< the path exists, the method does not
  kEmailTaken,            //!< registration with an email that already has an account
  kPayloadTooLarge,       //!< body larger than the route allows
  kInvalidCid,            //!< a CID that does not parse or uses an unsupported codec/hash
  kContentNotFound,       //!< the caller holds no content with this CID (pin/unpin)
  kRateLimited,           //!< the caller's rate limit or upload budget is spent for now (Retry-After)
  kUnknownPlan,           //!< an admin named a plan that does not exist
  kRangeNotSatisfiable,   //!< no range of a Range header lies within the file
  kServerSideError,       //!< marker: everything below is the service's fault, not the client's
  kInternal,              //!< unexpected failure; details only in the log
  kDatabaseUnavailable,   //!< PostgreSQL cannot be reached
  kStorageUnavailable,    //!< the storage backend is down or its circuit breaker is open: try again later
  kStorageAuthFailed,     //!< the storage backend refused our credentials or signature (a configuration fault)
  kStorageCidMismatch,    //!< the storage backend reported another CID than the one computed here
  kStorageError,          //!< any other failure of the storage backend
};

/// One detail of an error, e.g. {"field", "email"}; rendered into error.details.
using ErrorDetails = std::vector<std::pair<std::string, std::string>>;

/// The single exception type of the domain. `public_message` (optional) replaces the table's
/// default message for the client; `internal_message` only ever goes to the log.
class Error : public std::exception {
 public:
  explicit Error(ErrorCode code, std::string public_message = {}, ErrorDetails details = {},
                 std::string internal_message = {})
      : code_(code),
        public_message_(std::move(public_message)),
        details_(std::move(details)),
        internal_message_(std::move(internal_message)) {}

  ErrorCode Code() const noexcept { return code_; }
  const std::string& PublicMessage() const noexcept { return public_message_; }
  const ErrorDetails& Details() const noexcept { return details_; }
  const std::string& InternalMessage() const noexcept { return internal_message_; }
  const char* what() const noexcept override {
    return internal_message_.empty() ? public_message_.c_str() : internal_message_.c_str();
  }

 private:
  ErrorCode code_;
  std::string public_message_;
  ErrorDetails details_;
  std::string internal_message_;
};

/// Shorthand for the most common validation failure: one named field and why.
inline Error FieldError(std::string field, std::string message) {
  return Error(ErrorCode::kValidationFailed, std::move(message), {{"field", std::move(field)}});
}

}  // namespace gw::domain
