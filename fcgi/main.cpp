// The composition root: reads the configuration once, builds every object and wires them.
// Subcommands: serve, migrate, admin create --email E [--password-stdin], help.
#include <bsd/unistd.h>
#include <curl/curl.h>
#include <unistd.h>

#include <spdlog/spdlog.h>
#include <nlohmann/json.hpp>

#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <thread>

#include "domain/accounts.hpp"
#include "domain/content_service.hpp"
#include "domain/error.hpp"
#include "fcgi/config.hpp"
#include "fcgi/http/logging.hpp"
#include "fcgi/http/routes.hpp"
#include "fcgi/jobs/job_handlers.hpp"
#include "fcgi/pool_wiring.hpp"
#include "fcgi/process/job_worker_process.hpp"
#include "fcgi/process/supervisor.hpp"
#include "fcgi/process/worker_process.hpp"
#include "fcgi/storage.hpp"
#include "persistence/garbage_collector.hpp"
#include "persistence/job_wakeup.hpp"
#include "persistence/key_change_listener.hpp"
#include "persistence/local_content_store.hpp"
#include "persistence/local_upload_spool.hpp"
#include "persistence/migrator.hpp"
#include "persistence/openssl_random.hpp"
#include "persistence/pg_job_queue.hpp"
#include "persistence/pg_session.hpp"
#include "persistence/posix_file.hpp"
#include "persistence/usage_flusher.hpp"

namespace {

using namespace gw;

constexpr std::size_t kKeyCacheEntries = 100'000;
constexpr int kExitUsage = 64;
constexpr int kExitConfig = 78;
constexpr int kExitEmailTaken = 3;
// Spooled bodies no job needs are removed once this old (see LocalUploadSpool::Sweep).
constexpr std::chrono::hours kSpoolMinAge{1};

std::optional<std::string> GetEnv(std::string_view name) {
  const char* value = std::getenv(std::string(name).c_str());
  return value ? std::optional<std::string>(value) : std::nullopt;
}

/// What a request thread owns: its own connection, and the Context handlers see.
class PgThreadState final : public fcgi::ThreadState {
 public:
  explicit PgThreadState(const std::string& dsn)
      : session_(dsn),
        context_{session_.Accounts(),
                 session_.Audit(),
                 session_.Files(),
                 session_.Jobs(),
                 [this] { return session_.Ping(); },
                 [this] { return session_.ConnectionsByState(); },
                 &session_.Sessions()} {}
  web::Context& Context() override { return context_; }

 private:
  persistence::PgSession session_;
  web::Context context_;
};

std::string SpoolDir(const web::Config& config) { return config.store_dir + "/spool"; }

domain::TaskSettings TaskSettingsOf(const web::Config& config) {
  return {config.async_threshold, config.job_max_attempts};
}

/// What a job thread owns: its connection (queue and repositories), its LISTEN connection, and
/// the job handlers bound to its repositories.
class PgJobThreadState final : public fcgi::JobThreadState {
 public:
  PgJobThreadState(const std::string& dsn, domain::ContentService& content)
      : session_(dsn), wakeup_(dsn), handlers_(web::BuildJobHandlers(content, session_.Files())) {}
  domain::JobQueue& Queue() override { return session_.Jobs(); }
  const fcgi::JobHandlers& Handlers() override { return handlers_; }
  bool WaitForJobs(std::chrono::milliseconds timeout) override { return wakeup_.Wait(timeout); }

