#include "fcgi/http/http_response.hpp"

#include <nlohmann/json.hpp>

namespace gw::web {

void Response::SetHeader(std::string name, std::string value) {
  for (auto& [key, existing] : headers) {
    if (key == name) {
      existing = std::move(value);
      return;
    }
  }
  headers.emplace_back(std::move(name), std::move(value));
}

Response JsonSuccess(int status, std::string_view message, const nlohmann::json& data) {
  Response response;
  response.status = status;
  // The envelope is written in its fixed order ("status" first, as readers expect) around the
  // dumped parts: the same bytes as an ordered_json envelope, without deep-copying `data` into
  // one first (this runs on every answer).
  constexpr auto kReplace = nlohmann::json::error_handler_t::replace;
  std::string& body = response.body;
  body = R"({"status":)";
  body += std::to_string(status);
  body += R"(,"message":)";
  body += nlohmann::json(message).dump(-1, ' ', false, kReplace);
  body += R"(,"data":)";
  body += data.dump(-1, ' ', false, kReplace);
  body += '}';
  return response;
}

std::string_view ReasonPhrase(int status) {
  switch (status) {
    case 200: return "OK";
    case 201: return "Created";
    case 202: return "Accepted";
    case 204: return "No Content";
    case 206: return "Partial Content";
    case 304: return "Not Modified";
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 409: return "Conflict";
    case 413: return "Content Too Large";
    case 415: return "Unsupported Media Type";
    case 416: return "Range Not Satisfiable";
    case 422: return "Unprocessable Content";
    case 429: return "Too Many Requests";
    case 500: return "Internal Server Error";
    case 502: return "Bad Gateway";
    case 503: return "Service Unavailable";
    case 504: return "Gateway Timeout";
    default: return "Unknown";
  }
}

}  // namespace gw::web
