#pragma once
/// @file Building the content store a process uses (GW_STORAGE): part of the composition root.
///
/// Each process builds its own after fork: the Filebase store's libcurl handles and circuit
/// breakers must not be shared across processes.

#include <functional>
#include <memory>
#include <optional>

#include "domain/cid_profile.hpp"
#include "domain/content.hpp"
#include "fcgi/config.hpp"

namespace spdlog {
class logger;
}

namespace gw::app {

/// A content store and everything it stands on (clients, breakers), owned together.
class ContentStorage {
 public:
  virtual ~ContentStorage() = default;
  virtual domain::ContentStore& Store() = 0;
};

/// What the storage reports besides its logs (the pool's metrics).
struct StorageEvents {
  std::function<void()> retried;  //!< a call is retried after a transient failure
  /// The process's worst breaker state changed: 0 closed, 1 half-open, 2 open.
  std::function<void(int state)> breaker_state;
};

/// The store of `config.storage`. For Filebase, `known_profile` is the CID profile the
/// supervisor's probe found (nullopt: the store probes on first use). Breaker transitions are
/// logged to `log` as JSON events.
std::unique_ptr<ContentStorage> BuildContentStorage(const web::Config& config,
                                                    std::optional<domain::CidProfile> known_profile,
                                                    spdlog::logger& log, const StorageEvents& events = {});

/// `serve`'s start with Filebase: the profile Filebase imports with, from one quick probe.
/// nullopt when Filebase cannot be reached (logged; uploads answer 503 until a later probe
/// succeeds). Throws web::ConfigError naming the reported CID when it does not match the
/// configured profile, or any profile: the deployment would hand out CIDs IPFS does not serve.
std::optional<domain::CidProfile> ProbeFilebaseProfile(const web::Config& config, spdlog::logger& log);

}  // namespace gw::app
