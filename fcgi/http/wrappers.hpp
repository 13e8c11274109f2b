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

namespace gw::pool {
class PoolMetrics;
}

namespace gw::web {

class ClientAddressResolver;

/// Outermost of all: sets request.client_address (REMOTE_ADDR, or X-Forwarded-For's last
/// untrusted hop when REMOTE_ADDR is a trusted proxy).
Handler WithClientAddress(const ClientAddressResolver& resolver, Handler inner);

/// Counts every answered request into the pool's shared metrics: by route, method and status,
/// its latency, body bytes in and out, and the requests in flight. Outside WithJsonErrors, so
/// that it sees the status an error became. `metrics` null: adds nothing (GW_METRICS=off).
Handler WithMetrics(pool::PoolMetrics* metrics, Handler inner);

/// Counts uploads by outcome: 201 stored, 202 queued as a task, 4xx rejected, 5xx failed (and
/// the bytes of those stored or queued). Goes around the upload handler, inside the limits.
Handler WithUploadCount(pool::PoolMetrics* metrics, Handler inner);

/// Outermost: makes sure the request has an id, times the request and writes one JSON access
/// line (request id, method, route, status, latency, bytes, key prefix, client address).
Handler WithAccessLog(std::shared_ptr<spdlog::logger> log, Handler inner);

/// Turns every exception into the JSON error envelope. Domain errors keep their code; anything
/// else becomes a logged 500 that tells the client only the request id.
Handler WithJsonErrors(std::shared_ptr<spdlog::logger> log, Handler inner);

/// Requires a valid X-API-Key, or else the browser session cookie (with the CSRF rules of
/// fcgi/http/session_cookie.hpp for changes), and puts the caller into request.principal (and
/// the session into request.session).
Handler WithApiKey(domain::AccountService& accounts, Handler inner);

/// Requires request.principal to be an administrator (403 otherwise). Goes inside WithApiKey.
Handler WithAdmin(Handler inner);

/// Requires an application/json body that is valid JSON and fits `schema`; the parsed body is
/// then available as request.Json().
Handler WithJsonBody(BodySchema schema, Handler inner);

/// The innermost step of the global chain: route the request, 404/405 when nothing matches.
Handler Dispatch(std::shared_ptr<const Router> router);

}  // namespace gw::web
