// ContentService on the request side of asynchronous jobs: which uploads and pins are done within the
// request and which become tasks, and what a task is created with.
#include "code_of.hpp"
#include "content_fakes.hpp"

#include <gtest/gtest.h>

#include "domain/content_service.hpp"
#include "domain/error.hpp"
#include "domain/job_payloads.hpp"

namespace gw::domain {
namespace {

using test::CallLog;
using test::kFakeCid;

const Principal kAlice{7, "alice@example.com", false, "ipfs_gw_alice"};
const AuditContext kAudit{"req-9", "203.0.113.5", 7};
constexpr std::uint64_t kThreshold = 1000;

/// A CIDv0 and the canonical CIDv1 it stands for (cid_test.cpp).
constexpr const char* kV0 = "Qmf412jQZiuVUtdgnB36FXFX7xg5V6KEbSJ4dpQuhkLyfD";
constexpr const char* kV0AsV1 = "bafybeihykld7uyxzogax6vgyvag42y7464eywpf55gxi5qpoisibh3c5wa";

using test::CodeOf;

class ContentTasksTest : public ::testing::Test {
 protected:
  UploadOutcome Upload(std::uint64_t length, std::string filename = "notes.txt") {
    return service.Upload(files, kAlice, {"/tmp/nginx/0042", 17, length, std::move(filename)}, kAudit);
  }

