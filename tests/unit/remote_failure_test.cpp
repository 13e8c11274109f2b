#include "domain/remote_failure.hpp"

#include <gtest/gtest.h>

namespace gw::domain {
namespace {

RemoteFailure Http(int status, std::string code = {}) {
  return RemoteFailure{RemoteFailure::Kind::kHttp, status, std::move(code), "message"};
}

TEST(ClassifyRemoteFailure, ConnectErrorsAndTimeoutsAreTransient) {
  EXPECT_EQ(Classify({RemoteFailure::Kind::kConnect, 0, {}, "Connection refused"}), FailureClass::kTransient);
  EXPECT_EQ(Classify({RemoteFailure::Kind::kTimeout, 0, {}, "Operation timed out"}), FailureClass::kTransient);
}

TEST(ClassifyRemoteFailure, OtherTransportErrorsAreNotRetried) {
  EXPECT_EQ(Classify({RemoteFailure::Kind::kTransport, 0, {}, "SSL peer certificate"}), FailureClass::kRejected);
}

TEST(ClassifyRemoteFailure, ThrottlingAndServerErrorsAreTransient) {
  for (const int status : {429, 500, 502, 503, 504}) {
    EXPECT_EQ(Classify(Http(status)), FailureClass::kTransient) << status;
  }
  EXPECT_EQ(Classify(Http(503, "SlowDown")), FailureClass::kTransient);
  EXPECT_EQ(Classify(Http(400, "SlowDown")), FailureClass::kTransient) << "the code says back off";
  // CompleteMultipartUpload may fail after its 200 status line, with an <Error> body.
  EXPECT_EQ(Classify(Http(200, "InternalError")), FailureClass::kTransient);
  EXPECT_EQ(Classify(Http(200, "ServiceUnavailable")), FailureClass::kTransient);
  EXPECT_EQ(Classify(Http(200, "NoSuchUpload")), FailureClass::kRejected);
}

TEST(ClassifyRemoteFailure, AuthFailuresAreNeverRetried) {
  for (const char* code : {"SignatureDoesNotMatch", "AccessDenied", "InvalidAccessKeyId", ""}) {
    EXPECT_EQ(Classify(Http(403, code)), FailureClass::kAuth) << code;
  }
  EXPECT_EQ(Classify(Http(401)), FailureClass::kAuth);
}

TEST(ClassifyRemoteFailure, NotFoundAndOtherStatusesAreRejections) {
  EXPECT_EQ(Classify(Http(404, "NoSuchKey")), FailureClass::kNotFound);
  for (const int status : {400, 405, 409, 411, 413, 501, 505, 301, 200}) {
    EXPECT_EQ(Classify(Http(status)), FailureClass::kRejected) << status;
  }
}

TEST(ToStorageError, MapsEachClassToItsCodeAndKeepsTheDetailInTheLogOnly) {
  const Error unavailable = ToStorageError(Http(503, "SlowDown"), "s3", "PutObject", 4);
  EXPECT_EQ(unavailable.Code(), ErrorCode::kStorageUnavailable);
  EXPECT_EQ(unavailable.InternalMessage(), "s3 PutObject: HTTP 503 SlowDown: message (after 4 attempts)");
  EXPECT_TRUE(unavailable.PublicMessage().empty());

  const Error auth = ToStorageError(Http(403, "SignatureDoesNotMatch"), "s3", "HeadObject", 1);
  EXPECT_EQ(auth.Code(), ErrorCode::kStorageAuthFailed);
  EXPECT_EQ(auth.InternalMessage(), "s3 HeadObject: HTTP 403 SignatureDoesNotMatch: message (after 1 attempt)");

  EXPECT_EQ(ToStorageError(Http(404), "s3", "x", 1).Code(), ErrorCode::kStorageError);
  EXPECT_EQ(ToStorageError(Http(400, "InvalidPart"), "s3", "x", 1).Code(), ErrorCode::kStorageError);
  EXPECT_EQ(ToStorageError({RemoteFailure::Kind::kTimeout, 0, {}, "t"}, "s3", "x", 3).Code(),
            ErrorCode::kStorageUnavailable);
}

TEST(RemoteCallFailed, WhatDescribesTheFailure) {
  const RemoteCallFailed failed({RemoteFailure::Kind::kConnect, 0, {}, "Connection refused"});
  EXPECT_STREQ(failed.what(), "connect error: Connection refused");
  EXPECT_EQ(failed.Failure().kind, RemoteFailure::Kind::kConnect);
}

}  // namespace
}  // namespace gw::domain
