#pragma once
/// @file The request as handlers see it: parsed once from the FastCGI parameters.

#include <nlohmann/json_fwd.hpp>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "domain/account.hpp"

namespace gw::web {

using NameValues = std::vector<std::pair<std::string, std::string>>;

struct Request {
  std::string method;          //!< REQUEST_METHOD
  std::string path;            //!< DOCUMENT_URI: decoded and normalised by nginx, no query
  std::string query;           //!< QUERY_STRING, still percent-encoded
  std::string request_id;      //!< from nginx ($req_id), else generated
  std::string remote_addr;     //!< REMOTE_ADDR
  std::string client_address;  //!< the client: REMOTE_ADDR, or X-Forwarded-For's behind a trusted proxy
  std::string content_type;    //!< CONTENT_TYPE
  std::string body;
  NameValues params;  //!< every FastCGI parameter as received (HTTP_* are the headers)

  // Filled in by the router and the wrappers, in this order.
  std::string route;     //!< the matched route pattern, e.g. "/tasks/{id}/status" (for logs)
  int route_index = -1;  //!< the pattern's index in the route table (for metrics); -1: none
  NameValues path_params;
  std::optional<domain::Principal> principal;       //!< set by WithApiKey
  std::optional<domain::SessionInfo> session;       //!< set by WithApiKey when the cookie authenticated
  std::shared_ptr<const nlohmann::json> json_body;  //!< set by WithJsonBody

  /// A FastCGI parameter, or empty.
  std::string_view Param(std::string_view name) const;
  /// The declared body length (CONTENT_LENGTH; the transport refused a malformed one), also for
  /// an upload whose body nginx spooled to a file; 0 when there is none.
  std::uint64_t ContentLength() const;
  /// client_address once WithClientAddress resolved it, else REMOTE_ADDR.
  const std::string& ClientAddress() const { return client_address.empty() ? remote_addr : client_address; }
  /// An HTTP request header by its usual name ("X-API-Key"), via nginx's HTTP_* parameter.
  std::optional<std::string_view> Header(std::string_view name) const;
  std::string_view PathParam(std::string_view name) const;
  /// A query parameter, percent-decoded ('+' is a space); the first of repeated ones;
  /// std::nullopt when absent. Throws kInvalidQuery on a malformed %-escape.
  std::optional<std::string> QueryParam(std::string_view name) const;
  /// The parsed JSON body; only valid behind WithJsonBody.
  const nlohmann::json& Json() const;
};

/// Decodes the %XX escapes of a URI path ('+' stays '+'). Throws kBadRequest on a malformed one.
std::string DecodePath(std::string_view raw);

}  // namespace gw::web
