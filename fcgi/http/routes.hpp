#pragma once
/// @file The route table: the one place that binds methods and paths to handlers.

#include <memory>

#include "domain/accounts.hpp"
#include "domain/content_service.hpp"
#include "domain/usage_counter.hpp"
#include "fcgi/http/client_address.hpp"
#include "fcgi/http/handlers/handlers.hpp"
#include "fcgi/http/rate_limiting.hpp"
#include "fcgi/http/router.hpp"

namespace spdlog {
class logger;
}

namespace gw::web {

/// Shared, thread-safe services the handlers are built with (built once in main).
struct Services {
  domain::AccountService& accounts;
  domain::ContentService& content;
  domain::UsageCounter& usage;
  std::shared_ptr<spdlog::logger> log;
  const RateLimiting& limiting;
  domain::RateLimit per_address_limit;  //!< unauthenticated routes (/register, /renew)
  const ClientAddressResolver& client_address;
  const handlers::MetricsEndpoint& metrics;
};

/// The whole application as one handler: client address -> metrics -> access log -> JSON
/// errors -> routing -> route wrappers.
Handler BuildApplication(const Services& services);

}  // namespace gw::web
