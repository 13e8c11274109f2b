#include "fcgi/storage.hpp"

#include <spdlog/spdlog.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <array>
#include <atomic>

#include "domain/backoff_retry.hpp"
#include "domain/circuit_breaker.hpp"
#include "domain/clock.hpp"
#include "domain/error.hpp"
#include "fcgi/http/logging.hpp"
#include "persistence/curl_http.hpp"
#include "persistence/filebase_content_store.hpp"
#include "persistence/filebase_pinning.hpp"
#include "persistence/local_content_store.hpp"
#include "persistence/openssl_random.hpp"
#include "persistence/s3_client.hpp"

namespace gw::app {
namespace {

// The probe at start must not hold `serve` up for long when Filebase hangs: one try, short.
constexpr std::chrono::milliseconds kStartProbeTimeout{10'000};

class LocalStorage final : public ContentStorage {
 public:
  explicit LocalStorage(const web::Config& config)
      : store_(config.store_dir,
               domain::ImportParamsOf(config.cid_profile.value_or(domain::CidProfile::kKuboAddCidV1))) {}
  domain::ContentStore& Store() override { return store_; }

 private:
  persistence::LocalContentStore store_;
};

persistence::S3Config S3ConfigOf(const web::FilebaseConfig& filebase) {
  return {filebase.endpoint, filebase.region, filebase.bucket, filebase.access_key, filebase.secret_key};
}

persistence::S3ClientOptions S3OptionsOf(const web::FilebaseConfig& filebase) {
  persistence::S3ClientOptions options;
  options.connect_timeout = filebase.connect_timeout;
  options.total_timeout = filebase.request_timeout;
  options.multipart_threshold = filebase.multipart_threshold;
  return options;
}

persistence::FilebaseStoreOptions StoreOptionsOf(const web::FilebaseConfig& filebase) {
  persistence::FilebaseStoreOptions options;
  options.presign_expiry = filebase.presign_expiry;
  return options;
}

domain::BreakerOptions BreakerOptionsOf(const web::FilebaseConfig& filebase) {
  domain::BreakerOptions options;
  options.open_duration = filebase.breaker_open;
  return options;
}

domain::BackoffRetry::RetryListener LogRetries(spdlog::logger& log, const StorageEvents& events) {
  return [&log, &events](const domain::BackoffRetry::RetryEvent& e) {
    if (events.retried) events.retried();
    web::LogEvent(log, web::LogLevel::kWarn,
                  {{"type", "storage_retry"},
                   {"endpoint", std::string(e.endpoint)},
                   {"operation", std::string(e.operation)},
                   {"failed_attempt", e.failed_attempt},
                   {"failure", domain::Describe(e.failure)},
                   {"delay_ms", e.delay.count()}});
  };
}

int StateNumber(domain::BreakerState state) {
  switch (state) {
    case domain::BreakerState::kClosed: return 0;
    case domain::BreakerState::kHalfOpen: return 1;
    case domain::BreakerState::kOpen: return 2;
  }
  return 0;
}

// The process's breakers, as one number for the metrics: the worst of them.
class BreakerStates {
 public:
  explicit BreakerStates(const StorageEvents& events) : events_(events) {}
  void Set(std::size_t breaker, domain::BreakerState state) {
    states_[breaker].store(StateNumber(state));
    if (events_.breaker_state) events_.breaker_state(std::max(states_[0].load(), states_[1].load()));
  }

 private:
  const StorageEvents& events_;
  std::array<std::atomic<int>, 2> states_{};
};

domain::CircuitBreaker::Listener LogTransitions(spdlog::logger& log, BreakerStates& states, std::size_t breaker) {
  return [&log, &states, breaker](const domain::BreakerTransition& t) {
    states.Set(breaker, t.to);
    web::LogEvent(log, t.to == domain::BreakerState::kOpen ? web::LogLevel::kWarn : web::LogLevel::kInfo,
                  {{"type", "breaker_transition"},
                   {"endpoint", std::string(t.endpoint)},
                   {"from", std::string(domain::ToString(t.from))},
                   {"to", std::string(domain::ToString(t.to))},
                   {"consecutive_failures", t.consecutive_failures},
                   {"open_for_ms", t.open_for.count()}});
  };
}

/// Filebase: one breaker per endpoint (S3, pinning), shared by every thread of the process.
class FilebaseStorage final : public ContentStorage {
 public:
  FilebaseStorage(const web::Config& config, std::optional<domain::CidProfile> known_profile, spdlog::logger& log,
                  const StorageEvents& events)
      : events_(events),
        breaker_states_(events_),
        retry_(domain::BackoffOptions{}, domain::BackoffRetry::UniformFrom(random_),
               domain::BackoffRetry::ThreadSleep(), LogRetries(log, events_)),
        s3_breaker_(config.filebase.endpoint, BreakerOptionsOf(config.filebase), clock_,
                    LogTransitions(log, breaker_states_, 0)),
        pinning_breaker_(config.filebase.pinning_url, BreakerOptionsOf(config.filebase), clock_,
                         LogTransitions(log, breaker_states_, 1)),
        s3_(S3ConfigOf(config.filebase), S3OptionsOf(config.filebase), s3_breaker_, retry_),
        pinning_http_({config.filebase.connect_timeout, std::chrono::milliseconds(30'000)}),
        pinning_(pinning_http_, config.filebase.pinning_url, config.filebase.pinning_token, pinning_breaker_, retry_,
                 {}, domain::BackoffRetry::ThreadSleep()),
        probe_(s3_, config.store_dir + "/tmp", config.cid_profile),
        store_(s3_, pinning_, probe_, known_profile, StoreOptionsOf(config.filebase)) {}
  domain::ContentStore& Store() override { return store_; }

 private:
  StorageEvents events_;
  BreakerStates breaker_states_;
  domain::SteadyClock clock_;
  persistence::OpenSslRandom random_;
  domain::BackoffRetry retry_;
  domain::CircuitBreaker s3_breaker_;
  domain::CircuitBreaker pinning_breaker_;
  persistence::S3Client s3_;
  persistence::CurlHttp pinning_http_;
  persistence::PinningClient pinning_;
  persistence::FilebaseProfileProbe probe_;
  persistence::FilebaseContentStore store_;
};

}  // namespace

std::unique_ptr<ContentStorage> BuildContentStorage(const web::Config& config,
                                                    std::optional<domain::CidProfile> known_profile,
                                                    spdlog::logger& log, const StorageEvents& events) {
  if (config.storage == web::Storage::kFilebase) {
    return std::make_unique<FilebaseStorage>(config, known_profile, log, events);
  }
  return std::make_unique<LocalStorage>(config);
}

std::optional<domain::CidProfile> ProbeFilebaseProfile(const web::Config& config, spdlog::logger& log) {
  domain::SteadyClock clock;
  persistence::OpenSslRandom random;
  const domain::BackoffRetry once(domain::BackoffOptions{1, {}, {}}, domain::BackoffRetry::UniformFrom(random),
                                  domain::BackoffRetry::ThreadSleep());
  domain::CircuitBreaker breaker(config.filebase.endpoint, {}, clock);
  auto options = S3OptionsOf(config.filebase);
  options.total_timeout = std::min(options.total_timeout, kStartProbeTimeout);
  persistence::S3Client s3(S3ConfigOf(config.filebase), options, breaker, once);
  persistence::FilebaseProfileProbe probe(s3, config.store_dir + "/tmp", config.cid_profile);
  try {
    const auto profile = probe.Detect();
    web::LogEvent(log, web::LogLevel::kInfo,
                  {{"type", "cid_profile"},
                   {"profile", std::string(domain::CidProfileName(profile))},
                   {"source", "filebase probe"}});
    return profile;
  } catch (const domain::Error& error) {
    if (error.Code() == domain::ErrorCode::kStorageCidMismatch) throw web::ConfigError(error.what());
    web::LogEvent(log, web::LogLevel::kWarn,
                  {{"type", "filebase_probe_failed"},
                   {"error", error.what()},
                   {"effect", "uploads answer 503 storage_unavailable until a probe succeeds"}});
    return std::nullopt;
  }
}

}  // namespace gw::app
