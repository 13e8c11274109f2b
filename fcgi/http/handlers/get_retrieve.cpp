// GET|HEAD /retrieve/{cid}: the caller's file. The worker authorises, answers If-None-Match and
// a Range past the end (416); nginx then serves the bytes (sendfile, Range, HEAD) through
// X-Accel-Redirect.
#include <cstdint>
#include <string>

#include "domain/error.hpp"
#include "fcgi/http/content_headers.hpp"
#include "fcgi/http/context.hpp"
#include "fcgi/http/error_table.hpp"
#include "fcgi/http/handlers/handlers.hpp"

namespace gw::web::handlers {

Handler GetRetrieve(domain::ContentService& content) {
  return [&content](Request& request, Context& context) {
    const auto file =
        content.FindForRetrieval(context.files, *request.principal, request.PathParam("cid"), AuditContextOf(request));
    Response response;
    response.SetHeader("ETag", "\"" + file.cid + "\"");
    response.SetHeader("Cache-Control", std::string(kImmutableCacheControl));
    if (const auto if_none_match = request.Header("If-None-Match");
        if_none_match && IfNoneMatchMatches(*if_none_match, file.cid)) {
      response.status = 304;
      response.content_type.clear();
      return response;
    }
    // A Range past the end is answered here, not by nginx (content_headers.hpp, CheckRange).
    // With If-Range nginx may serve the whole file instead; only the file's own ETag is
    // judged here, any other If-Range is left to nginx.
    const auto range = request.Header("Range");
    const auto if_range = request.Header("If-Range");
    if (range && (!if_range || *if_range == "\"" + file.cid + "\"") &&
        CheckRange(*range, static_cast<std::uint64_t>(file.size)) == RangeVerdict::kUnsatisfiable) {
      Response refused = ErrorResponse(domain::Error(domain::ErrorCode::kRangeNotSatisfiable), request.request_id);
      refused.SetHeader("Content-Range", "bytes */" + std::to_string(file.size));
      return refused;
    }
    response.content_type = file.mime_type;
    response.SetHeader("Content-Disposition", ContentDisposition("attachment", file.safe_filename));
    response.SetHeader("X-Accel-Redirect", content.InternalUri(file.cid));
    return response;
  };
}

}  // namespace gw::web::handlers
