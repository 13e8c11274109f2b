#include "fcgi/http/http_response.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>

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
  // The envelope is written around the dumped data: the same bytes as an ordered_json envelope
  // ("status" first, as readers expect) without deep-copying `data` into one first.
  return JsonSuccessText(status, message, data.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
}

Response JsonSuccessText(int status, std::string_view message, std::string_view data_json) {
  Response response;
  response.status = status;
  std::string& body = response.body;
  body.reserve(48 + message.size() + data_json.size());
  body = R"({"status":)";
  body += std::to_string(status);
  body += R"(,"message":)";
  AppendJsonString(body, message);
  body += R"(,"data":)";
  body += data_json;
  body += '}';
  return response;
}

void AppendJsonString(std::string& out, std::string_view text) {
  // Printable ASCII without quote or backslash is written as it is (addresses, routes, ids,
  // dates); anything else goes through nlohmann's escaper, so the bytes never differ from dump()'s.
  const bool plain =
      std::all_of(text.begin(), text.end(), [](char c) { return c >= 0x20 && c <= 0x7e && c != '"' && c != '\\'; });
  if (!plain) {
    out += nlohmann::json(std::string(text)).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    return;
  }
  out += '"';
  out += text;
  out += '"';
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
