// GW_STORAGE and the Filebase settings: every value checked here, so that a wrong one stops the
// start with one line naming it instead of failing on the first upload.
#include <Poco/Exception.h>
#include <Poco/URI.h>

#include <cctype>

#include "fcgi/config.hpp"

namespace gw::web {
namespace {

// An absolute http(s) URL with a host and no query or fragment; returned without a trailing '/'.
std::string RequireBaseUrl(const EnvLookup& env, const std::string& name, const std::string& fallback) {
  const auto value = env(name);
  std::string url = value && !value->empty() ? *value : fallback;
  try {
    const Poco::URI uri(url);
    if ((uri.getScheme() != "https" && uri.getScheme() != "http") || uri.getHost().empty() ||
        !uri.getRawQuery().empty() || !uri.getFragment().empty()) {
      throw ConfigError(name + " must be an http(s) URL with a host and no query; got '" + url + "'");
    }
  } catch (const Poco::SyntaxException&) {
    throw ConfigError(name + " is not a valid URL: '" + url + "'");
  }
  while (url.ends_with('/')) url.pop_back();
  return url;
}

std::string RequireSecret(const EnvLookup& env, const std::string& name) {
  auto value = ReadSecret(env, name);
  if (!value || value->empty()) {
    throw ConfigError(name + " (or " + name + "_FILE) must be set with GW_STORAGE=filebase");
  }
  return *std::move(value);
}

// S3 bucket naming rules (path-style, as Filebase requires): 3-63 characters of lower-case
// letters, digits, '-' and '.', beginning and ending with a letter or digit.
bool IsBucketName(const std::string& name) {
  if (name.size() < 3 || name.size() > 63) return false;
  for (const char c : name) {
    if (!std::islower(static_cast<unsigned char>(c)) && !std::isdigit(static_cast<unsigned char>(c)) && c != '-' &&
        c != '.') {
      return false;
    }
  }
  return std::isalnum(static_cast<unsigned char>(name.front())) &&
         std::isalnum(static_cast<unsigned char>(name.back()));
}

FilebaseConfig LoadFilebase(const EnvLookup& env) {
  FilebaseConfig filebase;
  filebase.endpoint = RequireBaseUrl(env, "FILEBASE_ENDPOINT", filebase.endpoint);
  if (const auto region = env("FILEBASE_REGION"); region && !region->empty()) filebase.region = *region;
  filebase.bucket = env("FILEBASE_BUCKET").value_or("");
  if (!IsBucketName(filebase.bucket)) {
    throw ConfigError("FILEBASE_BUCKET must name a bucket (3-63 of a-z 0-9 . -); got '" + filebase.bucket + "'");
  }
  filebase.access_key = RequireSecret(env, "FILEBASE_ACCESS_KEY");
  filebase.secret_key = RequireSecret(env, "FILEBASE_SECRET_KEY");
  filebase.pinning_url = RequireBaseUrl(env, "FILEBASE_PINNING_URL", filebase.pinning_url);
  filebase.pinning_token = RequireSecret(env, "FILEBASE_PINNING_TOKEN");
  // S3's smallest part is 5 MiB; parts are 16 MiB, so the threshold starts there.
  filebase.multipart_threshold = ReadUnsigned(env, "FILEBASE_MULTIPART_THRESHOLD", filebase.multipart_threshold,
                                              16ull * 1024 * 1024, std::uint64_t{5} << 40);
  filebase.connect_timeout =
      std::chrono::milliseconds(ReadUnsigned(env, "FILEBASE_CONNECT_TIMEOUT_MS", 5'000, 100, 120'000));
  filebase.request_timeout = std::chrono::seconds(ReadUnsigned(env, "FILEBASE_TIMEOUT_S", 300, 1, 86'400));
  filebase.presign_expiry = std::chrono::seconds(ReadUnsigned(env, "FILEBASE_PRESIGN_EXPIRY_S", 300, 10, 604'800));
  filebase.breaker_open = std::chrono::seconds(ReadUnsigned(env, "FILEBASE_BREAKER_OPEN_S", 60, 1, 3600));
  return filebase;
}

}  // namespace

void LoadStorageConfig(const EnvLookup& env, Config& config) {
  const std::string storage = env("GW_STORAGE").value_or("");
  if (storage.empty() || storage == "local") {
    config.storage = Storage::kLocal;
  } else if (storage == "filebase") {
    config.storage = Storage::kFilebase;
    config.filebase = LoadFilebase(env);
  } else {
    throw ConfigError("GW_STORAGE must be 'local' (the embedded content store) or 'filebase'; got '" + storage + "'");
  }
}

}  // namespace gw::web
