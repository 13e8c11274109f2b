#include "fcgi/process/fcgi_transport.hpp"

#include <charconv>
#include <cstring>
#include <string>

#include "domain/error.hpp"

namespace gw::fcgi {

void ReadRequest(FCGX_Request& raw, std::size_t max_body, web::Request& request) {
  for (char** entry = raw.envp; entry != nullptr && *entry != nullptr; ++entry) {
    const char* equals = std::strchr(*entry, '=');
    if (equals == nullptr) continue;
    request.params.emplace_back(std::string(*entry, static_cast<std::size_t>(equals - *entry)),
                                std::string(equals + 1));
  }
  request.method = std::string(request.Param("REQUEST_METHOD"));
  request.path = std::string(request.Param("DOCUMENT_URI"));
  if (request.path.empty()) {
    const std::string_view uri = request.Param("REQUEST_URI");
    request.path = web::DecodePath(uri.substr(0, uri.find('?')));
  }
  request.query = std::string(request.Param("QUERY_STRING"));
  request.request_id = std::string(request.Param("REQUEST_ID"));
  request.remote_addr = std::string(request.Param("REMOTE_ADDR"));
  request.content_type = std::string(request.Param("CONTENT_TYPE"));

  const std::string_view length_text = request.Param("CONTENT_LENGTH");
  std::size_t length = 0;
  if (!length_text.empty()) {
    const auto [end, ec] = std::from_chars(length_text.data(), length_text.data() + length_text.size(), length);
    if (ec != std::errc() || end != length_text.data() + length_text.size()) {
      throw domain::Error(domain::ErrorCode::kBadRequest, "Invalid Content-Length");
    }
  }
  // An upload's body was spooled to a file by nginx (REQUEST_BODY_FILE) and is not sent over
  // the socket: only its path is read, by the upload handler.
  if (!request.Param("REQUEST_BODY_FILE").empty()) return;
  if (length > max_body) {
    throw domain::Error(domain::ErrorCode::kPayloadTooLarge, {}, {{"limit_bytes", std::to_string(max_body)}});
  }
  request.body.resize(length);
  std::size_t done = 0;
  while (done < length) {
    const int n = FCGX_GetStr(request.body.data() + done, static_cast<int>(length - done), raw.in);
    if (n <= 0) break;
    done += static_cast<std::size_t>(n);
  }
  request.body.resize(done);
}

void WriteResponse(FCGX_Request& raw, const web::Request& request, const web::Response& response) {
  std::string head;
  head.reserve(256 + response.body.size());
  head += "Status: " + std::to_string(response.status) + " " + std::string(web::ReasonPhrase(response.status)) + "\r\n";
  head += "Content-Type: " + response.content_type + "\r\n";
  head += "Content-Length: " + std::to_string(response.body.size()) + "\r\n";
  head += "X-Request-Id: " + request.request_id + "\r\n";
  bool has_cache_control = false;
  for (const auto& [name, value] : response.headers) {
    has_cache_control = has_cache_control || name == "Cache-Control";
    head += name + ": " + value + "\r\n";
  }
  // API answers carry keys and account data: no cache anywhere may keep them by default.
  if (!has_cache_control) head += "Cache-Control: no-store\r\n";
  head += "\r\n";
  if (request.method != "HEAD") head += response.body;
  FCGX_PutStr(head.data(), static_cast<int>(head.size()), raw.out);
}

}  // namespace gw::fcgi
