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
    response.SetHeader("Cache-Control", std::string(kImmutableCacheControl));
    if (const auto if_none_match = request.Header("If-None-Match");
        if_none_match && IfNoneMatchMatches(*if_none_match, file.cid)) {
      response.status = 304;
      response.content_type.clear();
      return response;
    }
    response.content_type = file.mime_type;
    response.SetHeader("Content-Disposition", ContentDisposition("attachment", file.safe_filename));
    response.SetHeader("X-Accel-Redirect", content.InternalUri(file.cid));
    return response;
  };
}

}  // namespace gw::web::handlers
