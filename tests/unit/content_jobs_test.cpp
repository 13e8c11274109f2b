// ContentService on the job side of asynchronous jobs: the upload and pin jobs must record exactly what
// the synchronous request would have, on behalf of the owner and the creating request.
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

constexpr UserId kOwner = 7;
constexpr const char* kV0 = "Qmf412jQZiuVUtdgnB36FXFX7xg5V6KEbSJ4dpQuhkLyfD";
constexpr const char* kV0AsV1 = "bafybeihykld7uyxzogax6vgyvag42y7464eywpf55gxi5qpoisibh3c5wa";

Job UploadJob(UploadJobPayload payload) {
  Job job;
  job.id = "00000000-0000-4000-8000-000000000001";
  job.type = std::string(kUploadJob);
  job.user_id = kOwner;
  job.payload_json = EncodeUploadJob(payload);
  return job;
}

Job PinJob(std::string cid) {
  Job job;
  job.id = "00000000-0000-4000-8000-000000000002";
  job.type = std::string(kPinJob);
  job.user_id = kOwner;
  job.payload_json = EncodePinJob({std::move(cid), "req-p", "198.51.100.7"});
  return job;
}

using test::CodeOf;

class ContentJobsTest : public ::testing::Test {
 protected:
  CallLog log;
  test::FakeContentStore store{log};
  test::FakeUploadSpool spool{log};
  test::FakeFileRepository files{log};
  test::RecordingControl control;
  ContentService service{store, spool, TaskSettings{1000, 3}};
};

TEST_F(ContentJobsTest, TheUploadJobImportsTheSpooledRangeAndRecordsTheFile) {
  const StoredFile file =
      service.RunUploadJob(files, UploadJob({"spool-9", 40, 3000, "Q3 report.pdf", "req-u", "192.0.2.8"}), control);
  EXPECT_EQ(file.cid, kFakeCid);
  EXPECT_EQ(file.size, 3000);
  EXPECT_EQ(log, (CallLog{"stage /spool/spool-9 40 3000", std::string("record_upload 7 ") + kFakeCid,
                          std::string("commit ") + kFakeCid, "record_upload done"}));
  EXPECT_EQ(files.last_original, "Q3 report.pdf");
  EXPECT_EQ(files.last_safe, "Q3 report.pdf");
}

TEST_F(ContentJobsTest, TheUploadJobIsAuditedAsTheOwnerWithinTheCreatingRequest) {
  service.RunUploadJob(files, UploadJob({"spool-9", 0, 10, "a.txt", "req-u", "192.0.2.8"}), control);
  EXPECT_EQ(files.last_audit.request_id, "req-u");
  EXPECT_EQ(files.last_audit.client_address, "192.0.2.8");
  EXPECT_EQ(files.last_audit.actor_user_id, kOwner);
}

TEST_F(ContentJobsTest, TheUploadJobReportsProgressAgainstTheRangeLength) {
  // The first report sets the total before any byte is read, so a status request shows 0/N
  // rather than an unknown total; then every piece the store reports is forwarded.
  service.RunUploadJob(files, UploadJob({"spool-9", 40, 3000, "a.txt", "req-u", "192.0.2.8"}), control);
  EXPECT_EQ(control.reports, (std::vector<std::string>{"0/3000", "1000/3000", "2000/3000", "3000/3000"}));
}

TEST_F(ContentJobsTest, AStoppedUploadJobRecordsNothing) {
  // JobStopped must cross the store untouched so the runner can give the job back; nothing
  // half-done may be recorded or committed.
  control.stop_at_report = 2;
  EXPECT_THROW(service.RunUploadJob(files, UploadJob({"spool-9", 0, 3000, "a.txt", "req-u", "192.0.2.8"}), control),
               JobStopped);
  EXPECT_EQ(log, CallLog{"stage /spool/spool-9 0 3000"});
}

TEST_F(ContentJobsTest, AMalformedUploadPayloadIsABadRequestAndImportsNothing) {
  Job job = UploadJob({"spool-9", 0, 10, "a.txt", "req-u", "192.0.2.8"});
  job.payload_json = R"({"spool":"../../etc/passwd","offset":0,"length":1,"filename":"x",)"
                     R"("request_id":"r","client_address":"a"})";
  EXPECT_EQ(CodeOf([&] { service.RunUploadJob(files, job, control); }), ErrorCode::kBadRequest);
  EXPECT_TRUE(log.empty()) << log.front();
}

TEST_F(ContentJobsTest, AnUploadJobWithoutOwnerOrSpoolIsAnInternalError) {
  // Both are wiring mistakes of ours, not the client's: server-side, so not blamed on the input.
  Job ownerless = UploadJob({"spool-9", 0, 10, "a.txt", "req-u", "192.0.2.8"});
  ownerless.user_id.reset();
  EXPECT_EQ(CodeOf([&] { service.RunUploadJob(files, ownerless, control); }), ErrorCode::kInternal);
  ContentService without_spool(store);
  EXPECT_EQ(CodeOf([&] {
              without_spool.RunUploadJob(files, UploadJob({"s", 0, 1, "a", "r", "c"}), control);
            }),
            ErrorCode::kInternal);
  EXPECT_TRUE(log.empty()) << log.front();
}

