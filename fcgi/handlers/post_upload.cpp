// POST /upload (multipart field `file`, or a raw body with ?filename=) -> 201 with the CID.
// The body is a file nginx spooled; the worker never reads it through the socket.
#include <nlohmann/json.hpp>

#include "fcgi/context.hpp"
#include "fcgi/file_json.hpp"
#include "fcgi/handlers/handlers.hpp"
#include "fcgi/upload_source.hpp"

namespace gw::web::handlers {

Handler PostUpload(domain::ContentService& content) {
  return [&content](Request& request, Context& context) {
    const auto file = content.Upload(context.files, *request.principal, UploadSourceOf(request), AuditContextOf(request));
    Response response = JsonSuccess(201, "File stored", FileToJson(file));
    response.SetHeader("Location", "/retrieve/" + file.cid);
    return response;
  };
}

}  // namespace gw::web::handlers
