#include "fcgi/config.hpp"

#include <gtest/gtest.h>

#include <string>

#include "config_env.hpp"

namespace gw::web {
namespace {

TEST(Config, MinimalEnvironmentGivesDefaults) {
  const Config config = LoadConfig(Lookup(Minimal()), 6, false);
  EXPECT_EQ(config.database_url, "postgresql://gw@localhost/gw");
  EXPECT_EQ(config.key_pepper, kPepper);
  EXPECT_EQ(config.workers, 6);
  EXPECT_EQ(config.threads, 8);
  EXPECT_EQ(config.log_level, "info");
  EXPECT_EQ(config.log_dir, "logs");
  EXPECT_EQ(config.drain_timeout, std::chrono::seconds(30));
  EXPECT_EQ(config.key_cache_ttl, std::chrono::milliseconds(60'000));
  EXPECT_EQ(config.session_ttl, std::chrono::seconds(28'800));
  EXPECT_EQ(config.session_idle, std::chrono::seconds(1'800));
}

TEST(Config, SessionLifetimesAreReadAndBounded) {
  Env env = Minimal();
  env["GW_SESSION_TTL_SECONDS"] = "3600";
  env["GW_SESSION_IDLE_SECONDS"] = "600";
  const Config config = LoadConfig(Lookup(env), 1, false);
  EXPECT_EQ(config.session_ttl, std::chrono::seconds(3600));
  EXPECT_EQ(config.session_idle, std::chrono::seconds(600));
  EXPECT_NE(ConfigErrorOf(With(Minimal(), "GW_SESSION_TTL_SECONDS", "59")).find("GW_SESSION_TTL_SECONDS"),
            std::string::npos);
  EXPECT_NE(ConfigErrorOf(With(Minimal(), "GW_SESSION_IDLE_SECONDS", "60")).find("GW_SESSION_IDLE_SECONDS"),
            std::string::npos)
      << "below the minute last_seen_at is written at, and then some";
  EXPECT_NE(ConfigErrorOf(With(Minimal(), "GW_SESSION_TTL_SECONDS", "8h")).find("GW_SESSION_TTL_SECONDS"),
            std::string::npos);
}

TEST(Config, WorkersDefaultToAtLeastOneWhenHardwareThreadsAreUnknown) {
  EXPECT_EQ(LoadConfig(Lookup(Minimal()), 0, false).workers, 1);
}

TEST(Config, ReadsExplicitSettings) {
  Env env = Minimal();
  env["GW_WORKERS"] = "3";
  env["GW_THREADS"] = "16";
  env["GW_LOG_LEVEL"] = "debug";
  env["GW_FCGI_SOCKET"] = "/run/gw.sock";
  env["GW_KEY_CACHE_TTL_MS"] = "0";
  const Config config = LoadConfig(Lookup(env), 4, true);
  EXPECT_EQ(config.workers, 3);
  EXPECT_EQ(config.threads, 16);
  EXPECT_EQ(config.log_level, "debug");
  EXPECT_EQ(config.fcgi_socket, "/run/gw.sock");
  EXPECT_EQ(config.key_cache_ttl, std::chrono::milliseconds(0));
}

TEST(Config, PepperIsTrimmed) {
  EXPECT_EQ(LoadConfig(Lookup(With(Minimal(), "GW_KEY_PEPPER", "  " + kPepper + "\n")), 1, false).key_pepper, kPepper);
}

TEST(Config, DatabaseUrlWinsOverParts) {
  Env env = Minimal();
  env["DATABASE_NAME"] = "other";
  env["DATABASE_HOST"] = "db.example";
  EXPECT_EQ(BuildConnectionString(Lookup(env)), "postgresql://gw@localhost/gw");
}

TEST(Config, PartsBuildAQuotedKeywordDsn) {
  const Env env{{"DATABASE_HOST", "db.internal"},
                {"DATABASE_PORT", "5433"},
                {"DATABASE_NAME", "gateway"},
                {"DATABASE_USER", "gw"},
                {"DATABASE_PASSWORD", "s3cret"}};
  EXPECT_EQ(BuildConnectionString(Lookup(env)),
            "host='db.internal' port='5433' dbname='gateway' user='gw' password='s3cret'");
}

TEST(Config, EmptyDatabaseUrlFallsBackToParts) {
  const Env env{{"DATABASE_URL", ""}, {"DATABASE_NAME", "gateway"}};
  EXPECT_EQ(BuildConnectionString(Lookup(env)), "dbname='gateway'");
}

TEST(Config, QuotesAndBackslashesInThePasswordAreEscaped) {
  const Env env{{"DATABASE_NAME", "gateway"}, {"DATABASE_PASSWORD", R"(it's a\b c)"}};
  EXPECT_EQ(BuildConnectionString(Lookup(env)), R"(dbname='gateway' password='it\'s a\\b c')");
}

TEST(Config, MissingDatabaseIsAConfigError) {
  EXPECT_NE(ConfigErrorOf(Without(Minimal(), "DATABASE_URL")).find("DATABASE_URL"), std::string::npos);
  // Parts without a database name are not enough either.
  const Env parts_only = With(With(Without(Minimal(), "DATABASE_URL"), "DATABASE_HOST", "db"), "DATABASE_USER", "gw");
  EXPECT_NE(ConfigErrorOf(parts_only), "<no error>");
}

TEST(Config, MissingOrShortPepperIsAConfigError) {
  EXPECT_NE(ConfigErrorOf(Without(Minimal(), "GW_KEY_PEPPER")).find("GW_KEY_PEPPER"), std::string::npos);
  EXPECT_NE(ConfigErrorOf(With(Minimal(), "GW_KEY_PEPPER", std::string(31, 'p'))).find("GW_KEY_PEPPER"),
            std::string::npos);
  // Surrounding whitespace does not count towards the length.
  EXPECT_NE(ConfigErrorOf(With(Minimal(), "GW_KEY_PEPPER", "  " + std::string(30, 'p') + "  ")), "<no error>");
  EXPECT_EQ(ConfigErrorOf(With(Minimal(), "GW_KEY_PEPPER", std::string(32, 'p'))), "<no error>");
}

TEST(Config, BadWorkerCountsAreConfigErrorsNamingTheVariable) {
  for (const char* bad : {"0", "abc", "-2", "3x", "257", " 4"}) {
    const std::string message = ConfigErrorOf(With(Minimal(), "GW_WORKERS", bad));
    EXPECT_NE(message.find("GW_WORKERS"), std::string::npos) << bad << ": " << message;
  }
}

TEST(Config, BadThreadCountIsAConfigErrorNamingTheVariable) {
  EXPECT_NE(ConfigErrorOf(With(Minimal(), "GW_THREADS", "0")).find("GW_THREADS"), std::string::npos);
}

TEST(Config, BadLogLevelIsAConfigError) {
  for (const char* bad : {"verbose", "INFO", "trace"}) {
    const std::string message = ConfigErrorOf(With(Minimal(), "GW_LOG_LEVEL", bad));
    EXPECT_NE(message.find("GW_LOG_LEVEL"), std::string::npos) << bad << ": " << message;
  }
}

TEST(Config, ServerNeedsASocket) {
  EXPECT_NE(ConfigErrorOf(Minimal(), true).find("GW_FCGI_SOCKET"), std::string::npos);
  EXPECT_EQ(ConfigErrorOf(Minimal(), false), "<no error>");
}

TEST(Config, ErrorsNeverContainThePepper) {
  const std::string secret = "short-secret";
  EXPECT_EQ(ConfigErrorOf(With(Minimal(), "GW_KEY_PEPPER", secret)).find(secret), std::string::npos);
}

// --- CID profile ---------------------------------------------------------------------------

TEST(Config, CidProfileDefaultsToKuboAddCidV1) {
  EXPECT_EQ(LoadConfig(Lookup(Minimal()), 4, false).cid_profile, domain::CidProfile::kKuboAddCidV1);
  EXPECT_EQ(LoadConfig(Lookup(With(Minimal(), "GW_CID_PROFILE", "")), 4, false).cid_profile,
            domain::CidProfile::kKuboAddCidV1);
}

TEST(Config, ReadsEveryCidProfileByName) {
  EXPECT_EQ(LoadConfig(Lookup(With(Minimal(), "GW_CID_PROFILE", "kubo-add-cidv1")), 4, false).cid_profile,
            domain::CidProfile::kKuboAddCidV1);
  EXPECT_EQ(LoadConfig(Lookup(With(Minimal(), "GW_CID_PROFILE", "unixfs-v1-2025")), 4, false).cid_profile,
            domain::CidProfile::kUnixFsV1_2025);
  EXPECT_EQ(LoadConfig(Lookup(With(Minimal(), "GW_CID_PROFILE", "unixfs-v0-2015")), 4, false).cid_profile,
            domain::CidProfile::kUnixFsV0_2015);
}

TEST(Config, AnUnknownCidProfileIsOneLineNamingTheValidValues) {
  for (const char* bad : {"v0", "UNIXFS-V0-2015", "unixfs-v0-2015 ", "legacy-cid-v0"}) {
    const std::string message = ConfigErrorOf(With(Minimal(), "GW_CID_PROFILE", bad));
    EXPECT_EQ(message, "GW_CID_PROFILE must be one of kubo-add-cidv1, unixfs-v1-2025, unixfs-v0-2015; got '" +
                           std::string(bad) + "'");
  }
}

TEST(Config, AutoCidProfileNeedsTheFilebaseBackend) {
  const std::string message = ConfigErrorOf(With(Minimal(), "GW_CID_PROFILE", "auto"));
  EXPECT_NE(message.find("GW_CID_PROFILE=auto"), std::string::npos) << message;
  EXPECT_NE(message.find("Filebase"), std::string::npos) << message;
  EXPECT_NE(message.find("kubo-add-cidv1, unixfs-v1-2025, unixfs-v0-2015"), std::string::npos) << message;
  EXPECT_EQ(message.find('\n'), std::string::npos) << message;
}

// --- asynchronous jobs --------------------------------------------------------------------

TEST(Config, JobSettingsHaveDefaults) {
  const Config config = LoadConfig(Lookup(Minimal()), 4, false);
  EXPECT_EQ(config.async_threshold, 10u * 1024 * 1024);
  EXPECT_EQ(config.job_workers, 1);
  EXPECT_EQ(config.job_concurrency, 2);
  EXPECT_EQ(config.job_max_attempts, 5);
  EXPECT_EQ(config.job_lease, std::chrono::seconds(30));
}

TEST(Config, ReadsExplicitJobSettings) {
  Env env = Minimal();
  env["GW_ASYNC_THRESHOLD"] = "4096";
  env["GW_JOB_WORKERS"] = "3";
  env["GW_JOB_CONCURRENCY"] = "8";
  env["GW_JOB_MAX_ATTEMPTS"] = "10";
  env["GW_JOB_LEASE_S"] = "120";
  const Config config = LoadConfig(Lookup(env), 4, false);
  EXPECT_EQ(config.async_threshold, 4096u);
  EXPECT_EQ(config.job_workers, 3);
  EXPECT_EQ(config.job_concurrency, 8);
  EXPECT_EQ(config.job_max_attempts, 10);
  EXPECT_EQ(config.job_lease, std::chrono::seconds(120));
}

struct Bounds {
  const char* name;
  const char* min;
  const char* max;
};
// 0 job workers is allowed (jobs run on other hosts); a threshold above the 100 MiB upload
// limit could never be reached; a lease under 2 s would expire between two heartbeats.
constexpr Bounds kJobBounds[] = {{"GW_ASYNC_THRESHOLD", "1", "104857600"},
                                 {"GW_JOB_WORKERS", "0", "16"},
                                 {"GW_JOB_CONCURRENCY", "1", "64"},
                                 {"GW_JOB_MAX_ATTEMPTS", "1", "100"},
                                 {"GW_JOB_LEASE_S", "2", "3600"}};

TEST(Config, JobSettingsAcceptTheirBounds) {
  for (const auto& [name, min, max] : kJobBounds) {
    EXPECT_EQ(ConfigErrorOf(With(Minimal(), name, min)), "<no error>") << name << "=" << min;
    EXPECT_EQ(ConfigErrorOf(With(Minimal(), name, max)), "<no error>") << name << "=" << max;
  }
  EXPECT_EQ(LoadConfig(Lookup(With(Minimal(), "GW_JOB_WORKERS", "0")), 4, false).job_workers, 0);
  EXPECT_EQ(LoadConfig(Lookup(With(Minimal(), "GW_ASYNC_THRESHOLD", "104857600")), 4, false).async_threshold,
            100u * 1024 * 1024);
}

// --- upload limit ------------------------------------------------------------------------

TEST(Config, UploadLimitDefaultsTo100MiBAndIsASetting) {
  EXPECT_EQ(LoadConfig(Lookup(Minimal()), 4, false).max_upload_bytes, 100u * 1024 * 1024);
  EXPECT_EQ(LoadConfig(Lookup(With(Minimal(), "GW_MAX_UPLOAD_BYTES", "5368709120")), 4, false).max_upload_bytes,
            5ull * 1024 * 1024 * 1024);
}

TEST(Config, UploadLimitOutOfRangeIsAConfigErrorNamingIt) {
  for (const char* value : {"0", "-1", "1.5", "1099511627777", "lots"}) {
    EXPECT_NE(ConfigErrorOf(With(Minimal(), "GW_MAX_UPLOAD_BYTES", value)).find("GW_MAX_UPLOAD_BYTES"),
              std::string::npos)
        << value;
  }
}

TEST(Config, TheAsyncThresholdMayNotExceedTheUploadLimit) {
  auto env = With(Minimal(), "GW_MAX_UPLOAD_BYTES", "209715200");
  env["GW_ASYNC_THRESHOLD"] = "209715200";
  EXPECT_EQ(LoadConfig(Lookup(env), 4, false).async_threshold, 200u * 1024 * 1024);
  env["GW_ASYNC_THRESHOLD"] = "209715201";
  EXPECT_NE(ConfigErrorOf(env).find("GW_ASYNC_THRESHOLD"), std::string::npos);
}

TEST(Config, JobSettingsOutsideTheirBoundsAreConfigErrorsNamingTheVariable) {
  for (const auto& [name, min, max] : kJobBounds) {
    const std::string below = std::to_string(std::stoll(min) - 1);
    const std::string above = std::to_string(std::stoll(max) + 1);
    for (const std::string& bad : {below, above, std::string("abc"), std::string("5s")}) {
      const std::string message = ConfigErrorOf(With(Minimal(), name, bad));
      EXPECT_NE(message.find(name), std::string::npos) << name << "=" << bad << ": " << message;
    }
  }
}

TEST(Config, AnEmptyJobSettingMeansTheDefault) {
  // As for every other variable: `GW_JOB_LEASE_S=` in an env file must not be an error.
  EXPECT_EQ(LoadConfig(Lookup(With(Minimal(), "GW_JOB_LEASE_S", "")), 4, false).job_lease, std::chrono::seconds(30));
}

TEST(Config, WithoutARedisUrlEachHostLimitsOnItsOwn) {
  const Config config = LoadConfig(Lookup(Minimal()), 4, false);
  EXPECT_EQ(config.rate_limits.redis_url, "");
  EXPECT_EQ(config.rate_limits.redis_timeout, std::chrono::milliseconds(200));
  EXPECT_EQ(LoadConfig(Lookup(With(Minimal(), "GW_RATE_LIMIT_REDIS_URL", "")), 4, false).rate_limits.redis_url, "");
}

TEST(Config, ReadsTheRedisRateLimitStore) {
  for (const std::string url : {"redis://127.0.0.1:6379/0", "redis://redis.internal", "redis://:pw@10.0.0.5:6380/2",
                                "redis://gw:p%40ss@redis.internal:6379/", "redis+unix:///run/redis/redis.sock",
                                "redis+unix://:pw@/run/redis.sock?db=1", "unix:///tmp/redis.sock"}) {
    Env env = With(Minimal(), "GW_RATE_LIMIT_REDIS_URL", url);
    env["GW_RATE_LIMIT_REDIS_TIMEOUT_MS"] = "50";
    const Config config = LoadConfig(Lookup(env), 4, false);
    EXPECT_EQ(config.rate_limits.redis_url, url);
    EXPECT_EQ(config.rate_limits.redis_timeout, std::chrono::milliseconds(50));
  }
}

TEST(Config, ABadRedisUrlIsAConfigErrorNamingTheVariableButNotThePassword) {
  for (const std::string url :
       {"127.0.0.1:6379", "http://127.0.0.1:6379", "redis://", "redis://:s3cret@h:6379/db0", "redis://s3cret@h:6379",
        "redis://h:6379?db=1", "redis://h:99999", "redis+unix://host/run/redis.sock", "redis+unix://",
        "redis+unix:///run/redis.sock?db=x", "redis+unix://:s3cret@/run/redis.sock?timeout=1"}) {
    const std::string message = ConfigErrorOf(With(Minimal(), "GW_RATE_LIMIT_REDIS_URL", url));
    EXPECT_NE(message.find("GW_RATE_LIMIT_REDIS_URL"), std::string::npos) << url << ": " << message;
    EXPECT_EQ(message.find("s3cret"), std::string::npos) << url << ": " << message;
  }
}

TEST(Config, TheRedisTimeoutIsBounded) {
  for (const std::string bad : {"0", "10001", "fast"}) {
    const std::string message = ConfigErrorOf(With(Minimal(), "GW_RATE_LIMIT_REDIS_TIMEOUT_MS", bad));
    EXPECT_NE(message.find("GW_RATE_LIMIT_REDIS_TIMEOUT_MS"), std::string::npos) << bad << ": " << message;
  }
}

}  // namespace
}  // namespace gw::web
