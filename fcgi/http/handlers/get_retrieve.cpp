// GET|HEAD /retrieve/{cid}: the caller's file. The worker authorises and answers If-None-Match;
// nginx then serves the bytes (sendfile, Range, HEAD) through X-Accel-Redirect.
#include "fcgi/http/content_headers.hpp"
#include "fcgi/http/context.hpp"
#include "fcgi/http/handlers/handlers.hpp"

namespace gw::web::handlers {

Handler GetRetrieve(domain::ContentService& content) {
  return [&content](Request& request, Context& context) {
    const auto file =
        content.FindForRetrieval(context.files, *request.principal, request.PathParam("cid"), AuditContextOf(request));
    Response response;
    response.SetHeader("ETag", "\"" + file.cid + "\"");
    if (const auto if_none_match = request.Header("If-None-Match");
        if_none_match && IfNoneMatchMatches(*if_none_match, file.cid)) {
      response.status = 304;
      response.content_type.clear();
      response.SetHeader("Cache-Control", std::string(kImmutableCacheControl));
      return response;
    }
    response.content_type = file.mime_type;
    // Not Content-Disposition and Cache-Control themselves: nginx would keep those across the
    // redirect on every answer of the internal location, its own errors too (a 416 for a Range
    // past the end is no immutable attachment). The internal locations add them from these
    // headers on the file's own answers only (nginx/snippets/download-headers.conf).
    response.SetHeader(std::string(kDownloadDispositionHeader), ContentDisposition("attachment", file.safe_filename));
    response.SetHeader(std::string(kDownloadCacheControlHeader), std::string(kImmutableCacheControl));
    response.SetHeader("X-Accel-Redirect", content.InternalUri(file.cid));
    return response;
  };
}

}  // namespace gw::web::handlers
