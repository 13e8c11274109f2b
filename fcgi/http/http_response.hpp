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

/// The standard reason phrase for a status code ("Not Found").
std::string_view ReasonPhrase(int status);

}  // namespace gw::web