 private:
  persistence::PgSession session_;
  persistence::JobWakeup wakeup_;
  fcgi::JobHandlers handlers_;
};

std::string HostName() {
  char name[256] = {};
  if (gethostname(name, sizeof(name) - 1) != 0) return "localhost";
  return name;
}

int RunJobWorker(const web::Config& config, std::optional<domain::CidProfile> profile, app::PoolShared& shared,
                 int listen_fd, int slot) {
  close(listen_fd);  // serves no FastCGI request
  auto log = web::MakeJsonLogger("job-worker", config.log_dir + "/job-worker-" + std::to_string(slot) + ".log",
                                 config.log_level);
  const app::StorageEvents storage_events = app::StorageEventsOf(shared.Metrics());
  const auto storage = app::BuildContentStorage(config, profile, *log, storage_events);
  persistence::LocalContentStore::CleanStaleStaging(config.store_dir);
  persistence::LocalUploadSpool spool(SpoolDir(config));
  domain::ContentService content(storage->Store(), spool, TaskSettingsOf(config), config.max_upload_bytes);

  // The lease owner names host, slot and process start; the supervisor starts a slot again
  // only after its previous process exited, so that one's jobs can be taken over at once.
  const std::string owner_prefix = HostName() + "/job-worker-" + std::to_string(slot) + "/";
  fcgi::JobWorkerOptions options;
  options.concurrency = config.job_concurrency;
  options.worker_id = owner_prefix + persistence::posix::UniqueStem();
  options.lease = config.job_lease;
  options.heartbeat_interval = std::min<std::chrono::milliseconds>(std::chrono::seconds(1), config.job_lease / 3);
  options.drain_timeout = config.drain_timeout;
  options.retry.max_attempts = config.job_max_attempts;
  options.backend_wait = config.filebase.breaker_open;

  persistence::PgJobQueue heartbeats(config.database_url);
  try {
    const int reclaimed = heartbeats.ReclaimOrphans(owner_prefix);
    if (reclaimed > 0) {
      web::LogEvent(*log, web::LogLevel::kWarn, {{"type", "jobs_reclaimed"}, {"count", reclaimed}});
    }
    const auto swept = persistence::SweepUploadSpool(config.database_url, SpoolDir(config), kSpoolMinAge);
    if (swept > 0) web::LogEvent(*log, web::LogLevel::kInfo, {{"type", "spool_swept"}, {"count", swept}});
  } catch (const std::exception& error) {  // database away: the leases run out instead
    web::LogEvent(*log, web::LogLevel::kWarn, {{"type", "job_worker_start_cleanup_failed"}, {"error", error.what()}});
  }
  const fcgi::JobThreadStateFactory make_thread_state = [&config, &content] {
    return std::make_unique<PgJobThreadState>(config.database_url, content);
  };
  return fcgi::RunJobWorkerProcess(options, make_thread_state, heartbeats, *log);
}

std::string StorageName(const web::Config& config) {
  return config.storage == web::Storage::kFilebase ? "filebase" : "local";
}

std::vector<web::Network> TrustedProxies(const web::Config& config) {
  std::vector<web::Network> networks;
  for (const auto& cidr : config.rate_limits.trusted_proxies) networks.push_back(*web::Network::Parse(cidr));
  return networks;
}

int RunWorker(const web::Config& config, std::optional<domain::CidProfile> profile, app::PoolShared& shared,
              int listen_fd, int slot) {
  auto log =
      web::MakeJsonLogger("worker", config.log_dir + "/worker-" + std::to_string(slot) + ".log", config.log_level);
  persistence::OpenSslRandom random;
  domain::KeyCache key_cache(config.key_cache_ttl, kKeyCacheEntries);
  domain::UsageCounter usage;
  domain::AccountService accounts(config.key_pepper, random, key_cache, usage, domain::PasswordHashParams{},
                                  domain::SessionSettings{config.session_ttl.count(), config.session_idle.count()});
  persistence::KeyChangeListener key_listener(config.database_url, key_cache);
  persistence::UsageFlusher usage_flusher(config.database_url, usage, config.usage_flush_interval);
  const app::StorageEvents storage_events = app::StorageEventsOf(shared.Metrics());
  const auto storage = app::BuildContentStorage(config, profile, *log, storage_events);
  domain::ContentStore& store = storage->Store();
  // A worker killed mid-upload leaves a staging file named after its pid; its replacement
  // removes it (only files of dead pids are touched, so live uploads of others are safe).
  persistence::LocalContentStore::CleanStaleStaging(config.store_dir);
  persistence::LocalUploadSpool spool(SpoolDir(config));
  // The spool is local: without a job worker on this host a task would never run, so every
  // upload is then stored within its request.
  domain::ContentService content =
      config.job_workers > 0 ? domain::ContentService(store, spool, TaskSettingsOf(config), config.max_upload_bytes)
                             : domain::ContentService(store, config.max_upload_bytes);

  const app::WorkerRateLimiting rate_limiting(config, shared, *log);
  const domain::RateLimit per_address{config.rate_limits.per_address_per_minute, std::chrono::minutes(1),
                                      config.rate_limits.per_address_burst};
  const web::ClientAddressResolver client_address(TrustedProxies(config));
  const web::handlers::MetricsEndpoint metrics_endpoint{shared.Metrics(), StorageName(config), GW_VERSION, GW_COMMIT,
                                                        config.store_dir};
  const web::Handler application = web::BuildApplication(
      {accounts, content, usage, log, rate_limiting.Limiting(), per_address, client_address, metrics_endpoint});
  const fcgi::ThreadStateFactory make_thread_state = [&config] {
    return std::make_unique<PgThreadState>(config.database_url);
  };
  const int rc = fcgi::RunWorkerProcess(listen_fd, {config.threads, config.max_json_body, config.drain_timeout},
                                        application, make_thread_state, *log);
  key_listener.Stop();
  usage_flusher.Stop();  // the last flush: no request count is lost on a graceful stop
  return rc;
}

int Serve(const web::Config& config) {
  std::filesystem::create_directories(config.log_dir);
  std::filesystem::create_directories(config.run_dir);
  auto log = web::MakeJsonLogger("supervisor", config.log_dir + "/supervisor.log", config.log_level);
  // Filebase's own import settings decide its CIDs: learn them once here, before the fork, so
  // that a deployment whose CIDs would not match what IPFS serves never starts.
  std::optional<domain::CidProfile> profile = config.cid_profile;
  if (config.storage == web::Storage::kFilebase) {
    std::filesystem::create_directories(config.store_dir + "/tmp");
    profile = app::ProbeFilebaseProfile(config, *log);
  } else {
    web::LogEvent(*log, web::LogLevel::kInfo,
                  {{"type", "cid_profile"}, {"profile", std::string(domain::CidProfileName(*profile))}});
  }
  // Shared memory, mapped before the first fork so that every child (and every replacement)
  // counts into the same place.
  app::PoolShared shared(config);
  const fcgi::SupervisorOptions options{config.fcgi_socket, config.run_dir, config.drain_timeout};
  const std::vector<fcgi::ChildGroup> groups{
      {"worker", config.workers,
       [&config, profile, &shared](int fd, int slot) { return RunWorker(config, profile, shared, fd, slot); }},
      {"job-worker", config.job_workers,
       [&config, profile, &shared](int fd, int slot) { return RunJobWorker(config, profile, shared, fd, slot); }},
  };
  app::SetProcessTitle("supervisor");
  return fcgi::RunSupervisor(options, groups, *log, shared.Hooks());
}

int Migrate(const web::Config& config) {
  const auto applied = persistence::ApplyMigrations(config.database_url, config.migrations_dir);
  if (applied.empty()) std::cout << "migrations: database is up to date\n";
  for (const auto& version : applied) std::cout << "migrations: applied " << version << "\n";
  return 0;
}

int CollectGarbage(const web::Config& config) {
  auto log = web::MakeJsonLogger("gc", config.log_dir + "/gc.log", config.log_level);
  if (config.storage == web::Storage::kFilebase) std::filesystem::create_directories(config.store_dir + "/tmp");
  const auto storage = app::BuildContentStorage(config, config.cid_profile, *log);
  const auto removed = persistence::CollectGarbage(config.database_url, storage->Store());
  for (const auto& cid : removed) std::cout << "gc: removed " << cid << "\n";
  std::cout << "gc: " << removed.size() << " unreferenced content(s) removed\n";
  const auto swept = persistence::SweepUploadSpool(config.database_url, SpoolDir(config), kSpoolMinAge);
  std::cout << "gc: " << swept << " spooled upload(s) no task needs removed\n";
  return 0;
}

// `jobs`: queue depth by state, the oldest due job's wait and dead jobs; `jobs retry ID`.
int Jobs(const web::Config& config, const std::vector<std::string>& args) {
  persistence::PgJobQueue queue(config.database_url);
  if (args.size() == 2 && args[0] == "retry") {
    if (!domain::IsJobId(args[1]) || !queue.Retry(args[1])) {
      std::cerr << "jobs retry: no failed or dead job with id " << args[1] << "\n";
      return 1;
    }
    std::cout << "jobs: " << args[1] << " queued again\n";
    return 0;
  }
  if (!args.empty()) {
    std::cerr << "usage: ipfs-gateway jobs [retry ID]\n";
    return kExitUsage;
  }
  const domain::QueueStats stats = queue.Stats();
  std::cout << "queued " << stats.queued << "\nrunning " << stats.running << "\nsucceeded " << stats.succeeded
            << "\nfailed (waiting to retry) " << stats.failed << "\ndead " << stats.dead
            << "\noldest due job waiting (s) " << stats.oldest_queued_age_seconds << "\n";
  return 0;
}

int CreateAdmin(const web::Config& config, const std::vector<std::string>& args) {
  std::string email;
  bool password_from_stdin = false;
  for (std::size_t i = 0; i < args.size(); ++i) {
    if (args[i] == "--email" && i + 1 < args.size()) {
      email = args[++i];
    } else if (args[i] == "--password-stdin") {
      password_from_stdin = true;
    } else {
      std::cerr << "usage: ipfs-gateway admin create --email E [--password-stdin]\n";
      return kExitUsage;
    }
  }
  if (email.empty()) {
    std::cerr << "usage: ipfs-gateway admin create --email E [--password-stdin]\n";
    return kExitUsage;
  }
  std::string password;
  if (password_from_stdin) std::getline(std::cin, password);
  persistence::OpenSslRandom random;
  domain::KeyCache key_cache(config.key_cache_ttl, 1);
  domain::UsageCounter usage;
  domain::AccountService accounts(config.key_pepper, random, key_cache, usage);
  persistence::PgSession session(config.database_url);
  try {
    const auto issued = accounts.CreateAdmin(session.Accounts(), email, password, {"cli", "local", std::nullopt});
    std::cout << issued.api_key << "\n";
    return 0;
  } catch (const domain::Error& error) {
    if (error.Code() == domain::ErrorCode::kEmailTaken) {
      std::cerr << "admin create: an account with this email already exists\n";
      return kExitEmailTaken;
    }
    std::cerr << "admin create: " << (error.PublicMessage().empty() ? error.what() : error.PublicMessage()) << "\n";
    return 1;
  }
}

void PrintHelp() {
  std::cout << "ipfs-gateway: IPFS gateway and pinning service (FastCGI application)\n\n"
               "  serve                          run the FastCGI worker pool (supervisor in the foreground)\n"
               "  migrate                        apply database migrations\n"
               "  gc                             remove stored content that no user holds or pins\n"
               "  jobs [retry ID]                job queue depth by state, oldest wait, dead jobs; retry one\n"
               "  admin create --email E         create an administrator and print its API key\n"
               "               [--password-stdin] read a password for the admin from standard input\n"
               "  help                           this text\n\n"
               "Configuration comes from the environment: see README.md (Configuration).\n";
}

}  // namespace

