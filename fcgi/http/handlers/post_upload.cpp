// POST /upload (multipart field `file`, or a raw body with ?filename=) -> 201 with the CID, or
// 202 with a task for uploads of GW_ASYNC_THRESHOLD bytes and more.
// The body is a file nginx spooled; the worker never reads it through the socket.
#include <nlohmann/json.hpp>

#include "fcgi/http/context.hpp"
#include "fcgi/http/file_json.hpp"
#include "fcgi/http/handlers/handlers.hpp"
#include "fcgi/http/task_json.hpp"
#include "fcgi/http/upload_source.hpp"

namespace gw::web::handlers {

Handler PostUpload(domain::ContentService& content) {
  return [&content](Request& request, Context& context) {
    const auto outcome = content.Upload(context.files, *request.principal,
                                        UploadSourceOf(request, content.MaxUploadBytes()), AuditContextOf(request));
    if (outcome.task) {
      return TaskAccepted("Upload accepted; it is stored by a task", outcome.task->task_id,
                          {{"size", outcome.task->size}, {"filename", outcome.task->filename}});
    }
    Response response = JsonSuccess(201, "File stored", FileToJson(*outcome.file));
    response.SetHeader("Location", "/retrieve/" + outcome.file->cid);
    return response;
  };
}

}  // namespace gw::web::handlers
