// Large uploads as tasks against real PostgreSQL and a real store and spool: the request's
// half (spool + job + audit in one transaction), the job's half (idempotent import), and the
// cleanup of spooled bodies no job needs.
#include <filesystem>
#include <memory>

#include "content_test_support.hpp"
#include "domain/content_service.hpp"
#include "domain/error.hpp"
#include "domain/job_payloads.hpp"
#include "persistence/garbage_collector.hpp"
#include "persistence/local_content_store.hpp"
#include "persistence/local_upload_spool.hpp"
#include "persistence/pg_job_queue.hpp"
#include "persistence/pg_session.hpp"
#include "pg_test_support.hpp"

namespace gw::persistence::testing {
namespace {

const domain::AuditContext kAudit{"req-task", "198.51.100.9", std::nullopt};
constexpr std::uint64_t kThreshold = 64 * 1024;

/// Records progress; never asks the job to stop.
class RecordingControl final : public domain::JobControl {
 public:
  void Progress(std::int64_t done, std::optional<std::int64_t> total) override {
    reports.emplace_back(done, total.value_or(-1));
  }
  std::vector<std::pair<std::int64_t, std::int64_t>> reports;
};

class UploadJobTest : public PgSuite {
 protected:
  void SetUp() override {
    PgSuite::SetUp();
    if (!HasDatabase()) return;
    session_ = std::make_unique<PgSession>(Db().Dsn());
    store_ = std::make_unique<LocalContentStore>(dir_.Path() + "/store");
    spool_ = std::make_unique<LocalUploadSpool>(dir_.Path() + "/store/spool");
    service_ = std::make_unique<domain::ContentService>(*store_, *spool_, domain::TaskSettings{kThreshold, 3});
    const std::string digits = std::to_string(++seed_);
    user_ = session_->Accounts().CreateAccount(
        {"u" + digits + "@jobs.example.com", "", std::string(64 - digits.size(), 'e') + digits, "gw_j" + digits, false},
        "register", kAudit);
  }
  /// Writes `bytes` as nginx would and uploads them as `name`.
  domain::UploadOutcome Upload(const std::string& bytes, const std::string& name) {
    const auto body = dir_.Path() + "/body-" + std::to_string(++seed_);
    WriteFile(body, bytes);
    auto outcome = service_->Upload(session_->Files(), domain::Principal{user_, "", false, ""},
                                    domain::UploadSource{body, 0, bytes.size(), name}, kAudit);
    std::filesystem::remove(body);  // nginx deletes its temp file when the request ends
    return outcome;
  }
  std::string Scalar(const std::string& sql) const { return Db().Scalar(sql, std::to_string(user_)); }

