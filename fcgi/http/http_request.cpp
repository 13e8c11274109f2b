#include "fcgi/http/http_request.hpp"

#include <charconv>

#include <Poco/Exception.h>
#include <Poco/URI.h>
#include <nlohmann/json.hpp>

#include <cctype>

#include "domain/error.hpp"

namespace gw::web {
namespace {

std::string_view Find(const NameValues& values, std::string_view name) {
  for (const auto& [key, value] : values) {
    if (key == name) return value;
  }
  return {};
}

}  // namespace

std::string_view Request::Param(std::string_view name) const { return Find(params, name); }

std::uint64_t Request::ContentLength() const {
  const std::string_view text = Param("CONTENT_LENGTH");
  std::uint64_t length = 0;
  if (!text.empty()) std::from_chars(text.data(), text.data() + text.size(), length);
  return length;
}

std::optional<std::string_view> Request::Header(std::string_view name) const {
  std::string cgi_name = "HTTP_";
  for (const char c : name) cgi_name += c == '-' ? '_' : static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  for (const auto& [key, value] : params) {
    if (key == cgi_name) return std::string_view(value);
  }
  return std::nullopt;
}

std::string_view Request::PathParam(std::string_view name) const { return Find(path_params, name); }

std::optional<std::string> Request::QueryParam(std::string_view name) const {
  if (query.empty()) return std::nullopt;
  // Poco::URI splits on '&' and the first '=', and decodes %XX and '+' (form encoding) in
  // names and values; it refuses a malformed escape, which the client hears about.
  Poco::URI::QueryParameters parameters;
  try {
    Poco::URI uri;
    uri.setRawQuery(query);
    parameters = uri.getQueryParameters();
  } catch (const Poco::SyntaxException&) {
    throw domain::Error(domain::ErrorCode::kInvalidQuery, "The query string has a malformed %-escape");
  }
  for (auto& [key, value] : parameters) {
    if (key == name) return std::move(value);
  }
  return std::nullopt;
}

const nlohmann::json& Request::Json() const {
  if (!json_body) throw domain::Error(domain::ErrorCode::kInternal, {}, {}, "Json() used without WithJsonBody");
  return *json_body;
}

std::string DecodePath(std::string_view raw) {
  std::string decoded;
  try {
    Poco::URI::decode(std::string(raw), decoded, /*plusAsSpace=*/false);  // '+' is a '+' in a path
  } catch (const Poco::SyntaxException&) {
    throw domain::Error(domain::ErrorCode::kBadRequest, "The path has a malformed %-escape");
  }
  return decoded;
}

}  // namespace gw::web
