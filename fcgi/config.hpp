#pragma once
/// @file Configuration: one struct, built once from the environment in main and passed down.

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "domain/cid_profile.hpp"

namespace gw::web {

enum class Storage { kLocal, kFilebase };

/// The Filebase backend (GW_STORAGE=filebase): S3-compatible API plus the IPFS Pinning Service
/// API. Secrets come from FILEBASE_*_FILE (preferred) or the variables themselves; never logged.
struct FilebaseConfig {
  std::string endpoint = "https://s3.filebase.com";  //!< S3 API, path-style requests
  std::string region = "us-east-1";
  std::string bucket;
  std::string access_key;
  std::string secret_key;
  std::string pinning_url = "https://api.filebase.io/v1/ipfs";  //!< Pinning Service API base
  std::string pinning_token;
  std::uint64_t multipart_threshold = 64ull * 1024 * 1024;  //!< objects this large go up in parts
  std::chrono::milliseconds connect_timeout{5'000};
  std::chrono::seconds request_timeout{300};  //!< one whole request, a part included
  std::chrono::seconds presign_expiry{300};   //!< lifetime of retrieval URLs
  std::chrono::seconds breaker_open{60};      //!< how long a breaker refuses calls after 5 failures in a row
};

/// Rate limits (docs/api.md, "Rate limits"). Per-user limits come from the user's plan in
/// PostgreSQL; these are the per-host settings.
struct RateLimitConfig {
  bool enabled = true;                           //!< GW_RATE_LIMITS=off: no limit anywhere (benchmarks)
  std::int64_t per_address_per_minute = 10;      //!< /register and /renew, per client address
  std::int64_t per_address_burst = 10;           //!< of those, how many may come at once
  std::vector<std::string> trusted_proxies;      //!< CIDRs whose X-Forwarded-For is believed
  std::string redis_url;                         //!< shared store across hosts; empty: this host's memory
  std::chrono::milliseconds redis_timeout{200};  //!< connect and command timeout for Redis
  std::size_t table_slots = 65536;               //!< keys one host tracks at once (shared memory)
};

struct Config {
  std::string database_url;  //!< libpq connection string
  std::string key_pepper;    //!< secret for API key HMACs (never logged)
  std::string fcgi_socket;   //!< unix socket nginx connects to
  int workers = 2;           //!< worker processes
  int threads = 8;           //!< request threads per worker
  std::string log_dir = "logs";
  std::string run_dir = "var/run";
  std::string log_level = "info";
  std::string migrations_dir = "migrations";
  std::string store_dir = "var/store";      //!< the embedded content store's root (spool, staging)
  Storage storage = Storage::kLocal;        //!< GW_STORAGE: local (default) or filebase
  FilebaseConfig filebase;                  //!< only read with GW_STORAGE=filebase
  std::size_t max_json_body = 1024 * 1024;  //!< application-side check behind nginx's limit
  std::chrono::seconds drain_timeout{30};   //!< how long SIGTERM waits for in-flight requests
  std::chrono::milliseconds key_cache_ttl{60'000};
  std::chrono::seconds session_ttl{28'800};  //!< GW_SESSION_TTL_SECONDS: a browser session's absolute lifetime
  std::chrono::seconds session_idle{1'800};  //!< GW_SESSION_IDLE_SECONDS: it ends after this long unused
  std::chrono::milliseconds usage_flush_interval{1'000};
  /// GW_CID_PROFILE: how uploads are imported, hence the CIDs of new uploads. Stored files keep
  /// the CID they were recorded with.
  std::optional<domain::CidProfile> cid_profile = domain::CidProfile::kKuboAddCidV1;  //!< nullopt: auto (Filebase)
  // Asynchronous jobs (the job worker process)
  std::uint64_t max_upload_bytes = 100ull * 1024 * 1024;  //!< largest file POST /upload accepts
  std::uint64_t async_threshold = 10ull * 1024 * 1024;    //!< uploads this large become tasks (202)
  int job_workers = 1;      //!< job worker processes beside the FastCGI workers (0: none here)
  int job_concurrency = 2;  //!< jobs one job worker runs at once
  int job_max_attempts = 5;
  std::chrono::seconds job_lease{30};  //!< a job whose worker stopped heartbeating is retaken after this
  RateLimitConfig rate_limits;
  bool metrics_enabled = true;  //!< GW_METRICS=off: no /metrics, no counting (benchmarks)
};

/// Thrown with one line that names the variable and what is wrong with it.
class ConfigError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

using EnvLookup = std::function<std::optional<std::string>(std::string_view name)>;

/// Reads DATABASE_URL[_FILE] (or DATABASE_USER/_PASSWORD[_FILE]/_HOST/_PORT/_NAME),
/// GW_KEY_PEPPER_FILE (or GW_KEY_PEPPER), GW_FCGI_SOCKET, GW_WORKERS, GW_THREADS, GW_LOG_DIR, GW_RUN_DIR,
/// GW_LOG_LEVEL, GW_MIGRATIONS_DIR, GW_STORE_DIR, GW_STORAGE (and the Filebase settings),
/// GW_CID_PROFILE, GW_DRAIN_TIMEOUT_S, GW_KEY_CACHE_TTL_MS, GW_SESSION_TTL_SECONDS,
/// GW_SESSION_IDLE_SECONDS, GW_MAX_UPLOAD_BYTES, GW_ASYNC_THRESHOLD,
/// GW_JOB_WORKERS, GW_JOB_CONCURRENCY, GW_JOB_MAX_ATTEMPTS, GW_JOB_LEASE_S,
/// GW_RATE_LIMIT_REDIS_URL[_FILE], GW_RATE_LIMIT_REDIS_TIMEOUT_MS.
/// With `need_server` (the `serve` command) GW_FCGI_SOCKET is required; CLI commands do without.
Config LoadConfig(const EnvLookup& env, unsigned hardware_threads, bool need_server);

/// Reads GW_STORAGE and, for filebase, FILEBASE_ENDPOINT, FILEBASE_REGION, FILEBASE_BUCKET,
/// FILEBASE_ACCESS_KEY[_FILE], FILEBASE_SECRET_KEY[_FILE], FILEBASE_PINNING_URL,
/// FILEBASE_PINNING_TOKEN[_FILE], FILEBASE_MULTIPART_THRESHOLD, FILEBASE_CONNECT_TIMEOUT_MS,
/// FILEBASE_TIMEOUT_S, FILEBASE_PRESIGN_EXPIRY_S, FILEBASE_BREAKER_OPEN_S (fcgi/config_filebase.cpp).
void LoadStorageConfig(const EnvLookup& env, Config& config);

/// Reads GW_RATE_LIMITS, GW_RATE_LIMIT_ADDRESS_PER_MINUTE, GW_RATE_LIMIT_ADDRESS_BURST,
/// GW_TRUSTED_PROXIES, GW_RATE_LIMIT_REDIS_URL, GW_RATE_LIMIT_REDIS_TIMEOUT_MS,
/// GW_RATE_LIMIT_TABLE_SLOTS and GW_METRICS (fcgi/config_limits.cpp).
void LoadLimitsAndMetricsConfig(const EnvLookup& env, Config& config);

/// A secret setting, the same way for every one (DATABASE_URL, DATABASE_PASSWORD, GW_KEY_PEPPER,
/// GW_RATE_LIMIT_REDIS_URL, FILEBASE_ACCESS_KEY, FILEBASE_SECRET_KEY, FILEBASE_PINNING_TOKEN):
/// NAME_FILE's content less one trailing newline when NAME_FILE is set (a file the service's user
/// can read, e.g. a systemd credential: the secret stays out of the environment and `ps e`),
/// else NAME's value, else nullopt. ConfigError when both are set, or the file cannot be read.
/// Neither the secret nor the file's content ever appears in an error.
std::optional<std::string> ReadSecret(const EnvLookup& env, const std::string& name);

/// An integer variable within [min, max], or `fallback` when unset or empty; ConfigError naming
/// the variable otherwise.
std::uint64_t ReadUnsigned(const EnvLookup& env, std::string_view name, std::uint64_t fallback, std::uint64_t min,
                           std::uint64_t max);

/// Builds a libpq keyword/value connection string, quoting values as libpq requires.
std::string BuildConnectionString(const EnvLookup& env);

}  // namespace gw::web
