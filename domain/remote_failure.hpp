#pragma once
/// @file How a call to a remote service (Filebase's S3 or pinning API) failed, and what that
/// means for retries, the circuit breaker and the client's answer.
///
/// Adapters (persistence/) throw RemoteCallFailed from inside one attempt; BackoffRetry
/// (backoff_retry.hpp) classifies it, retries what is transient and turns the final failure
/// into a domain::Error (ToStorageError).

#include <exception>
#include <string>

#include "domain/error.hpp"

namespace gw::domain {

struct RemoteFailure {
  enum class Kind {
    kConnect,    //!< no answer: resolve or connect failed, connection reset, empty reply
    kTimeout,    //!< the connect or total timeout expired
    kTransport,  //!< anything else below HTTP, e.g. a TLS certificate refused: not retried
    kHttp,       //!< an HTTP answer that is not the one expected
  };
  Kind kind = Kind::kHttp;
  int http_status = 0;  //!< for kHttp
  std::string code;     //!< S3's error Code ("SlowDown", "AccessDenied") when the body had one
  std::string message;  //!< the remote's Message, or the transport's error text; for the log only
};

enum class FailureClass {
  kTransient,  //!< worth retrying; counts against the circuit breaker
  kAuth,       //!< our credentials or signature were refused (403, 401): retrying cannot help
  kNotFound,   //!< 404
  kRejected,   //!< any other refusal (other 4xx, unexpected 5xx such as 501): a bug or a misuse
};

/// transient: connect errors, timeouts, HTTP 429, 500, 502, 503, 504, and S3's codes SlowDown,
/// InternalError and ServiceUnavailable whatever the status; auth: 401 and 403 (SignatureDoesNotMatch, AccessDenied,
/// InvalidAccessKeyId, RequestTimeTooSkewed); 404: not found; everything else: rejected.
FailureClass Classify(const RemoteFailure& failure);

/// One line for the log, e.g. "HTTP 503 SlowDown: Please reduce your request rate".
std::string Describe(const RemoteFailure& failure);

/// The final failure of `operation` on `endpoint` after `attempts` attempts, as the error the
/// client sees: transient -> kStorageUnavailable, auth -> kStorageAuthFailed, anything else ->
/// kStorageError. The internal message (log only) has the endpoint, the operation and Describe.
Error ToStorageError(const RemoteFailure& failure, std::string_view endpoint, std::string_view operation, int attempts);

/// Thrown by one attempt of a remote call.
class RemoteCallFailed : public std::exception {
 public:
  explicit RemoteCallFailed(RemoteFailure failure) : failure_(std::move(failure)), what_(Describe(failure_)) {}
  const RemoteFailure& Failure() const noexcept { return failure_; }
  const char* what() const noexcept override { return what_.c_str(); }

 private:
  RemoteFailure failure_;
  std::string what_;
};

}  // namespace gw::domain
