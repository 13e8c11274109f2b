#include "fcgi/config.hpp"

#include <Poco/Exception.h>
#include <Poco/URI.h>

#include <algorithm>
#include <charconv>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace gw::web {
namespace {

std::string Trim(std::string s) {
  const auto first = s.find_first_not_of(" \t\r\n");
  const auto last = s.find_last_not_of(" \t\r\n");
  return first == std::string::npos ? std::string() : s.substr(first, last - first + 1);
}

// An integer variable within [min, max], or `fallback` when unset or empty.
template <typename Number>
Number ReadNumber(const EnvLookup& env, std::string_view name, Number fallback, Number min, Number max) {
  const auto value = env(name);
  if (!value || value->empty()) return fallback;
  Number parsed = 0;
  const auto [end, ec] = std::from_chars(value->data(), value->data() + value->size(), parsed);
  if (ec != std::errc() || end != value->data() + value->size() || parsed < min || parsed > max) {
    throw ConfigError(std::string(name) + " must be an integer between " + std::to_string(min) + " and " +
                      std::to_string(max) + ", got '" + *value + "'");
  }
  return parsed;
}

int ReadInt(const EnvLookup& env, std::string_view name, int fallback, int min, int max) {
  return ReadNumber<int>(env, name, fallback, min, max);
}

// `auto` (use the profile Filebase imports with, learned from a probe object at start) is the
// default with Filebase and only possible there: the embedded store computes CIDs itself, so it
// needs a named profile (default kubo-add-cidv1).
std::optional<domain::CidProfile> ReadCidProfile(const EnvLookup& env, Storage storage) {
  const auto value = env("GW_CID_PROFILE");
  if (!value || value->empty()) {
    if (storage == Storage::kFilebase) return std::nullopt;
    return domain::CidProfile::kKuboAddCidV1;
  }
  if (const auto profile = domain::ParseCidProfile(*value)) return *profile;
  if (*value == "auto") {
    if (storage == Storage::kFilebase) return std::nullopt;
    throw ConfigError(
        "GW_CID_PROFILE=auto (the profile Filebase imports with) needs GW_STORAGE=filebase; "
        "the local store needs one of " +
        domain::CidProfileNames());
  }
  throw ConfigError("GW_CID_PROFILE must be " + std::string(storage == Storage::kFilebase ? "auto or " : "") +
                    "one of " + domain::CidProfileNames() + "; got '" + *value + "'");
}

std::string QuoteLibpq(const std::string& value) {
  std::string quoted = "'";
  for (const char c : value) {
    if (c == '\'' || c == '\\') quoted += '\\';
    quoted += c;
  }
  return quoted + "'";
}

// Trimmed beyond ReadSecret's one newline, as it always was: peppers are hex (gen_secret), and a
// space around one must not change every key's hash.
std::string ReadPepper(const EnvLookup& env) {
  const std::string pepper = Trim(ReadSecret(env, "GW_KEY_PEPPER").value_or(""));
  if (pepper.size() < 32) {
    throw ConfigError("GW_KEY_PEPPER_FILE (or GW_KEY_PEPPER) must provide a secret of at least 32 characters");
  }
  return pepper;
}

// GW_RATE_LIMIT_REDIS_URL: its shape is checked here, so that a typo stops the start instead of
// sending every request to the host's own limits (persistence/redis_rate_limiter.cpp connects).
// Messages show the URL without its user info: it may hold a password.
std::string ReadRedisUrl(const EnvLookup& env) {
  constexpr std::string_view kName = "GW_RATE_LIMIT_REDIS_URL";
  const std::string url = ReadSecret(env, std::string(kName)).value_or("");  // or GW_RATE_LIMIT_REDIS_URL_FILE
  if (url.empty()) return url;
  const std::string expected =
      "redis://[[user]:password@]host[:port][/db] or redis+unix://[[user]:password@]/path/to/redis.sock[?db=N]";
  Poco::URI uri;
  try {
    uri = Poco::URI(url);
  } catch (const Poco::Exception&) {
    throw ConfigError(std::string(kName) + " must be " + expected + " (not a valid URL)");
  }
  const std::string shown = "'" + uri.getScheme() + "://" + uri.getHost() + uri.getPath() + "'";
  const auto is_number = [](std::string_view s) {
    return !s.empty() && s.find_first_not_of("0123456789") == std::string_view::npos;
  };
  const std::string info = uri.getUserInfo();
  bool ok = info.empty() || info.find(':') != std::string::npos;
  if (uri.getScheme() == "redis") {
    const std::string& path = uri.getPath();
    ok = ok && !uri.getHost().empty() && uri.getRawQuery().empty() &&
         (path.empty() || path == "/" || is_number(std::string_view(path).substr(1)));
  } else if (uri.getScheme() == "redis+unix" || uri.getScheme() == "unix") {
    const std::string query = uri.getRawQuery();
    ok = ok && uri.getHost().empty() && !uri.getPath().empty() &&
         (query.empty() || (query.starts_with("db=") && is_number(std::string_view(query).substr(3))));
  } else {
    ok = false;
  }
  if (!ok) throw ConfigError(std::string(kName) + " must be " + expected + "; got " + shown);
  return url;
}

}  // namespace

