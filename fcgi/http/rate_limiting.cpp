#include "fcgi/http/rate_limiting.hpp"

#include <chrono>

#include "domain/error.hpp"
#include "fcgi/http/error_table.hpp"

namespace gw::web {
namespace {

using domain::Error;
using domain::ErrorCode;

std::int64_t CeilSeconds(std::chrono::nanoseconds duration) { return (duration.count() + 999'999'999) / 1'000'000'000; }

const domain::Principal& PrincipalOf(const Request& request, const std::string& policy) {
  if (!request.principal) throw std::logic_error("rate-limit policy '" + policy + "' needs WithApiKey outside it");
  return *request.principal;
}

// A header that may already carry another policy's item (e.g. /upload spends two budgets).
void AppendHeader(Response& response, const std::string& name, const std::string& item) {
  for (auto& [key, value] : response.headers) {
    if (key == name) {
      value += ", " + item;
      return;
    }
  }
  response.SetHeader(name, item);
}

}  // namespace

RateLimitPolicy RateLimitPolicy::PerKey() { return {Kind::kPerKey, "key"}; }

RateLimitPolicy RateLimitPolicy::PerClientAddress(domain::RateLimit limit) {
  return {Kind::kPerClientAddress, "ip", limit};
}

RateLimitPolicy RateLimitPolicy::UploadBudget() { return {Kind::kUploadBudget, "upload"}; }

std::string RateLimitPolicy::KeyOf(const Request& request) const {
  switch (kind_) {
    // By user, not by key: renewing the key must not refill the budget.
    case Kind::kPerKey: return "key:" + std::to_string(PrincipalOf(request, name_).user_id);
    case Kind::kUploadBudget: return "upload:" + std::to_string(PrincipalOf(request, name_).user_id);
    case Kind::kPerClientAddress: return "ip:" + request.ClientAddress();
  }
  return {};
}

domain::RateLimit RateLimitPolicy::LimitOf(const Request& request) const {
  switch (kind_) {
    case Kind::kPerKey: {
      const auto& limits = PrincipalOf(request, name_).limits;
      return {limits.requests_per_minute, std::chrono::minutes(1), limits.burst};
    }
    case Kind::kUploadBudget: {
      // The whole day's budget may be spent at once; it comes back evenly over the day.
      const auto& limits = PrincipalOf(request, name_).limits;
      return {limits.upload_bytes_per_day, std::chrono::hours(24), limits.upload_bytes_per_day};
    }
    case Kind::kPerClientAddress: return limit_;
  }
  return {};
}

std::int64_t RateLimitPolicy::CostOf(const Request& request) const {
  if (kind_ != Kind::kUploadBudget) return 1;
  return static_cast<std::int64_t>(std::max<std::uint64_t>(request.ContentLength(), request.body.size()));
}

std::string RateLimitPolicyHeader(const std::string& name, const domain::RateLimit& limit) {
  // q is the burst and w the time it takes to come back in full: GCRA allows `burst` at once,
  // then one unit every period/count.
  const auto window = std::chrono::nanoseconds(limit.period.count() / limit.count * limit.burst);
  std::string value = "\"" + name + "\";q=" + std::to_string(limit.burst);
  value += ";w=" + std::to_string(std::max<std::int64_t>(1, CeilSeconds(window)));
  if (name == "upload") value += ";qu=\"content-bytes\"";
  return value;
}

std::string RateLimitHeader(const std::string& name, const domain::RateDecision& decision) {
  std::string value = "\"" + name + "\";r=" + std::to_string(decision.remaining);
  value += ";t=" + std::to_string(CeilSeconds(decision.reset_after));
  return value;
}

Handler WithRateLimit(const RateLimiting& limiting, RateLimitPolicy policy, Handler inner) {
  if (!limiting.enabled) return inner;
  return [&limiting, policy = std::move(policy), inner = std::move(inner)](Request& request, Context& context) {
    const domain::RateLimit limit = policy.LimitOf(request);
    if (limit.Unlimited()) return inner(request, context);
    const domain::RateDecision decision = limiting.store.Acquire(policy.KeyOf(request), limit, policy.CostOf(request));
    const auto add_headers = [&](Response& response) {
      AppendHeader(response, "RateLimit-Policy", RateLimitPolicyHeader(policy.Name(), limit));
      AppendHeader(response, "RateLimit", RateLimitHeader(policy.Name(), decision));
    };
    if (!decision.allowed) {
      if (limiting.on_limited) limiting.on_limited(policy.Name());
      const auto retry_after = std::max<std::int64_t>(1, CeilSeconds(decision.retry_after));
      const std::string message = policy.Name() == "upload"
                                      ? "The daily upload budget is spent for now; retry after the time in Retry-After"
                                      : std::string();
      Response refused =
          ErrorResponse(Error(ErrorCode::kRateLimited, message,
                              {{"policy", policy.Name()}, {"retry_after_seconds", std::to_string(retry_after)}}),
                        request.request_id);
      add_headers(refused);
      return refused;
    }
    try {
      Response response = inner(request, context);
      add_headers(response);
      return response;
    } catch (const Error& error) {
      // A client error still says where the budget stands; server errors go on to be logged.
      if (ToHttpError(error.Code()).status >= 500) throw;
      Response response = ErrorResponse(error, request.request_id);
      add_headers(response);
      return response;
    }
  };
}

}  // namespace gw::web
