#include "fcgi/http/wrappers.hpp"

#include <nlohmann/json.hpp>

#include <chrono>
#include <random>

#include "domain/api_key.hpp"
#include "domain/error.hpp"
#include "fcgi/http/client_address.hpp"
#include "fcgi/http/context.hpp"
#include "fcgi/http/error_table.hpp"
#include "fcgi/http/http_response.hpp"
#include "fcgi/http/logging.hpp"
#include "fcgi/http/session_cookie.hpp"
#include "fcgi/pool/pool_metrics.hpp"

namespace gw::web {
namespace {

using domain::Error;
using domain::ErrorCode;

std::string NewRequestId() {
  thread_local std::mt19937_64 generator{std::random_device{}()};
  std::array<unsigned char, 12> bytes{};
  for (auto& byte : bytes) byte = static_cast<unsigned char>(generator());
  return domain::Base64UrlEncode(bytes);
}

bool IsJsonContentType(std::string_view content_type) {
  const std::string_view media = content_type.substr(0, content_type.find(';'));
  std::string lowered;
  for (const char c : media) {
    if (c != ' ') lowered += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  return lowered == "application/json";
}

}  // namespace

Handler WithClientAddress(const ClientAddressResolver& resolver, Handler inner) {
  return [&resolver, inner = std::move(inner)](Request& request, Context& context) {
    request.client_address =
        resolver.Resolve(request.remote_addr, request.Header("X-Forwarded-For").value_or(std::string_view{}));
    return inner(request, context);
  };
}

Handler WithMetrics(pool::PoolMetrics* metrics, Handler inner) {
  if (metrics == nullptr) return inner;
  return [metrics, inner = std::move(inner)](Request& request, Context& context) {
    const auto start = std::chrono::steady_clock::now();
    metrics->AddInFlight(1);
    // The in-flight count must come down even when a handler throws past WithJsonErrors.
    struct Done {
      pool::PoolMetrics* metrics;
      ~Done() { metrics->AddInFlight(-1); }
    } done{metrics};
    Response response = inner(request, context);
    const auto micros =
        std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - start).count();
    // /upload: nginx spooled the body to a file and passes only its length
    const std::uint64_t bytes_in = request.body.empty() ? request.ContentLength() : request.body.size();
    metrics->RecordRequest(request.route_index, request.method, response.status, micros, bytes_in,
                           response.body.size());
    return response;
  };
}

Handler WithUploadCount(pool::PoolMetrics* metrics, Handler inner) {
  if (metrics == nullptr) return inner;
  return [metrics, inner = std::move(inner)](Request& request, Context& context) {
    const std::uint64_t bytes = request.ContentLength();
    const auto record = [&](int status) {
      using pool::UploadOutcome;
      const UploadOutcome outcome = status == 202  ? UploadOutcome::kQueued
                                    : status < 400 ? UploadOutcome::kStored
                                    : status < 500 ? UploadOutcome::kRejected
                                                   : UploadOutcome::kFailed;
      metrics->RecordUpload(outcome, bytes);
    };
    try {
      Response response = inner(request, context);
      record(response.status);
      return response;
    } catch (const Error& error) {
      record(ToHttpError(error.Code()).status);
      throw;
    } catch (...) {
      record(500);
      throw;
    }
  };
}

Handler WithAccessLog(std::shared_ptr<spdlog::logger> log, Handler inner) {
  return [log = std::move(log), inner = std::move(inner)](Request& request, Context& context) {
    if (request.request_id.empty()) request.request_id = NewRequestId();
    const auto start = std::chrono::steady_clock::now();
    Response response = inner(request, context);
    const auto micros =
        std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - start).count();
    if (LogEnabled(*log, LogLevel::kInfo)) {
      // Built by hand, in key order: the same bytes as LogEvent's dump of these fields without
      // building a JSON tree for every request.
      std::string line;
      line.reserve(256);
      line += R"("bytes":)";
      line += std::to_string(response.body.size());
      line += R"(,"client":)";
      AppendJsonString(line, request.ClientAddress());
      line += R"(,"key_prefix":)";
      AppendJsonString(line, request.principal ? std::string_view(request.principal->key_prefix) : "");
      line += R"(,"latency_us":)";
      line += std::to_string(micros);
      line += R"(,"method":)";
      AppendJsonString(line, request.method);
      line += R"(,"request_id":)";
      AppendJsonString(line, request.request_id);
      line += R"(,"route":)";
      AppendJsonString(line, request.route.empty() ? std::string_view("-") : std::string_view(request.route));
      line += R"(,"status":)";
      line += std::to_string(response.status);
      line += R"(,"type":"access"})";
      LogObjectTail(*log, LogLevel::kInfo, line);
    }
    return response;
  };
}

