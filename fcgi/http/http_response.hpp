#pragma once
/// @file The response a handler returns, and the success envelope.

#include <nlohmann/json_fwd.hpp>

#include <string>
#include <string_view>

#include "fcgi/http/http_request.hpp"

namespace gw::web {

struct Response {
  int status = 200;
  std::string content_type = "application/json";
  NameValues headers;  //!< extra headers; Content-Type/Length and X-Request-Id are added on output
  std::string body;

  void SetHeader(std::string name, std::string value);
};

/// {"status": <status>, "message": <message>, "data": <data>}
Response JsonSuccess(int status, std::string_view message, const nlohmann::json& data);
/// The same envelope around `data_json`, data already written as JSON text (hot routes that
/// write their few fields by hand instead of building a JSON tree).
Response JsonSuccessText(int status, std::string_view message, std::string_view data_json);

/// Appends `text` as a JSON string, quotes included: the bytes nlohmann::json's dump writes
/// (invalid UTF-8 replaced by U+FFFD, as every answer and log line does).
void AppendJsonString(std::string& out, std::string_view text);

/// The standard reason phrase for a status code ("Not Found").
std::string_view ReasonPhrase(int status);

}  // namespace gw::web
