#pragma once
/// @file The rate-limit wrapper and its policies: which budget a route spends, and the headers
/// that tell a client where it stands (IETF draft "RateLimit header fields for HTTP").

#include <functional>
#include <string>

#include "domain/rate_limit.hpp"
#include "fcgi/http/router.hpp"

namespace gw::web {

/// Where budgets are kept and who is told about refusals; built once in main.
struct RateLimiting {
  domain::RateLimitStore& store;
  std::function<void(std::string_view policy)> on_limited;  //!< counts 429s (metrics)
  bool enabled = true;                                      //!< false: WithRateLimit adds nothing (GW_RATE_LIMITS=off)
};

/// Which budget a route spends. The name appears in the headers, in the 429's details and in
/// the metrics ("key", "ip", "upload").
class RateLimitPolicy {
 public:
  /// Requests per authenticated user, at the limits of the user's plan. Inside WithApiKey.
  static RateLimitPolicy PerKey();
  /// Requests per client address (unauthenticated routes).
  static RateLimitPolicy PerClientAddress(domain::RateLimit limit);
  /// Upload bytes per user per rolling day (the plan's upload_bytes_per_day); the cost is the
  /// request body's length. Inside WithApiKey.
  static RateLimitPolicy UploadBudget();

  const std::string& Name() const { return name_; }
  /// The bucket key and the limit for this request; throws when the policy needs a principal
  /// and there is none (a wiring mistake in the route table).
  std::string KeyOf(const Request& request) const;
  domain::RateLimit LimitOf(const Request& request) const;
  std::int64_t CostOf(const Request& request) const;

 private:
  enum class Kind { kPerKey, kPerClientAddress, kUploadBudget };
  RateLimitPolicy(Kind kind, std::string name, domain::RateLimit limit = {})
      : kind_(kind), name_(std::move(name)), limit_(limit) {}
  Kind kind_;
  std::string name_;
  domain::RateLimit limit_;
};

/// Spends the policy's budget before `inner` runs: refused -> 429 rate_limited with
/// Retry-After; either way the response carries RateLimit-Policy and RateLimit.
Handler WithRateLimit(const RateLimiting& limiting, RateLimitPolicy policy, Handler inner);

/// The header values for one decision (exposed for unit tests).
std::string RateLimitPolicyHeader(const std::string& name, const domain::RateLimit& limit);
std::string RateLimitHeader(const std::string& name, const domain::RateDecision& decision);

}  // namespace gw::web