Handler WithJsonErrors(std::shared_ptr<spdlog::logger> log, Handler inner) {
  return [log = std::move(log), inner = std::move(inner)](Request& request, Context& context) {
    try {
      return inner(request, context);
    } catch (const Error& error) {
      Response response = ErrorResponse(error, request.request_id);
      if (response.status >= 500) {
        LogEvent(*log, LogLevel::kError,
                 {{"type", "error"}, {"request_id", request.request_id}, {"error", error.what()}});
      }
      if (error.Code() == ErrorCode::kMethodNotAllowed) {
        for (const auto& [key, value] : error.Details()) {
          if (key == "allow") response.SetHeader("Allow", value);
        }
      }
      return response;
    } catch (const std::exception& unexpected) {
      LogEvent(*log, LogLevel::kError,
               {{"type", "error"}, {"request_id", request.request_id}, {"error", unexpected.what()}});
      return ErrorResponse(Error(ErrorCode::kInternal), request.request_id);
    }
  };
}

Handler WithApiKey(domain::AccountService& accounts, Handler inner) {
  return [&accounts, inner = std::move(inner)](Request& request, Context& context) {
    // The header wins, and its path is what it always was: programs (and POST /status, which
    // is benchmarked) pay nothing for the cookie.
    if (const auto key = request.Header("X-API-Key")) {
      request.principal = accounts.Authenticate(context.accounts, *key);
    } else if (const auto token = SessionCookieOf(request)) {
      if (context.sessions == nullptr) throw Error(ErrorCode::kInternal, {}, {}, "no session repository");
      auto resolved = accounts.ResolveSession(*context.sessions, *token);
      CheckCsrf(request, resolved.session);
      request.principal = std::move(resolved.principal);
      request.session = std::move(resolved.session);
    } else {
      throw Error(ErrorCode::kMissingApiKey);
    }
    return inner(request, context);
  };
}

Handler WithAdmin(Handler inner) {
  return [inner = std::move(inner)](Request& request, Context& context) {
    if (!request.principal || !request.principal->is_admin) {
      throw Error(ErrorCode::kForbidden, "This action requires an administrator API key");
    }
    return inner(request, context);
  };
}

Handler WithJsonBody(BodySchema schema, Handler inner) {
  return [schema = std::move(schema), inner = std::move(inner)](Request& request, Context& context) {
    auto body = std::make_shared<nlohmann::json>(nlohmann::json::object());
    const bool empty = request.body.find_first_not_of(" \t\r\n") == std::string::npos;
    if (!empty || !schema.body_optional) {
      if (!IsJsonContentType(request.content_type)) throw Error(ErrorCode::kUnsupportedMediaType);
      *body = ParseJsonBody(request.body);
    }
    Validate(schema, *body);
    request.json_body = std::move(body);
    return inner(request, context);
  };
}

Handler Dispatch(std::shared_ptr<const Router> router) {
  return [router = std::move(router)](Request& request, Context& context) {
    auto match = router->Find(request.method, request.path);
    if (match.handler == nullptr) {
      if (!match.allowed_methods.empty()) {
        throw Error(ErrorCode::kMethodNotAllowed, {}, {{"allow", match.allowed_methods}});
      }
      throw Error(ErrorCode::kRouteNotFound, {}, {{"path", request.path}});
    }
    request.route = std::string(match.pattern);
    request.route_index = match.pattern_index;
    request.path_params = std::move(match.path_params);
    return (*match.handler)(request, context);
  };
}

}  // namespace gw::web