  CallLog log;
  test::FakeContentStore store{log};
  test::FakeUploadSpool spool{log};
  test::FakeFileRepository files{log};
  ContentService service{store, spool, TaskSettings{kThreshold, 3}};
};

TEST_F(ContentTasksTest, AnUploadBelowTheThresholdIsStoredWithinTheRequest) {
  const UploadOutcome outcome = Upload(kThreshold - 1);
  ASSERT_TRUE(outcome.file.has_value());
  EXPECT_FALSE(outcome.task.has_value());
  EXPECT_EQ(outcome.file->cid, kFakeCid);
  // The bytes become visible while RecordUpload holds the content row (GC race), and the
  // spool is not involved at all.
  EXPECT_EQ(log, (CallLog{"stage /tmp/nginx/0042 17 999", std::string("record_upload 7 ") + kFakeCid,
                          std::string("commit ") + kFakeCid, "record_upload done"}));
}

TEST_F(ContentTasksTest, AnUploadAtTheThresholdBecomesATask) {
  const UploadOutcome outcome = Upload(kThreshold);
  EXPECT_FALSE(outcome.file.has_value());
  ASSERT_TRUE(outcome.task.has_value());
  EXPECT_EQ(outcome.task->task_id, "task-1");
  EXPECT_EQ(outcome.task->size, kThreshold);
  EXPECT_EQ(outcome.task->filename, "notes.txt");
  // Nothing is imported within the request; the body is kept before the job that needs it exists.
  EXPECT_EQ(log, (CallLog{"keep /tmp/nginx/0042", "enqueue_job 7 upload 3 upload_accepted"}));
}

TEST_F(ContentTasksTest, TheUploadTaskPayloadNamesTheSpooledRangeAndTheRequest) {
  Upload(kThreshold + 5);
  const UploadJobPayload payload = DecodeUploadJob(files.last_payload);
  EXPECT_EQ(payload.spool, "spool-1");
  EXPECT_EQ(payload.offset, 17u);  // the part inside a multipart body, not cut out
  EXPECT_EQ(payload.length, kThreshold + 5);
  EXPECT_EQ(payload.filename, "notes.txt");
  EXPECT_EQ(payload.request_id, "req-9");
  EXPECT_EQ(payload.client_address, "203.0.113.5");
  EXPECT_EQ(files.last_audit.request_id, "req-9");
}

TEST_F(ContentTasksTest, TheTaskFilenameIsStorableText) {
  // The payload is stored in PostgreSQL text and shown back in the 202: no NUL, valid UTF-8.
  const UploadOutcome outcome = Upload(kThreshold, std::string("a\0b\xff.txt", 8));
  ASSERT_TRUE(outcome.task.has_value());
  EXPECT_EQ(outcome.task->filename, "ab\xEF\xBF\xBD.txt");
  EXPECT_EQ(DecodeUploadJob(files.last_payload).filename, outcome.task->filename);
}

TEST_F(ContentTasksTest, AFailedEnqueueDiscardsTheSpooledBodyAndRethrows) {
  // No job will ever read the kept body: it must not stay in the spool until a sweep.
  files.enqueue_fails = true;
  EXPECT_THROW(Upload(kThreshold), std::runtime_error);
  EXPECT_EQ(log, (CallLog{"keep /tmp/nginx/0042", "enqueue_job 7 upload 3 upload_accepted", "discard spool-1"}));
}

TEST_F(ContentTasksTest, WithoutASpoolEveryUploadIsStoredWithinTheRequest) {
  ContentService sync_only(store);
  const UploadOutcome outcome =
      sync_only.Upload(files, kAlice, {"/tmp/nginx/0043", 0, kDefaultMaxUploadBytes, "big"}, kAudit);
  EXPECT_TRUE(outcome.file.has_value());
  EXPECT_FALSE(outcome.task.has_value());
  EXPECT_EQ(log.front(), "stage /tmp/nginx/0043 0 " + std::to_string(kDefaultMaxUploadBytes));
}

TEST_F(ContentTasksTest, AnOversizedUploadIsRefusedBeforeAnythingIsKept) {
  EXPECT_EQ(CodeOf([&] { Upload(kDefaultMaxUploadBytes + 1); }), ErrorCode::kPayloadTooLarge);
  EXPECT_TRUE(log.empty()) << log.front();
}

TEST_F(ContentTasksTest, WithALocalStorePinAndUnpinAreDoneAtOnce) {
  EXPECT_EQ(service.Pin(files, kAlice, kV0, kAudit).task_id, std::nullopt);
  EXPECT_EQ(service.Unpin(files, kAlice, kV0, kAudit).task_id, std::nullopt);
  // Looked up by the canonical CID; the local store is never asked to pin.
  EXPECT_EQ(log, (CallLog{std::string("set_pinned 7 ") + kV0AsV1 + " true",
                          std::string("set_pinned 7 ") + kV0AsV1 + " false"}));
}

TEST_F(ContentTasksTest, PinUnpinAndDeleteAnswerTheCidAsRecorded) {
  // A unixfs-v0-2015 upload recorded "Qm...": the answers name it so, whatever spelling was asked.
  files.recorded_cid = kV0;
  EXPECT_EQ(service.Pin(files, kAlice, kV0AsV1, kAudit).cid, kV0);
  EXPECT_EQ(service.Unpin(files, kAlice, kV0, kAudit).cid, kV0);
  files.recorded_cid = kV0AsV1;
  EXPECT_EQ(service.Pin(files, kAlice, kV0, kAudit).cid, kV0AsV1);
}

TEST_F(ContentTasksTest, WithALocalStorePinningAFileNotHeldIsContentNotFound) {
  files.holds_file = false;
  EXPECT_EQ(CodeOf([&] { service.Pin(files, kAlice, kFakeCid, kAudit); }), ErrorCode::kContentNotFound);
  EXPECT_EQ(CodeOf([&] { service.Unpin(files, kAlice, kFakeCid, kAudit); }), ErrorCode::kContentNotFound);
}

TEST_F(ContentTasksTest, WithARemoteStorePinBecomesAPinTask) {
  store.pins_remotely = true;
  EXPECT_EQ(service.Pin(files, kAlice, kV0, kAudit).task_id, "task-2");
  // The request only records the intent: the (slow, fallible) remote call is the job's.
  EXPECT_EQ(log, (CallLog{std::string("enqueue_job_for_held 7 ") + kV0AsV1 + " pin 3 pin_requested"}));
  const PinJobPayload payload = DecodePinJob(files.last_payload);
  EXPECT_EQ(payload.cid, kV0AsV1);
  EXPECT_EQ(payload.request_id, "req-9");
  EXPECT_EQ(payload.client_address, "203.0.113.5");
}

TEST_F(ContentTasksTest, WithARemoteStoreUnpinBecomesAnUnpinTask) {
  store.pins_remotely = true;
  EXPECT_EQ(service.Unpin(files, kAlice, kFakeCid, kAudit).task_id, "task-2");
  EXPECT_EQ(log, (CallLog{std::string("enqueue_job_for_held 7 ") + kFakeCid + " unpin 3 unpin_requested"}));
}

TEST_F(ContentTasksTest, WithARemoteStoreAPinOfAFileNotHeldIsContentNotFound) {
  store.pins_remotely = true;
  files.holds_file = false;
  EXPECT_EQ(CodeOf([&] { service.Pin(files, kAlice, kFakeCid, kAudit); }), ErrorCode::kContentNotFound);
  EXPECT_EQ(CodeOf([&] { service.Unpin(files, kAlice, kFakeCid, kAudit); }), ErrorCode::kContentNotFound);
}

TEST_F(ContentTasksTest, AMalformedCidIsRefusedBeforeAnyTaskIsCreated) {
  store.pins_remotely = true;
  EXPECT_EQ(CodeOf([&] { service.Pin(files, kAlice, "not-a-cid", kAudit); }), ErrorCode::kInvalidCid);
  EXPECT_TRUE(log.empty()) << log.front();
}

}  // namespace
}  // namespace gw::domain
