#pragma once
/// @file Configuration: one struct, built once from the environment in main and passed down.

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

#include "domain/cid_profile.hpp"

namespace gw::web {

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
  std::string store_dir = "var/store";      //!< the embedded content store's root
  std::size_t max_json_body = 1024 * 1024;  //!< application-side check behind nginx's limit
  std::chrono::seconds drain_timeout{30};   //!< how long SIGTERM waits for in-flight requests
  std::chrono::milliseconds key_cache_ttl{60'000};
  std::chrono::milliseconds usage_flush_interval{1'000};
  /// GW_CID_PROFILE: how uploads are imported, hence the CIDs of new uploads. Stored files keep
  /// the CID they were recorded with.
  domain::CidProfile cid_profile = domain::CidProfile::kKuboAddCidV1;
  // Asynchronous jobs (the job worker process)
  std::uint64_t async_threshold = 10ull * 1024 * 1024;  //!< uploads this large become tasks (202)
  int job_workers = 1;      //!< job worker processes beside the FastCGI workers (0: none here)
  int job_concurrency = 2;  //!< jobs one job worker runs at once
  int job_max_attempts = 5;
  std::chrono::seconds job_lease{30};  //!< a job whose worker stopped heartbeating is retaken after this
};

/// Thrown with one line that names the variable and what is wrong with it.
class ConfigError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

using EnvLookup = std::function<std::optional<std::string>(std::string_view name)>;

/// Reads DATABASE_URL (or DATABASE_USER/_PASSWORD/_HOST/_PORT/_NAME), GW_KEY_PEPPER_FILE (or
/// GW_KEY_PEPPER), GW_FCGI_SOCKET, GW_WORKERS, GW_THREADS, GW_LOG_DIR, GW_RUN_DIR,
/// GW_LOG_LEVEL, GW_MIGRATIONS_DIR, GW_STORE_DIR, GW_STORAGE, GW_CID_PROFILE, GW_DRAIN_TIMEOUT_S,
/// GW_KEY_CACHE_TTL_MS, GW_ASYNC_THRESHOLD, GW_JOB_WORKERS, GW_JOB_CONCURRENCY, GW_JOB_MAX_ATTEMPTS,
/// GW_JOB_LEASE_S.
/// With `need_server` (the `serve` command) GW_FCGI_SOCKET is required; CLI commands do without.
Config LoadConfig(const EnvLookup& env, unsigned hardware_threads, bool need_server);

/// Builds a libpq keyword/value connection string, quoting values as libpq requires.
std::string BuildConnectionString(const EnvLookup& env);

}  // namespace gw::web
