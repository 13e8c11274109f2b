#pragma once
/// @file The content use cases: upload, find, list, delete, pin, unpin, usage.

#include <string>
#include <string_view>

#include "domain/content.hpp"

namespace gw::domain {

/// A byte range of a spooled request body, and the filename the client gave it.
struct UploadSource {
  std::string path;  //!< nginx's temp file ("/dev/null" for an empty body)
  std::uint64_t offset = 0;
  std::uint64_t length = 0;
  std::string filename;
};

class ContentService {
 public:
  explicit ContentService(ContentStore& store) : store_(store) {}

  StoredFile Upload(FileRepository& repo, const Principal& caller, const UploadSource& source,
                    const AuditContext& audit);
  /// The caller's file with this CID (any CID form). 400 kInvalidCid when malformed; 404
  /// kNotFound when the caller does not hold it, whoever else may (no existence oracle).
  StoredFile FindForRetrieval(FileRepository& repo, const Principal& caller, std::string_view cid,
                              const AuditContext& audit);
  Page<StoredFile> List(FileRepository& repo, const Principal& caller, FileQuery query, const AuditContext& audit);
  void Delete(FileRepository& repo, const Principal& caller, std::string_view cid, const AuditContext& audit);
  void Pin(FileRepository& repo, const Principal& caller, std::string_view cid, const AuditContext& audit);
  void Unpin(FileRepository& repo, const Principal& caller, std::string_view cid, const AuditContext& audit);
  UsageSummary Usage(FileRepository& repo, const Principal& caller, std::int64_t unflushed_requests,
                     const AuditContext& audit);
  std::string InternalUri(const std::string& cid) const { return store_.InternalUri(cid); }

 private:
  ContentStore& store_;
};

/// Parses any accepted CID form and returns the canonical CIDv1 string (throws kInvalidCid).
std::string CanonicalCid(std::string_view text);

/// Makes a client's filename storable as text: drops NUL, replaces invalid UTF-8, caps length.
std::string StorableOriginalName(std::string_view raw);

}  // namespace gw::domain
