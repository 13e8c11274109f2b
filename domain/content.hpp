#pragma once
/// @file Stored files: plain structs and the ports the content use cases need.

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "domain/account.hpp"

namespace gw::domain {

/// Largest accepted file by default (GW_MAX_UPLOAD_BYTES): the limit is on the file itself.
inline constexpr std::uint64_t kDefaultMaxUploadBytes = 100ull * 1024 * 1024;
/// What a multipart/form-data body may carry beyond its file (boundaries, part headers with a
/// long file name): nginx admits bodies up to the limit plus this, and the app checks the part.
inline constexpr std::uint64_t kMultipartFramingAllowance = 64 * 1024;

/// One user's holding of one content (a `files` row).
struct StoredFile {
  std::string cid;                //!< as recorded at upload: the profile's CIDv1 base32 or CIDv0 "Qm..."
  std::string original_filename;  //!< as sent, with NUL and invalid UTF-8 made harmless
  std::string safe_filename;      //!< SafeFilename(original): what Content-Disposition uses
  std::int64_t size = 0;
  std::string mime_type;
  bool pinned = true;
  std::string uploaded_at;
};

/// What the store learned about bytes it has staged.
struct ImportedContent {
  std::string cid;  //!< the CID string the store's import gave (its profile decides v0 or v1)
  std::int64_t size = 0;
  std::int64_t dag_size = 0;  //!< Tsize of the UnixFS DAG
  std::string mime_type;
};

struct FileQuery {
  std::optional<bool> pinned;
  std::optional<std::string> name;  //!< case-insensitive substring of the filename
  std::optional<std::string> cid;   //!< canonical CIDv1 string; matches either recorded spelling
  int page = 1;
  int limit = 20;
};

struct UsageSummary {
  std::int64_t file_count = 0;
  std::int64_t stored_bytes = 0;
  std::int64_t pinned_bytes = 0;
  std::int64_t request_count = 0;
  std::int64_t requests_this_month = 0;  //!< authenticated requests in the current UTC calendar month
};

/// One UTC calendar day of a user's usage.
struct DayUsage {
  std::string date;  //!< "YYYY-MM-DD"
  std::int64_t uploads = 0;
  std::int64_t bytes = 0;
  std::int64_t requests = 0;

  bool operator==(const DayUsage&) const = default;
};

/// What the database recorded for the last days of a user: only days with some usage.
struct RecordedUsage {
  std::string today;           //!< the database's current UTC date, "YYYY-MM-DD"
  std::vector<DayUsage> days;  //!< within the asked window, oldest first
};

/// Bytes the store has hashed and written to a staging file, not yet visible under their CID.
/// Destroying it without Commit removes the staging file.
class StagedContent {
 public:
  virtual ~StagedContent() = default;
  virtual const ImportedContent& Content() const = 0;
  /// Makes the bytes retrievable under their CID (fsync, rename, fsync of the directory). A
  /// no-op when that CID is already stored. Safe to call more than once.
  virtual void Commit() = 0;
};

/// Told how many bytes of the range have been imported so far; may throw to abort the import
/// (a job that must stop), which removes the staging file.
using StageProgress = std::function<void(std::uint64_t bytes_done)>;

/// Where content bytes live. Thread-safe.
class ContentStore {
 public:
  virtual ~ContentStore() = default;
  /// Imports bytes [offset, offset + length) of the file at `source_path` (the body nginx
  /// spooled): one streaming pass computes the CID, the UnixFS nodes and the MIME type and
  /// writes a staging copy (or a hard link when the range is the whole file). `progress`, when
  /// set, is called after every piece read.
  virtual std::unique_ptr<StagedContent> Stage(const std::string& source_path, std::uint64_t offset,
                                               std::uint64_t length, const StageProgress& progress) = 0;
  std::unique_ptr<StagedContent> Stage(const std::string& source_path, std::uint64_t offset, std::uint64_t length) {
    return Stage(source_path, offset, length, StageProgress{});
  }
  /// Deletes a content's bytes and nodes; a missing content is not an error.
  virtual void Remove(const std::string& cid) = 0;
  /// The nginx-internal URI that serves the whole file (X-Accel-Redirect target).
  virtual std::string InternalUri(const std::string& cid) const = 0;