TEST_F(ContentJobsTest, TheUploadJobRecordsTheSameNamesAsARequestWould) {
  // A file's names must not depend on whether its size crossed GW_ASYNC_THRESHOLD.
  for (const std::string& raw : {std::string("dir/..\xe2\x80\xaetxt.exe"), std::string("a\0b\xff.txt", 8),
                                 std::string("  .hidden  "), std::string(300, 'x') + ".tar.gz"}) {
    ContentService sync_only(store);
    sync_only.Upload(files, {kOwner, "", false, ""}, {"/tmp/body", 0, 10, raw}, {"r", "c", kOwner});
    const std::string sync_original = files.last_original;
    const std::string sync_safe = files.last_safe;
    const UploadOutcome accepted =
        service.Upload(files, {kOwner, "", false, ""}, {"/tmp/body", 0, 1000, raw}, {"r", "c", kOwner});
    ASSERT_TRUE(accepted.task.has_value());
    Job job = UploadJob(DecodeUploadJob(files.last_payload));
    service.RunUploadJob(files, job, control);
    EXPECT_EQ(files.last_original, sync_original);
    EXPECT_EQ(files.last_safe, sync_safe);
  }
}

// Disabled: a name longer than 1024 bytes whose extension lies beyond byte 1024 keeps its
// extension in a synchronous upload (SafeFilename of the raw name) but loses it in the task
// (SafeFilename of the name already cut by StorableOriginalName), so the Content-Disposition
// name depends on the upload's size. Enable with the fix in ContentService::Upload (see the
// report that came with this test).
TEST_F(ContentJobsTest, AVeryLongNameGetsTheSameSafeNameAsInARequest) {
  const std::string raw = std::string(2000, 'x') + ".pdf";
  ContentService sync_only(store);
  sync_only.Upload(files, {kOwner, "", false, ""}, {"/tmp/body", 0, 10, raw}, {"r", "c", kOwner});
  const std::string sync_safe = files.last_safe;
  service.Upload(files, {kOwner, "", false, ""}, {"/tmp/body", 0, 1000, raw}, {"r", "c", kOwner});
  service.RunUploadJob(files, UploadJob(DecodeUploadJob(files.last_payload)), control);
  EXPECT_EQ(files.last_safe, sync_safe);
}

TEST_F(ContentJobsTest, DiscardUploadSpoolDiscardsThePayloadsSpoolFile) {
  service.DiscardUploadSpool(UploadJob({"spool-9", 0, 10, "a.txt", "req-u", "192.0.2.8"}));
  EXPECT_EQ(log, CallLog{"discard spool-9"});
  ContentService without_spool(store);  // must not crash when there is no spool to discard from
  without_spool.DiscardUploadSpool(UploadJob({"spool-8", 0, 10, "a.txt", "req-u", "192.0.2.8"}));
  EXPECT_EQ(log.size(), 1u);
}

TEST_F(ContentJobsTest, ThePinJobAsksTheStoreFirstThenRecordsTheCanonicalCid) {
  // Store first: if the remote call fails the flag is not set, and the retry tries again.
  EXPECT_EQ(service.RunPinJob(files, PinJob(kV0), true), kV0AsV1);
  EXPECT_EQ(log,
            (CallLog{std::string("apply_pin ") + kV0AsV1 + " true", std::string("set_pinned 7 ") + kV0AsV1 + " true"}));
  EXPECT_EQ(files.last_audit.request_id, "req-p");
  EXPECT_EQ(files.last_audit.client_address, "198.51.100.7");
  EXPECT_EQ(files.last_audit.actor_user_id, kOwner);
}

TEST_F(ContentJobsTest, ThePinJobAnswersTheCidAsRecorded) {
  files.recorded_cid = kV0;  // a unixfs-v0-2015 upload: the task result names it as the upload did
  EXPECT_EQ(service.RunPinJob(files, PinJob(kV0AsV1), true), kV0);
}

TEST_F(ContentJobsTest, TheUnpinJobUnpinsInTheStoreAndTheDatabase) {
  EXPECT_EQ(service.RunPinJob(files, PinJob(kFakeCid), false), kFakeCid);
  EXPECT_EQ(log, (CallLog{std::string("apply_pin ") + kFakeCid + " false",
                          std::string("set_pinned 7 ") + kFakeCid + " false"}));
}

TEST_F(ContentJobsTest, APinJobForAFileDeletedSinceTheRequestIsContentNotFound) {
  files.holds_file = false;
  EXPECT_EQ(CodeOf([&] { service.RunPinJob(files, PinJob(kFakeCid), true); }), ErrorCode::kContentNotFound);
}

TEST_F(ContentJobsTest, APinJobWithABadCidOrNoOwnerTouchesNothing) {
  EXPECT_EQ(CodeOf([&] { service.RunPinJob(files, PinJob("not-a-cid"), true); }), ErrorCode::kInvalidCid);
  Job ownerless = PinJob(kFakeCid);
  ownerless.user_id.reset();
  EXPECT_EQ(CodeOf([&] { service.RunPinJob(files, ownerless, true); }), ErrorCode::kInternal);
  EXPECT_TRUE(log.empty()) << log.front();
}

}  // namespace
}  // namespace gw::domain
