#include "domain/content_service.hpp"

#include "domain/cid.hpp"
#include "domain/error.hpp"
#include "domain/filename.hpp"
#include "domain/job_payloads.hpp"

namespace gw::domain {
namespace {

constexpr std::size_t kMaxOriginalNameBytes = 1024;

}  // namespace

std::string CanonicalCid(std::string_view text) { return Cid::Parse(text).ToCanonicalV1String(); }

std::string StorableOriginalName(std::string_view raw) { return StorableText(raw, kMaxOriginalNameBytes); }

UploadOutcome ContentService::Upload(FileRepository& repo, const Principal& caller, const UploadSource& source,
                                     const AuditContext& audit) {
  if (source.length > max_upload_bytes_) {
    throw Error(ErrorCode::kPayloadTooLarge, {}, {{"limit_bytes", std::to_string(max_upload_bytes_)}});
  }
  if (spool_ == nullptr || source.length < settings_.async_threshold) {
    const auto staged = store_.Stage(source.path, source.offset, source.length);
    // The safe name comes from the storable one, as in RunUploadJob: the same name either way.
    const std::string original = StorableOriginalName(source.filename);
    return {repo.RecordUpload(
                caller.user_id, staged->Content(), original, SafeFilename(original), [&staged] { staged->Commit(); },
                audit),
            std::nullopt};
  }
  // The whole request body is kept (a link, not a copy, where the filesystem allows), with
  // the file's range inside it in the payload: a multipart body is not cut apart here.
  UploadJobPayload payload{
      spool_->Keep(source.path), source.offset,       source.length, StorableOriginalName(source.filename),
      audit.request_id,          audit.client_address};
  try {
    AcceptedUpload accepted{repo.EnqueueJob(caller.user_id, kUploadJob, EncodeUploadJob(payload),
                                            settings_.max_attempts, "upload_accepted", audit),
                            source.length, payload.filename};
    return {std::nullopt, std::move(accepted)};
  } catch (...) {
    spool_->Discard(payload.spool);  // no job will ever read it
    throw;
  }
}

StoredFile ContentService::RunUploadJob(FileRepository& repo, const Job& job, JobControl& control) {
  if (spool_ == nullptr || !job.user_id) throw Error(ErrorCode::kInternal, {}, {}, "upload job without spool or owner");
  const auto payload = DecodeUploadJob(job.payload_json);
  const auto total = static_cast<std::int64_t>(payload.length);
  control.Progress(0, total);
  const auto staged =
      store_.Stage(spool_->PathOf(payload.spool), payload.offset, payload.length,
                   [&control, total](std::uint64_t done) { control.Progress(static_cast<std::int64_t>(done), total); });
  return repo.RecordUpload(
      *job.user_id, staged->Content(), payload.filename, SafeFilename(payload.filename),
      [&staged] { staged->Commit(); }, JobAuditContext(payload.request_id, payload.client_address, *job.user_id));
}

void ContentService::DiscardUploadSpool(const Job& job) {
  if (spool_ != nullptr) spool_->Discard(DecodeUploadJob(job.payload_json).spool);
}

std::string ContentService::RunPinJob(FileRepository& repo, const Job& job, bool pinned) {
  if (!job.user_id) throw Error(ErrorCode::kInternal, {}, {}, "pin job without owner");
  const auto payload = DecodePinJob(job.payload_json);
  const auto cid = CanonicalCid(payload.cid);
  store_.ApplyPin(cid, pinned);
  auto recorded = repo.SetPinned(*job.user_id, cid, pinned,
                                 JobAuditContext(payload.request_id, payload.client_address, *job.user_id));
  if (!recorded) throw Error(ErrorCode::kContentNotFound);  // deleted since the request: nothing to record
  return *std::move(recorded);
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

std::string ContentService::Delete(FileRepository& repo, const Principal& caller, std::string_view cid,
                                   const AuditContext& audit) {
  auto recorded = repo.Remove(caller.user_id, CanonicalCid(cid), audit);
  if (!recorded) throw Error(ErrorCode::kNotFound, "No file with this CID is stored for this API key");
  return *std::move(recorded);
}

PinChange ContentService::Pin(FileRepository& repo, const Principal& caller, std::string_view cid,
                              const AuditContext& audit) {
  return ChangePin(repo, caller, cid, true, audit);
}

PinChange ContentService::Unpin(FileRepository& repo, const Principal& caller, std::string_view cid,
                                const AuditContext& audit) {
  return ChangePin(repo, caller, cid, false, audit);
}

PinChange ContentService::ChangePin(FileRepository& repo, const Principal& caller, std::string_view cid, bool pinned,
                                    const AuditContext& audit) {
  const auto canonical = CanonicalCid(cid);
  if (!store_.PinsRemotely()) {
    auto recorded = repo.SetPinned(caller.user_id, canonical, pinned, audit);
    if (!recorded) throw Error(ErrorCode::kContentNotFound);
    return {*std::move(recorded), std::nullopt};
  }
  // A remote pin may take long or fail for a while: the request only records the intent.
  const PinJobPayload payload{canonical, audit.request_id, audit.client_address};
  auto task = repo.EnqueueJobForHeld(caller.user_id, canonical, pinned ? kPinJob : kUnpinJob, EncodePinJob(payload),
                                     settings_.max_attempts, pinned ? "pin_requested" : "unpin_requested", audit);
  if (!task) throw Error(ErrorCode::kContentNotFound);
  return {canonical, std::move(task)};
}

UsageSummary ContentService::Usage(FileRepository& repo, const Principal& caller, std::int64_t unflushed_requests,
                                   const AuditContext& audit) {
  UsageSummary usage = repo.Usage(caller.user_id, audit);
  usage.request_count += unflushed_requests;
  usage.requests_this_month += unflushed_requests;  // made this month, as their flush will record
  return usage;
}

}  // namespace gw::domain