  /// True when pinning means asking a remote service (Filebase's Pinning Service API), which
  /// may be slow or down: pin and unpin requests then run as jobs (202 + task). The local store
  /// pins by keeping the bytes, so its pins are a database flag set at once.
  virtual bool PinsRemotely() const { return false; }
  /// Makes the backend pin (or stop pinning) `cid`. Must be idempotent: a job may run it twice.
  /// Only called when PinsRemotely().
  virtual void ApplyPin(const std::string& /*cid*/, bool /*pinned*/) {}
};

/// Keeps uploaded bodies that a job will import later, independent of nginx's temp file
/// (which nginx deletes when the request ends). Thread-safe.
class UploadSpool {
 public:
  virtual ~UploadSpool() = default;
  /// Durably keeps the file at `source_path` (on disk before this returns) under a new name,
  /// which it returns.
  virtual std::string Keep(const std::string& source_path) = 0;
  /// Where a kept file is; throws kNotFound when it is no longer there.
  virtual std::string PathOf(const std::string& name) const = 0;
  /// Deletes a kept file; a missing one is not an error.
  virtual void Discard(const std::string& name) = 0;
};

class FileRepository {
 public:
  virtual ~FileRepository() = default;

  /// One transaction: creates or locks the content row, calls `make_visible` while that lock is
  /// held (so a concurrent garbage collection cannot remove the bytes in between), inserts or
  /// revives the user's `files` row (pinned), and audits "upload".
  virtual StoredFile RecordUpload(UserId user, const ImportedContent& content, std::string_view original_filename,
                                  std::string_view safe_filename, const std::function<void()>& make_visible,
                                  const AuditContext& audit) = 0;
  /// The user's live holding of `cid`, audited as `action` (e.g. "retrieve") when found. Every
  /// `cid` argument below is a canonical CIDv1 string and finds the content whichever spelling it
  /// was recorded under (a unixfs-v0-2015 upload records CIDv0 "Qm...", the others CIDv1).
  virtual std::optional<StoredFile> FindHeld(UserId user, std::string_view cid, std::string_view action,
                                             const AuditContext& audit) = 0;
  /// The user's live files, newest first, audited as "list_files".
  virtual Page<StoredFile> List(UserId user, const FileQuery& query, const AuditContext& audit) = 0;
  /// Soft-deletes and unpins the user's holding. Returns the file's CID as recorded; nullopt
  /// when the user holds no such file.
  virtual std::optional<std::string> Remove(UserId user, std::string_view cid, const AuditContext& audit) = 0;
  /// Pins or unpins the user's holding. Returns the file's CID as recorded; nullopt when the
  /// user holds no such file.
  virtual std::optional<std::string> SetPinned(UserId user, std::string_view cid, bool pinned,
                                               const AuditContext& audit) = 0;
  /// One transaction: adds a job of `type` for the user (PgJobQueue::Enqueue) and audits
  /// `action` with the job id; returns the id. For uploads that become tasks.
  virtual std::string EnqueueJob(UserId user, std::string_view type, std::string_view payload_json, int max_attempts,
                                 std::string_view action, const AuditContext& audit) = 0;
  /// Like EnqueueJob, but only when the user holds a live file with `cid` (checked with the row
  /// locked, in the same transaction); nullopt otherwise. For pin and unpin tasks.
  virtual std::optional<std::string> EnqueueJobForHeld(UserId user, std::string_view cid, std::string_view type,
                                                       std::string_view payload_json, int max_attempts,
                                                       std::string_view action, const AuditContext& audit) = 0;
  /// Counts for GET /usage, audited as "usage".
  virtual UsageSummary Usage(UserId user, const AuditContext& audit) = 0;
  /// The user's recorded usage of the `days` UTC days ending today, audited as "usage" with
  /// details `days`.
  virtual RecordedUsage DailyUsage(UserId user, int days, const AuditContext& audit) = 0;
  /// Removes every content that no live file holds and no file pins: for each, in its own
  /// transaction with the content row locked, calls `remove_bytes(cid)` then deletes the row.
  virtual std::vector<std::string> CollectGarbage(const std::function<void(const std::string&)>& remove_bytes) = 0;
};

}  // namespace gw::domain
