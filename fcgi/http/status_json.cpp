#include "fcgi/http/status_json.hpp"

#include <optional>

#include "fcgi/http/http_response.hpp"

namespace gw::web {

std::string AccountStatusJson(const domain::AccountStatus& status) {
  std::string out;
  out.reserve(384);
  const auto string_or_null = [&out](const std::optional<std::string>& value) {
    if (value) {
      AppendJsonString(out, *value);
    } else {
      out += "null";
    }
  };
  out += R"({"created_at":)";
  AppendJsonString(out, status.created_at);
  out += R"(,"email":)";
  AppendJsonString(out, status.email);
  out += R"(,"is_admin":)";
  out += status.is_admin ? "true" : "false";
  out += R"(,"key_created_at":)";
  string_or_null(status.key_created_at);
  out += R"(,"key_prefix":)";
  string_or_null(status.key_prefix);
  out += R"(,"last_renewed_at":)";
  string_or_null(status.last_renewed_at);
  out += R"(,"limits":{"burst":)";
  out += std::to_string(status.limits.burst);
  out += R"(,"requests_per_minute":)";
  out += std::to_string(status.limits.requests_per_minute);
  out += R"(,"upload_bytes_per_day":)";
  out += std::to_string(status.limits.upload_bytes_per_day);
  out += R"(},"plan":)";
  AppendJsonString(out, status.plan);
  out += R"(,"state":)";
  AppendJsonString(out, domain::ToString(status.key_state));
  out += R"(,"usage_count":)";
  out += std::to_string(status.usage_count);
  out += '}';
  return out;
}

}  // namespace gw::web
