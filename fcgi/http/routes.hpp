#pragma once
/// @file The route table: the one place that binds methods and paths to handlers.

#include <memory>

#include "domain/accounts.hpp"
#include "domain/content_service.hpp"
#include "domain/usage_counter.hpp"
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
};

/// The whole application as one handler: access log -> JSON errors -> routing -> route wrappers.
Handler BuildApplication(const Services& services);

}  // namespace gw::web
