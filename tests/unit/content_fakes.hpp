// In-memory stand-ins for the content ports (ContentStore, UploadSpool, FileRepository), for
// unit tests of ContentService and the job handlers. They write every call, in order, into one
// shared CallLog, so a test can check the order across ports (e.g. that the staged bytes are
// committed inside RecordUpload, or that a spooled body is discarded after a failed enqueue).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "domain/content.hpp"
#include "domain/job.hpp"

namespace gw::test {

using CallLog = std::vector<std::string>;

/// A CIDv1 that parses (RunPinJob canonicalises the payload's CID).
inline constexpr const char* kFakeCid = "bafkreifzjut3te2nhyekklss27nh3k72ysco7y32koao5eei66wof36n5e";

/// Staged bytes whose Commit is logged.
class RecordingStaged final : public domain::StagedContent {
 public:
  RecordingStaged(domain::ImportedContent content, CallLog& log) : content_(std::move(content)), log_(log) {}
  const domain::ImportedContent& Content() const override { return content_; }
  void Commit() override { log_.push_back("commit " + content_.cid); }

 private:
  domain::ImportedContent content_;
  CallLog& log_;
};

/// Stages nothing real: logs the range, reports progress at a third, two thirds and the end of
/// it (as the real store does after every piece), and returns kFakeCid.
class FakeContentStore final : public domain::ContentStore {
 public:
  explicit FakeContentStore(CallLog& log) : log(log) {}
  using domain::ContentStore::Stage;
  std::unique_ptr<domain::StagedContent> Stage(const std::string& path, std::uint64_t offset, std::uint64_t length,
                                               const domain::StageProgress& progress) override {
    log.push_back("stage " + path + " " + std::to_string(offset) + " " + std::to_string(length));
    if (progress) {
      for (const std::uint64_t done : {length / 3, 2 * length / 3, length}) progress(done);
    }
    const auto size = static_cast<std::int64_t>(length);
    return std::make_unique<RecordingStaged>(domain::ImportedContent{kFakeCid, size, size + 11, "text/plain"}, log);
  }
  void Remove(const std::string& cid) override { log.push_back("remove " + cid); }
  std::string InternalUri(const std::string& cid) const override { return "/_content/" + cid; }
  bool PinsRemotely() const override { return pins_remotely; }
  void ApplyPin(const std::string& cid, bool pinned) override {
    log.push_back("apply_pin " + cid + (pinned ? " true" : " false"));
  }

  CallLog& log;
  bool pins_remotely = false;
};

/// Keeps nothing: Keep names the n-th kept file "spool-n", PathOf puts it under "/spool/".
class FakeUploadSpool final : public domain::UploadSpool {
 public:
  explicit FakeUploadSpool(CallLog& log) : log(log) {}
  std::string Keep(const std::string& source_path) override {
    log.push_back("keep " + source_path);
    return "spool-" + std::to_string(++kept);
  }
  std::string PathOf(const std::string& name) const override { return "/spool/" + name; }
  void Discard(const std::string& name) override { log.push_back("discard " + name); }

  CallLog& log;
  int kept = 0;
};

/// Logs the writes the content use cases make and keeps their arguments; the answers are
/// settable (SetPinned's result, whether the user holds the file for EnqueueJobForHeld, an
/// error from EnqueueJob).
class FakeFileRepository final : public domain::FileRepository {
 public:
  explicit FakeFileRepository(CallLog& log) : log(log) {}

  domain::StoredFile RecordUpload(domain::UserId user, const domain::ImportedContent& content,
                                  std::string_view original, std::string_view safe,
                                  const std::function<void()>& make_visible,
                                  const domain::AuditContext& audit) override {
    log.push_back("record_upload " + std::to_string(user) + " " + content.cid);
    last_original = original;
    last_safe = safe;
    last_audit = audit;
    make_visible();
    log.push_back("record_upload done");
    return {content.cid, std::string(original), std::string(safe), content.size, content.mime_type,
            true,        "2026-01-02T03:04:05Z"};
  }
  /// Answers `held` (none unless a test sets it).
  std::optional<domain::StoredFile> FindHeld(domain::UserId user, std::string_view cid, std::string_view action,
                                             const domain::AuditContext& audit) override {
    log.push_back("find_held " + std::to_string(user) + " " + std::string(cid) + " " + std::string(action));
    last_audit = audit;
    return held;
  }
  domain::Page<domain::StoredFile> List(domain::UserId, const domain::FileQuery&,
                                        const domain::AuditContext&) override {
    return {};
  }
  std::optional<std::string> Remove(domain::UserId, std::string_view, const domain::AuditContext&) override {
    return std::nullopt;
  }
  /// Answers `recorded_cid` (the CID as an upload recorded it) when set, else the CID asked for.
  std::optional<std::string> SetPinned(domain::UserId user, std::string_view cid, bool pinned,
                                       const domain::AuditContext& audit) override {
    log.push_back("set_pinned " + std::to_string(user) + " " + std::string(cid) + (pinned ? " true" : " false"));
    last_audit = audit;
    if (!holds_file) return std::nullopt;
    return recorded_cid.value_or(std::string(cid));
  }
  std::string EnqueueJob(domain::UserId user, std::string_view type, std::string_view payload, int max_attempts,
                         std::string_view action, const domain::AuditContext& audit) override {
    log.push_back("enqueue_job " + std::to_string(user) + " " + std::string(type) + " " + std::to_string(max_attempts) +
                  " " + std::string(action));
    last_payload = payload;
    last_audit = audit;
    if (enqueue_fails) throw std::runtime_error("database connection lost");
    return "task-1";
  }
  std::optional<std::string> EnqueueJobForHeld(domain::UserId user, std::string_view cid, std::string_view type,
                                               std::string_view payload, int max_attempts, std::string_view action,
                                               const domain::AuditContext& audit) override {
    log.push_back("enqueue_job_for_held " + std::to_string(user) + " " + std::string(cid) + " " + std::string(type) +
                  " " + std::to_string(max_attempts) + " " + std::string(action));
    last_payload = payload;
    last_audit = audit;
    return holds_file ? std::optional<std::string>("task-2") : std::nullopt;
  }
  domain::UsageSummary Usage(domain::UserId, const domain::AuditContext&) override { return {}; }
  domain::RecordedUsage DailyUsage(domain::UserId user, int days, const domain::AuditContext&) override {
    log.push_back("daily_usage " + std::to_string(user) + " " + std::to_string(days));
    return recorded_usage;
  }
  std::vector<std::string> CollectGarbage(const std::function<void(const std::string&)>&) override { return {}; }

  CallLog& log;
  domain::RecordedUsage recorded_usage{"2026-01-31", {}};
  bool holds_file = true;
  std::optional<std::string> recorded_cid;
  bool enqueue_fails = false;
  std::optional<domain::StoredFile> held;
  std::string last_original;
  std::string last_safe;
  std::string last_payload;
  domain::AuditContext last_audit;
};

/// A JobControl that records every progress report and can stop the job at the n-th one.
class RecordingControl final : public domain::JobControl {
 public:
  void Progress(std::int64_t done, std::optional<std::int64_t> total) override {
    reports.push_back(std::to_string(done) + "/" + std::to_string(total.value_or(-2)));
    if (stop_at_report && static_cast<int>(reports.size()) >= *stop_at_report) throw domain::JobStopped();
  }

  std::vector<std::string> reports;
  std::optional<int> stop_at_report;
};

}  // namespace gw::test
