#include "domain/remote_failure.hpp"

namespace gw::domain {

FailureClass Classify(const RemoteFailure& failure) {
  switch (failure.kind) {
    case RemoteFailure::Kind::kConnect:
    case RemoteFailure::Kind::kTimeout: return FailureClass::kTransient;
    case RemoteFailure::Kind::kTransport: return FailureClass::kRejected;
    case RemoteFailure::Kind::kHttp: break;
  }
  // The code says "try again" whatever the status: S3 throttles with 503 SlowDown, and
  // CompleteMultipartUpload can fail with 200 and an InternalError body.
  if (failure.code == "SlowDown" || failure.code == "InternalError" || failure.code == "ServiceUnavailable") {
    return FailureClass::kTransient;
  }
  switch (failure.http_status) {
    case 429:
    case 500:
    case 502:
    case 503:
    case 504: return FailureClass::kTransient;
    case 401:
    case 403: return FailureClass::kAuth;
    case 404: return FailureClass::kNotFound;
    default: return FailureClass::kRejected;
  }
}

std::string Describe(const RemoteFailure& failure) {
  std::string text;
  switch (failure.kind) {
    case RemoteFailure::Kind::kConnect: text = "connect error"; break;
    case RemoteFailure::Kind::kTimeout: text = "timeout"; break;
    case RemoteFailure::Kind::kTransport: text = "transport error"; break;
    case RemoteFailure::Kind::kHttp: text = "HTTP " + std::to_string(failure.http_status); break;
  }
  if (!failure.code.empty()) text += " " + failure.code;
  if (!failure.message.empty()) text += ": " + failure.message;
  return text;
}

Error ToStorageError(const RemoteFailure& failure, std::string_view endpoint, std::string_view operation,
                     int attempts) {
  std::string internal = std::string(endpoint) + " " + std::string(operation) + ": " + Describe(failure) + " (after " +
                         std::to_string(attempts) + (attempts == 1 ? " attempt)" : " attempts)");
  switch (Classify(failure)) {
    case FailureClass::kTransient: return Error(ErrorCode::kStorageUnavailable, {}, {}, std::move(internal));
    case FailureClass::kAuth: return Error(ErrorCode::kStorageAuthFailed, {}, {}, std::move(internal));
    case FailureClass::kNotFound:
    case FailureClass::kRejected: break;
  }
  return Error(ErrorCode::kStorageError, {}, {}, std::move(internal));
}

}  // namespace gw::domain
