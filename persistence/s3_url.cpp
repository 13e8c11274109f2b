#include "persistence/s3_url.hpp"

#include <algorithm>
#include <stdexcept>

namespace gw::persistence {
namespace {

bool IsUnreserved(unsigned char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_' ||
         c == '.' || c == '~';
}

std::string_view TrimTrailingSlashes(std::string_view text) {
  while (!text.empty() && text.back() == '/') text.remove_suffix(1);
  return text;
}

}  // namespace

std::string SigV4Encode(std::string_view text, bool keep_slash) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(text.size());
  for (const char ch : text) {
    const auto c = static_cast<unsigned char>(ch);
    if (IsUnreserved(c) || (keep_slash && c == '/')) {
      out += ch;
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 0x0F];
    }
  }
  return out;
}

std::string CanonicalQuery(QueryParams params) {
  for (auto& [key, value] : params) {
    key = SigV4Encode(key, false);
    value = SigV4Encode(value, false);
  }
  // SigV4 sorts by the encoded names (byte order), then by value.
  std::sort(params.begin(), params.end());
  std::string query;
  for (const auto& [key, value] : params) {
    if (!query.empty()) query += '&';
    query += key;
    query += '=';
    query += value;
  }
  return query;
}

std::string ObjectPath(const S3Config& config, std::string_view key) {
  return "/" + config.bucket + "/" + SigV4Encode(key, true);
}

std::string ObjectUrl(const S3Config& config, std::string_view key, QueryParams params) {
  std::string url = std::string(TrimTrailingSlashes(config.endpoint)) + ObjectPath(config, key);
  const std::string query = CanonicalQuery(std::move(params));
  if (!query.empty()) url += "?" + query;
  return url;
}

std::string HostOf(std::string_view endpoint) {
  const auto scheme_end = endpoint.find("://");
  if (scheme_end == std::string_view::npos || scheme_end == 0) {
    throw std::invalid_argument("S3 endpoint must be scheme://host[:port]: " + std::string(endpoint));
  }
  const std::string_view scheme = endpoint.substr(0, scheme_end);
  std::string_view authority = TrimTrailingSlashes(endpoint.substr(scheme_end + 3));
  if (authority.empty() || authority.find_first_of("/?#@") != std::string_view::npos) {
    throw std::invalid_argument("S3 endpoint must be scheme://host[:port] without a path: " + std::string(endpoint));
  }
  const auto colon = authority.rfind(':');
  if (colon != std::string_view::npos && authority.find(']', colon) == std::string_view::npos) {
    const std::string_view port = authority.substr(colon + 1);
    if ((scheme == "https" && port == "443") || (scheme == "http" && port == "80")) {
      authority = authority.substr(0, colon);
    }
  }
  return std::string(authority);
}

}  // namespace gw::persistence
