#pragma once
/// @file The content use cases: upload, find, list, delete, pin, unpin, usage.

#include <optional>
#include <string>
#include <string_view>

#include "domain/content.hpp"
#include "domain/job.hpp"

namespace gw::domain {

/// A byte range of a spooled request body, and the filename the client gave it.
struct UploadSource {
  std::string path;  //!< nginx's temp file ("/dev/null" for an empty body)
  std::uint64_t offset = 0;
  std::uint64_t length = 0;
  std::string filename;
};

/// When work becomes a task (a job) instead of being done within the request.
struct TaskSettings {
  /// Uploads of at least this many bytes are spooled and imported by a job (202 + task).
  std::uint64_t async_threshold = 10ull * 1024 * 1024;
  int max_attempts = 5;  //!< of every job the service creates
};

/// A large upload that became a task.
struct AcceptedUpload {
  std::string task_id;
  std::uint64_t size = 0;
  std::string filename;
};

/// Exactly one of the two: the stored file (done at once) or the task that will store it.
struct UploadOutcome {
  std::optional<StoredFile> file;
  std::optional<AcceptedUpload> task;
};

/// A pin or unpin request that was accepted.
struct PinChange {
  std::string cid;                     //!< the file's CID as recorded (the canonical CIDv1 for a task)
  std::optional<std::string> task_id;  //!< set when the store pins remotely and a task applies it
};

class ContentService {
 public:
  /// Every upload and pin is done within the request (no spool, no tasks).
  explicit ContentService(ContentStore& store, std::uint64_t max_upload_bytes = kDefaultMaxUploadBytes)
      : store_(store), max_upload_bytes_(max_upload_bytes) {}
  /// Uploads of settings.async_threshold bytes or more are kept in `spool` and become tasks.
  ContentService(ContentStore& store, UploadSpool& spool, TaskSettings settings,
                 std::uint64_t max_upload_bytes = kDefaultMaxUploadBytes)
      : store_(store), spool_(&spool), settings_(settings), max_upload_bytes_(max_upload_bytes) {}

  /// The largest file Upload accepts (kPayloadTooLarge above it).
  std::uint64_t MaxUploadBytes() const { return max_upload_bytes_; }

  UploadOutcome Upload(FileRepository& repo, const Principal& caller, const UploadSource& source,
                       const AuditContext& audit);
  /// The caller's file with this CID (any CID form). 400 kInvalidCid when malformed; 404
  /// kNotFound when the caller does not hold it, whoever else may (no existence oracle).
  StoredFile FindForRetrieval(FileRepository& repo, const Principal& caller, std::string_view cid,
                              const AuditContext& audit);
  Page<StoredFile> List(FileRepository& repo, const Principal& caller, FileQuery query, const AuditContext& audit);
  /// Returns the deleted file's CID as recorded.
  std::string Delete(FileRepository& repo, const Principal& caller, std::string_view cid, const AuditContext& audit);
  /// Pins at once or, when the store pins remotely, through a task (PinChange::task_id).
  PinChange Pin(FileRepository& repo, const Principal& caller, std::string_view cid, const AuditContext& audit);
  PinChange Unpin(FileRepository& repo, const Principal& caller, std::string_view cid, const AuditContext& audit);
  UsageSummary Usage(FileRepository& repo, const Principal& caller, std::int64_t unflushed_requests,
                     const AuditContext& audit);
  std::string InternalUri(const std::string& cid) const { return store_.InternalUri(cid); }

  /// The upload job: imports the spooled bytes (progress to `control`) and records the file
  /// exactly as a synchronous upload would. Idempotent: a second run finds the content and the
  /// files row in place and changes nothing but the audit log and the day's upload count in
  /// usage_daily (which, like the audit log, counts each recorded run).
  StoredFile RunUploadJob(FileRepository& repo, const Job& job, JobControl& control);
  /// After the upload job's success was recorded: the spooled bytes are no longer needed.
  void DiscardUploadSpool(const Job& job);
  /// The pin and unpin jobs: asks the store, then records the new state. Idempotent. Returns
  /// the file's CID as recorded. kContentNotFound when the owner no longer holds the file.
  std::string RunPinJob(FileRepository& repo, const Job& job, bool pinned);

 private:
  PinChange ChangePin(FileRepository& repo, const Principal& caller, std::string_view cid, bool pinned,
                      const AuditContext& audit);

  ContentStore& store_;
  UploadSpool* spool_ = nullptr;  //!< null: no tasks
  TaskSettings settings_;
  std::uint64_t max_upload_bytes_;
};

/// Parses any accepted CID form and returns the canonical CIDv1 string (throws kInvalidCid).
std::string CanonicalCid(std::string_view text);

/// Makes a client's filename storable as text: drops NUL, replaces invalid UTF-8, caps length.
std::string StorableOriginalName(std::string_view raw);

}  // namespace gw::domain