  TempDir dir_;
  std::unique_ptr<PgSession> session_;
  std::unique_ptr<LocalContentStore> store_;
  std::unique_ptr<LocalUploadSpool> spool_;
  std::unique_ptr<domain::ContentService> service_;
  domain::UserId user_ = 0;
  static inline int seed_ = 0;
};

TEST_F(UploadJobTest, BelowTheThresholdIsStoredAtOnceAndFromItATaskIsQueuedWithItsAuditRow) {
  const auto small = Upload(Bytes(kThreshold - 1, 1), "small.bin");
  ASSERT_TRUE(small.file);
  EXPECT_FALSE(small.task);

  const auto large = Upload(Bytes(kThreshold, 2), "large.bin");
  ASSERT_TRUE(large.task);
  EXPECT_FALSE(large.file);
  EXPECT_EQ(large.task->size, kThreshold);
  const auto& id = large.task->task_id;
  EXPECT_EQ(Db().Scalar("SELECT state || ' ' || type || ' ' || max_attempts FROM jobs WHERE id = $1::uuid", id),
            "queued upload 3");
  EXPECT_EQ(
      Db().Scalar("SELECT count(*) FROM audit_log WHERE action = 'upload_accepted' AND details->>'task_id' = $1", id),
      "1");
  // The body outlived nginx's temp file, and no file row exists before the job ran.
  const auto payload = domain::DecodeUploadJob(Db().Scalar("SELECT payload::text FROM jobs WHERE id = $1::uuid", id));
  EXPECT_EQ(ReadFile(spool_->PathOf(payload.spool)), Bytes(kThreshold, 2));
  EXPECT_EQ(payload.request_id, "req-task");
  EXPECT_EQ(Scalar("SELECT count(*) FROM files WHERE user_id = $1::bigint"), "1");
}

TEST_F(UploadJobTest, TheJobStoresTheFileWithTheCidOfASynchronousUploadAndRunningItTwiceKeepsOneRow) {
  const auto bytes = Bytes(3 * kThreshold + 17, 3);
  const auto task = Upload(bytes, "twice.bin").task.value();
  PgJobQueue queue(Db().Dsn());
  const auto job = queue.Find(task.task_id).value();

  RecordingControl control;
  const auto first = service_->RunUploadJob(session_->Files(), job, control);
  const auto second = service_->RunUploadJob(session_->Files(), job, control);  // a retry after a crash
  EXPECT_EQ(first.cid, Imported(bytes).cid);
  EXPECT_EQ(second.cid, first.cid);
  EXPECT_EQ(first.original_filename, "twice.bin");
  EXPECT_EQ(ReadFile(store_->FilePath(first.cid)), bytes);
  EXPECT_EQ(Scalar("SELECT count(*) FROM files WHERE user_id = $1::bigint"), "1");
  EXPECT_EQ(Db().Scalar("SELECT count(*) FROM contents WHERE cid = $1", first.cid), "1");
  // Progress went from 0 to the whole length; the audit rows carry the creating request's id.
  ASSERT_FALSE(control.reports.empty());
  EXPECT_EQ(control.reports.front(), std::make_pair(std::int64_t{0}, static_cast<std::int64_t>(bytes.size())));
  EXPECT_EQ(control.reports.back().first, static_cast<std::int64_t>(bytes.size()));
  EXPECT_EQ(Scalar("SELECT count(*) FROM audit_log WHERE action = 'upload' AND request_id = 'req-task' "
                   "AND user_id = $1::bigint"),
            "2");

  const auto payload = domain::DecodeUploadJob(job.payload_json);
  service_->DiscardUploadSpool(job);
  EXPECT_THROW(spool_->PathOf(payload.spool), domain::Error);
  // With the spool gone a third run cannot import: kNotFound, which the runner buries.
  try {
    service_->RunUploadJob(session_->Files(), job, control);
    ADD_FAILURE() << "expected kNotFound";
  } catch (const domain::Error& error) {
    EXPECT_EQ(error.Code(), domain::ErrorCode::kNotFound);
  }
}

TEST_F(UploadJobTest, SweepRemovesOnlySpooledBodiesNoLiveJobNeeds) {
  const auto live = Upload(Bytes(kThreshold, 4), "live.bin").task.value();
  const auto done = Upload(Bytes(kThreshold, 5), "done.bin").task.value();
  // Kept by a request that died before its job was committed: no job names it.
  WriteFile(dir_.Path() + "/orphan-body", Bytes(10, 6));
  const auto orphan = spool_->Keep(dir_.Path() + "/orphan-body");
  Db().Scalar("UPDATE jobs SET state = 'succeeded' WHERE id = $1::uuid RETURNING 1", done.task_id);
  const auto spool_of = [&](const std::string& id) {
    return domain::DecodeUploadJob(Db().Scalar("SELECT payload::text FROM jobs WHERE id = $1::uuid", id)).spool;
  };
  // Too young: nothing goes (a request may be between Keep and its commit).
  EXPECT_EQ(SweepUploadSpool(Db().Dsn(), dir_.Path() + "/store/spool", std::chrono::hours(1)), 0u);
  EXPECT_EQ(SweepUploadSpool(Db().Dsn(), dir_.Path() + "/store/spool", std::chrono::seconds(-1)), 2u);
  EXPECT_NO_THROW(spool_->PathOf(spool_of(live.task_id)));
  EXPECT_THROW(spool_->PathOf(spool_of(done.task_id)), domain::Error);
  EXPECT_THROW(spool_->PathOf(orphan), domain::Error);
}

}  // namespace
}  // namespace gw::persistence::testing