int main(int argc, char** argv, char** envp) {
  // libcurl's global state (the Filebase clients): once, before any thread or fork.
  curl_global_init(CURL_GLOBAL_DEFAULT);
  const std::vector<std::string> args(argv + 1, argv + argc);
  // After the arguments were copied: setproctitle moves argv and the environment away and
  // reuses their memory for the title.
  setproctitle_init(argc, argv, envp);
  if (args.empty() || args[0] == "help" || args[0] == "--help" || args[0] == "-h") {
    PrintHelp();
    return args.empty() ? kExitUsage : 0;
  }
  const std::string& command = args[0];
  try {
    const bool serving = command == "serve";
    const web::Config config = web::LoadConfig(GetEnv, std::thread::hardware_concurrency(), serving);
    if (serving) return Serve(config);
    if (command == "migrate") return Migrate(config);
    if (command == "gc") return CollectGarbage(config);
    if (command == "jobs") return Jobs(config, std::vector<std::string>(args.begin() + 1, args.end()));
    if (command == "admin" && args.size() >= 2 && args[1] == "create") {
      return CreateAdmin(config, std::vector<std::string>(args.begin() + 2, args.end()));
    }
    std::cerr << "unknown command '" << command << "'; try: ipfs-gateway help\n";
    return kExitUsage;
  } catch (const web::ConfigError& error) {
    std::cerr << "configuration error: " << error.what() << "\n";
    return kExitConfig;
  } catch (const std::exception& error) {
    std::cerr << command << ": " << error.what() << "\n";
    return 1;
  }
}