std::optional<std::string> ReadSecret(const EnvLookup& env, const std::string& name) {
  const auto file = env(name + "_FILE");
  const auto value = env(name);
  const bool from_file = file && !file->empty();
  if (from_file && value && !value->empty()) {
    throw ConfigError("set " + name + " or " + name + "_FILE, not both");
  }
  if (!from_file) return value;
  // A directory opens as a stream on Linux and then reads nothing: say so instead.
  std::error_code ignored;
  std::ifstream in(*file, std::ios::binary);
  if (!in || std::filesystem::is_directory(*file, ignored)) {
    throw ConfigError(name + "_FILE: cannot read '" + *file + "'");
  }
  std::stringstream content;
  content << in.rdbuf();
  if (in.bad()) throw ConfigError(name + "_FILE: cannot read '" + *file + "'");
  // `echo secret > file` and editors end the file with a newline that is not part of the secret;
  // one is dropped (with its CR), nothing else: a secret may end in other whitespace.
  std::string secret = content.str();
  if (secret.ends_with('\n')) secret.pop_back();
  if (secret.ends_with('\r')) secret.pop_back();
  return secret;
}

std::uint64_t ReadUnsigned(const EnvLookup& env, std::string_view name, std::uint64_t fallback, std::uint64_t min,
                           std::uint64_t max) {
  return ReadNumber<std::uint64_t>(env, name, fallback, min, max);
}

std::string BuildConnectionString(const EnvLookup& env) {
  // DATABASE_URL and DATABASE_PASSWORD may hold a password: either may come from a file (_FILE)
  if (const auto url = ReadSecret(env, "DATABASE_URL"); url && !url->empty()) return *url;
  std::string dsn;
  const std::pair<std::string_view, std::string_view> parts[] = {
      {"DATABASE_HOST", "host"}, {"DATABASE_PORT", "port"},         {"DATABASE_NAME", "dbname"},
      {"DATABASE_USER", "user"}, {"DATABASE_PASSWORD", "password"},
  };
  for (const auto& [variable, keyword] : parts) {
    const auto value = variable == "DATABASE_PASSWORD" ? ReadSecret(env, std::string(variable)) : env(variable);
    if (value && !value->empty()) {
      if (!dsn.empty()) dsn += ' ';
      dsn += std::string(keyword) + "=" + QuoteLibpq(*value);
    }
  }
  if (dsn.empty() || !env("DATABASE_NAME")) {
    throw ConfigError("DATABASE_URL is not set (nor DATABASE_NAME with DATABASE_USER/_PASSWORD/_HOST/_PORT)");
  }
  return dsn;
}

Config LoadConfig(const EnvLookup& env, unsigned hardware_threads, bool need_server) {
  Config config;
  config.database_url = BuildConnectionString(env);
  config.key_pepper = ReadPepper(env);
  const auto get = [&](std::string_view name, const std::string& fallback) {
    const auto value = env(name);
    return value && !value->empty() ? *value : fallback;
  };
  config.fcgi_socket = get("GW_FCGI_SOCKET", "");
  if (need_server && config.fcgi_socket.empty()) throw ConfigError("GW_FCGI_SOCKET must name the FastCGI unix socket");
  config.workers = ReadInt(env, "GW_WORKERS", static_cast<int>(std::max(1u, hardware_threads)), 1, 256);
  config.threads = ReadInt(env, "GW_THREADS", 8, 1, 256);
  config.log_dir = get("GW_LOG_DIR", config.log_dir);
  config.run_dir = get("GW_RUN_DIR", config.run_dir);
  config.log_level = get("GW_LOG_LEVEL", config.log_level);
  if (config.log_level != "debug" && config.log_level != "info" && config.log_level != "warn" &&
      config.log_level != "error") {
    throw ConfigError("GW_LOG_LEVEL must be one of debug, info, warn, error; got '" + config.log_level + "'");
  }
  config.migrations_dir = get("GW_MIGRATIONS_DIR", config.migrations_dir);
  config.store_dir = get("GW_STORE_DIR", config.store_dir);
  LoadStorageConfig(env, config);
  config.cid_profile = ReadCidProfile(env, config.storage);
  config.drain_timeout = std::chrono::seconds(ReadInt(env, "GW_DRAIN_TIMEOUT_S", 30, 1, 3600));
  config.key_cache_ttl = std::chrono::milliseconds(ReadInt(env, "GW_KEY_CACHE_TTL_MS", 60'000, 0, 3'600'000));
  // Browser sessions: at most 30 days; the idle timeout is at least the minute last_seen_at is
  // written at (domain::kSessionTouchSeconds).
  config.session_ttl = std::chrono::seconds(ReadInt(env, "GW_SESSION_TTL_SECONDS", 28'800, 60, 2'592'000));
  config.session_idle = std::chrono::seconds(ReadInt(env, "GW_SESSION_IDLE_SECONDS", 1'800, 120, 2'592'000));
  // The limit is on the file (a multipart body may be a little larger); 1 TiB is a sanity bound.
  config.max_upload_bytes =
      ReadNumber<std::uint64_t>(env, "GW_MAX_UPLOAD_BYTES", config.max_upload_bytes, 1, std::uint64_t{1} << 40);
  // Up to the upload limit; 1 makes every non-empty upload a task.
  config.async_threshold = ReadNumber<std::uint64_t>(env, "GW_ASYNC_THRESHOLD", config.async_threshold, 1,
                                                     std::max(config.max_upload_bytes, config.async_threshold));
  config.job_workers = ReadInt(env, "GW_JOB_WORKERS", 1, 0, 16);
  config.job_concurrency = ReadInt(env, "GW_JOB_CONCURRENCY", 2, 1, 64);
  config.job_max_attempts = ReadInt(env, "GW_JOB_MAX_ATTEMPTS", 5, 1, 100);
  config.job_lease = std::chrono::seconds(ReadInt(env, "GW_JOB_LEASE_S", 30, 2, 3600));
  LoadLimitsAndMetricsConfig(env, config);
  config.rate_limits.redis_url = ReadRedisUrl(env);
  config.rate_limits.redis_timeout =
      std::chrono::milliseconds(ReadInt(env, "GW_RATE_LIMIT_REDIS_TIMEOUT_MS", 200, 1, 10'000));
  return config;
}

}  // namespace gw::web
