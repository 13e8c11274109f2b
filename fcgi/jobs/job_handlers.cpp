#include "fcgi/jobs/job_handlers.hpp"

#include <nlohmann/json.hpp>

#include "domain/job_payloads.hpp"
#include "fcgi/http/file_json.hpp"

namespace gw::web {
namespace {

// upload: import the spooled body; the result is the file object a 201 upload returns.
fcgi::JobHandler UploadJob(domain::ContentService& content, domain::FileRepository& files) {
  return [&content, &files](const domain::Job& job, domain::JobControl& control) {
    const auto file = content.RunUploadJob(files, job, control);
    return fcgi::JobOutcome{FileToJson(file).dump(), [&content, job] { content.DiscardUploadSpool(job); }};
  };
}

// pin / unpin: only created when the store pins remotely (see ContentService::Pin).
fcgi::JobHandler PinJob(domain::ContentService& content, domain::FileRepository& files, bool pinned) {
  return [&content, &files, pinned](const domain::Job& job, domain::JobControl&) {
    const auto cid = content.RunPinJob(files, job, pinned);
    return fcgi::JobOutcome{nlohmann::json{{"cid", cid}, {"pinned", pinned}}.dump(), {}};
  };
}

}  // namespace

fcgi::JobHandlers BuildJobHandlers(domain::ContentService& content, domain::FileRepository& files) {
  fcgi::JobHandlers handlers;
  handlers.emplace(domain::kUploadJob, UploadJob(content, files));
  handlers.emplace(domain::kPinJob, PinJob(content, files, true));
  handlers.emplace(domain::kUnpinJob, PinJob(content, files, false));
  return handlers;
}

}  // namespace gw::web
