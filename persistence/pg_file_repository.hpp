#pragma once
/// @file domain::FileRepository on PostgreSQL (tables `contents` and `files`, V002).
///
/// `cid` columns hold the CID as the upload's profile gave it: the canonical CIDv1 string, or
/// the CIDv0 "Qm..." under unixfs-v0-2015. Lookups arrive as canonical CIDv1 strings and match
/// either spelling (OtherRecordedSpelling); one content is never recorded under both, because
/// no profile with raw leaves makes a dag-pb root whose bytes a CIDv0 import could make.
///
/// Every method but CollectGarbage is one transaction holding the change (or the read) and its
/// audit_log row. The `contents` row of a CID is the lock that orders an upload of those bytes
/// against their garbage collection: see RecordUpload and CollectGarbage in the .cpp.

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "domain/content.hpp"
#include "persistence/pg_connection.hpp"

namespace gw::persistence {

class PgFileRepository final : public domain::FileRepository {
 public:
  /// `connection` must have been created with Statements(), AuditWriter::Statements() and
  /// PgJobQueue::EnqueueStatements().
  explicit PgFileRepository(PgConnection& connection) : connection_(connection) {}

  static std::vector<PreparedStatement> Statements();

  domain::StoredFile RecordUpload(domain::UserId user, const domain::ImportedContent& content,
                                  std::string_view original_filename, std::string_view safe_filename,
                                  const std::function<void()>& make_visible,
                                  const domain::AuditContext& audit) override;
  std::optional<domain::StoredFile> FindHeld(domain::UserId user, std::string_view cid, std::string_view action,
                                             const domain::AuditContext& audit) override;
  domain::Page<domain::StoredFile> List(domain::UserId user, const domain::FileQuery& query,
                                        const domain::AuditContext& audit) override;
  std::optional<std::string> Remove(domain::UserId user, std::string_view cid,
                                    const domain::AuditContext& audit) override;
  std::optional<std::string> SetPinned(domain::UserId user, std::string_view cid, bool pinned,
                                       const domain::AuditContext& audit) override;
  domain::UsageSummary Usage(domain::UserId user, const domain::AuditContext& audit) override;
  domain::RecordedUsage DailyUsage(domain::UserId user, int days, const domain::AuditContext& audit) override;
  std::string EnqueueJob(domain::UserId user, std::string_view type, std::string_view payload_json, int max_attempts,
                         std::string_view action, const domain::AuditContext& audit) override;
  std::optional<std::string> EnqueueJobForHeld(domain::UserId user, std::string_view cid, std::string_view type,
                                               std::string_view payload_json, int max_attempts, std::string_view action,
                                               const domain::AuditContext& audit) override;
  std::vector<std::string> CollectGarbage(const std::function<void(const std::string&)>& remove_bytes) override;

 private:
  /// The statements of the task methods (pg_file_repository_jobs.cpp); part of Statements().
  static std::vector<PreparedStatement> TaskStatements();
  /// The statements of DailyUsage (pg_file_repository_usage.cpp); part of Statements().
  static std::vector<PreparedStatement> UsageStatements();
  /// Locks and removes one unreferenced content; false when it is referenced or locked.
  bool CollectOne(const std::string& cid, const std::function<void(const std::string&)>& remove_bytes);

  PgConnection& connection_;
};

/// For a lookup by `canonical_cid` (a canonical CIDv1 string): the other string the same content
/// may be recorded under, i.e. its CIDv0 when it is a dag-pb sha2-256 CID, else `canonical_cid`.
std::string OtherRecordedSpelling(std::string_view canonical_cid);

/// `text` with LIKE's metacharacters (%, _ and the escape character \) escaped, so that it
/// matches itself literally inside a LIKE/ILIKE pattern.
std::string EscapeLike(std::string_view text);

}  // namespace gw::persistence
