#pragma once
/// @file Decorator-style handler wrappers: each takes a Handler and returns one that adds a
/// single cross-cutting concern. The route table (routes.cpp) shows which wrap which route.

#include <memory>

#include "domain/accounts.hpp"
#include "fcgi/http/json_schema.hpp"
#include "fcgi/http/router.hpp"

namespace spdlog {
class logger;
}

namespace gw::web {

/// Outermost: makes sure the request has an id, times the request and writes one JSON access
/// line (request id, method, route, status, latency, bytes, key prefix, client address).
Handler WithAccessLog(std::shared_ptr<spdlog::logger> log, Handler inner);

/// Turns every exception into the JSON error envelope. Domain errors keep their code; anything
/// else becomes a logged 500 that tells the client only the request id.
Handler WithJsonErrors(std::shared_ptr<spdlog::logger> log, Handler inner);

/// Requires a valid X-API-Key and puts the caller into request.principal.
Handler WithApiKey(domain::AccountService& accounts, Handler inner);

/// Requires request.principal to be an administrator (403 otherwise). Goes inside WithApiKey.
Handler WithAdmin(Handler inner);

/// Requires an application/json body that is valid JSON and fits `schema`; the parsed body is
/// then available as request.Json().
Handler WithJsonBody(BodySchema schema, Handler inner);

/// The innermost step of the global chain: route the request, 404/405 when nothing matches.
Handler Dispatch(std::shared_ptr<const Router> router);

}  // namespace gw::web
