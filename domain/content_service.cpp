#include "domain/content_service.hpp"

#include "domain/cid.hpp"
#include "domain/error.hpp"
#include "domain/filename.hpp"

namespace gw::domain {
namespace {

constexpr std::size_t kMaxOriginalNameBytes = 1024;

}  // namespace

std::string CanonicalCid(std::string_view text) { return Cid::Parse(text).ToCanonicalV1String(); }

std::string StorableOriginalName(std::string_view raw) { return StorableText(raw, kMaxOriginalNameBytes); }

StoredFile ContentService::Upload(FileRepository& repo, const Principal& caller, const UploadSource& source,
                                  const AuditContext& audit) {
  if (source.length > kMaxUploadBytes) {
    throw Error(ErrorCode::kPayloadTooLarge, {}, {{"limit_bytes", std::to_string(kMaxUploadBytes)}});
  }
  const auto staged = store_.Stage(source.path, source.offset, source.length);
  return repo.RecordUpload(caller.user_id, staged->Content(), StorableOriginalName(source.filename),
                           SafeFilename(source.filename), [&staged] { staged->Commit(); }, audit);
}

StoredFile ContentService::FindForRetrieval(FileRepository& repo, const Principal& caller, std::string_view cid,
                                            const AuditContext& audit) {
  auto file = repo.FindHeld(caller.user_id, CanonicalCid(cid), "retrieve", audit);
  if (!file) throw Error(ErrorCode::kNotFound, "No file with this CID is stored for this API key");
  return *std::move(file);
}

Page<StoredFile> ContentService::List(FileRepository& repo, const Principal& caller, FileQuery query,
                                      const AuditContext& audit) {
  if (query.cid) query.cid = CanonicalCid(*query.cid);
  return repo.List(caller.user_id, query, audit);
}

void ContentService::Delete(FileRepository& repo, const Principal& caller, std::string_view cid,
                            const AuditContext& audit) {
  if (!repo.Remove(caller.user_id, CanonicalCid(cid), audit)) {
    throw Error(ErrorCode::kNotFound, "No file with this CID is stored for this API key");
  }
}

void ContentService::Pin(FileRepository& repo, const Principal& caller, std::string_view cid,
                         const AuditContext& audit) {
  if (!repo.SetPinned(caller.user_id, CanonicalCid(cid), true, audit)) throw Error(ErrorCode::kContentNotFound);
}

void ContentService::Unpin(FileRepository& repo, const Principal& caller, std::string_view cid,
                           const AuditContext& audit) {
  if (!repo.SetPinned(caller.user_id, CanonicalCid(cid), false, audit)) throw Error(ErrorCode::kContentNotFound);
}

UsageSummary ContentService::Usage(FileRepository& repo, const Principal& caller, std::int64_t unflushed_requests,
                                   const AuditContext& audit) {
  UsageSummary usage = repo.Usage(caller.user_id, audit);
  usage.request_count += unflushed_requests;
  return usage;
}

}  // namespace gw::domain
