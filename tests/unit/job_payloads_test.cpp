// Job payloads are written by the request and read back by a job worker, perhaps after a
// restart or by a newer version: every field must survive the trip, and anything malformed
// must be kBadRequest (a client-side code), so that the runner buries the job instead of
// retrying something no retry can cure.
#include "domain/job_payloads.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <functional>
#include <limits>

#include "domain/error.hpp"

namespace gw::domain {
namespace {

using nlohmann::json;

UploadJobPayload AnUpload() { return {"0a1b2c.body", 123, 4567, "report.pdf", "req-1", "203.0.113.9"}; }

/// The code and internal message of the Error `decode` throws; kServerSideError if none.
std::pair<ErrorCode, std::string> ErrorOf(const std::function<void()>& decode) {
  try {
    decode();
  } catch (const Error& error) {
    return {error.Code(), error.InternalMessage()};
  }
  ADD_FAILURE() << "expected a domain::Error";
  return {ErrorCode::kServerSideError, ""};
}

ErrorCode UploadError(const std::string& payload) {
  return ErrorOf([&] { DecodeUploadJob(payload); }).first;
}

TEST(UploadJobPayload, RoundTripsEveryField) {
  const UploadJobPayload decoded = DecodeUploadJob(EncodeUploadJob(AnUpload()));
  EXPECT_EQ(decoded.spool, "0a1b2c.body");
  EXPECT_EQ(decoded.offset, 123u);
  EXPECT_EQ(decoded.length, 4567u);
  EXPECT_EQ(decoded.filename, "report.pdf");
  EXPECT_EQ(decoded.request_id, "req-1");
  EXPECT_EQ(decoded.client_address, "203.0.113.9");
}

TEST(UploadJobPayload, KeepsOffsetsBeyondDoublePrecisionExactly) {
  // A JSON library that went through double would round these; a wrong offset imports the
  // wrong bytes under a valid CID, which nothing would ever notice.
  UploadJobPayload payload = AnUpload();
  payload.offset = (std::uint64_t{1} << 53) + 1;
  payload.length = std::numeric_limits<std::uint64_t>::max();
  const UploadJobPayload decoded = DecodeUploadJob(EncodeUploadJob(payload));
  EXPECT_EQ(decoded.offset, payload.offset);
  EXPECT_EQ(decoded.length, payload.length);
}

TEST(UploadJobPayload, InvalidUtf8IsReplacedInsteadOfFailingTheUpload) {
  // The encoder must not throw on bytes the request carried: the upload would fail with 500.
  UploadJobPayload payload = AnUpload();
  payload.request_id = "req-\xff";
  payload.client_address = "\xc3";
  std::string encoded;
  ASSERT_NO_THROW(encoded = EncodeUploadJob(payload));
  const UploadJobPayload decoded = DecodeUploadJob(encoded);
  EXPECT_EQ(decoded.request_id, "req-\xEF\xBF\xBD");  // U+FFFD
  EXPECT_EQ(decoded.client_address, "\xEF\xBF\xBD");
}

TEST(UploadJobPayload, MalformedJsonIsABadRequest) {
  for (const char* bad : {"", "not json", "{", "[]", "null", "42", "\"upload\""}) {
    EXPECT_EQ(UploadError(bad), ErrorCode::kBadRequest) << bad;
  }
}

TEST(UploadJobPayload, EachMissingFieldIsABadRequestNamingTheField) {
  for (const char* field : {"spool", "offset", "length", "filename", "request_id", "client_address"}) {
    json payload = json::parse(EncodeUploadJob(AnUpload()));
    ASSERT_EQ(payload.erase(field), 1u) << field;
    const auto [code, message] = ErrorOf([&] { DecodeUploadJob(payload.dump()); });
    EXPECT_EQ(code, ErrorCode::kBadRequest) << field;
    EXPECT_NE(message.find(field), std::string::npos) << message;  // the log must say what is wrong
  }
}

TEST(UploadJobPayload, AFieldOfTheWrongTypeIsABadRequest) {
  const std::pair<const char*, json> bad[] = {
      {"offset", "12"}, {"length", nullptr}, {"length", json::array()}, {"spool", 5}, {"filename", false},
  };
  for (const auto& [field, value] : bad) {
    json payload = json::parse(EncodeUploadJob(AnUpload()));
    payload[field] = value;
    EXPECT_EQ(UploadError(payload.dump()), ErrorCode::kBadRequest) << field << " = " << value.dump();
  }
}

// Disabled: DecodeUploadJob reads offset/length with get<std::uint64_t>(), which nlohmann
// converts from -1 (to 2^64 - 1) and 1.5 (to 1) without complaint. Enable once the decoder
// checks is_number_unsigned() (see the report that came with this test).
TEST(UploadJobPayload, ANegativeOrFractionalRangeIsABadRequest) {
  for (const json& value : {json(-1), json(1.5)}) {
    json payload = json::parse(EncodeUploadJob(AnUpload()));
    payload["offset"] = value;
    EXPECT_EQ(UploadError(payload.dump()), ErrorCode::kBadRequest) << value.dump();
  }
}

TEST(UploadJobPayload, ASpoolNameThatCouldLeaveTheSpoolIsABadRequest) {
  // The name becomes a path under the spool directory: a crafted payload (a row edited by
  // hand, a bug elsewhere) must not make a job read or delete any other file.
  for (const char* bad : {"", "../etc/passwd", "a/b", "/etc/passwd", ".", "..", ".hidden", "x/"}) {
    UploadJobPayload payload = AnUpload();
    payload.spool = bad;
    EXPECT_EQ(UploadError(EncodeUploadJob(payload)), ErrorCode::kBadRequest) << bad;
  }
}

TEST(UploadJobPayload, IgnoresFieldsItDoesNotKnow) {
  // A newer version may add fields; jobs it queued must still run on an older worker.
  json payload = json::parse(EncodeUploadJob(AnUpload()));
  payload["added_later"] = true;
  EXPECT_EQ(DecodeUploadJob(payload.dump()).length, 4567u);
}

TEST(PinJobPayload, RoundTripsEveryField) {
  const PinJobPayload decoded = DecodePinJob(EncodePinJob({"bafkqaaa", "req-2", "2001:db8::1"}));
  EXPECT_EQ(decoded.cid, "bafkqaaa");
  EXPECT_EQ(decoded.request_id, "req-2");
  EXPECT_EQ(decoded.client_address, "2001:db8::1");
}

TEST(PinJobPayload, MalformedJsonIsABadRequest) {
  for (const char* bad : {"", "[1]", "null", "{\"cid\":"}) {
    EXPECT_EQ(ErrorOf([&] { DecodePinJob(bad); }).first, ErrorCode::kBadRequest) << bad;
  }
}

TEST(PinJobPayload, AMissingOrMistypedFieldIsABadRequestNamingTheField) {
  for (const char* field : {"cid", "request_id", "client_address"}) {
    json missing = json::parse(EncodePinJob({"bafkqaaa", "req-2", "198.51.100.4"}));
    missing.erase(field);
    const auto [code, message] = ErrorOf([&] { DecodePinJob(missing.dump()); });
    EXPECT_EQ(code, ErrorCode::kBadRequest) << field;
    EXPECT_NE(message.find(field), std::string::npos) << message;

    json mistyped = json::parse(EncodePinJob({"bafkqaaa", "req-2", "198.51.100.4"}));
    mistyped[field] = 1;
    EXPECT_EQ(ErrorOf([&] { DecodePinJob(mistyped.dump()); }).first, ErrorCode::kBadRequest) << field;
  }
}

TEST(PayloadErrors, AreClientSideSoTheJobIsBuriedNotRetried) {
  // JobRunner buries exactly the codes before kServerSideError.
  EXPECT_LT(UploadError("{}"), ErrorCode::kServerSideError);
  EXPECT_LT(ErrorOf([] { DecodePinJob("{}"); }).first, ErrorCode::kServerSideError);
}

TEST(JobAuditContext, CarriesTheRequestAndMakesTheOwnerTheActor) {
  // A job acts on its owner's behalf: its audit rows must name the owner and the request
  // that created the job, not the worker.
  const AuditContext audit = JobAuditContext("req-3", "192.0.2.1", 42);
  EXPECT_EQ(audit.request_id, "req-3");
  EXPECT_EQ(audit.client_address, "192.0.2.1");
  EXPECT_EQ(audit.actor_user_id, 42);
}

}  // namespace
}  // namespace gw::domain
