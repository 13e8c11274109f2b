// A tiny libcurl wrapper for the end-to-end tests: one request in, status + headers + body out.
// TLS is always verified against the given CA file (the test stack's self-signed certificate);
// there is deliberately no way to turn verification off.
#pragma once

#include <nlohmann/json.hpp>

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace gw::e2e {

struct HttpResponse {
  long status = 0;
  std::multimap<std::string, std::string> headers;  // names lower-cased, values trimmed
  std::string body;

  /// The first value of a header (name is matched case-insensitively).
  std::optional<std::string> Header(std::string name) const;
  /// Every value of a header.
  std::vector<std::string> Headers(std::string name) const;
  /// The body parsed as JSON; a discarded value (is_discarded()) when it is not JSON.
  nlohmann::json Json() const;
  /// One line for assertion messages: "HTTP 401 x-request-id=... body=...".
  std::string Describe() const;
};

using HeaderList = std::vector<std::pair<std::string, std::string>>;

class HttpsClient {
 public:
  /// base_url: "https://127.0.0.1:8443" (no trailing slash); ca_file: PEM file to trust.
  HttpsClient(std::string base_url, std::string ca_file);
  ~HttpsClient();
  HttpsClient(const HttpsClient&) = delete;
  HttpsClient& operator=(const HttpsClient&) = delete;

  /// Sends one request to base_url + path. Redirects are NOT followed. Throws std::runtime_error
  /// on a transport failure (connection refused, TLS verification failure, timeout).
  HttpResponse Request(const std::string& method, const std::string& path, const HeaderList& headers = {},
                       const std::optional<std::string>& body = std::nullopt);

  /// POST with a JSON body and Content-Type: application/json.
  HttpResponse PostJson(const std::string& path, const nlohmann::json& body, HeaderList headers = {});

  /// Connects from this local address (e.g. "127.0.0.2": all of 127/8 is loopback), to test
  /// what nginx allows from which address.
  void SetLocalAddress(std::string address) { local_address_ = std::move(address); }

  /// Headers sent with every request that does not name the same header itself.
  void SetDefaultHeaders(HeaderList headers) { default_headers_ = std::move(headers); }

  /// false for a client that talks to something other than the gateway (the Filebase double's
  /// control API): its exchanges are then left out of the contract recording (RecordExchange).
  void SetRecorded(bool recorded) { recorded_ = recorded; }

  /// Percent-encodes a query-string value.
  static std::string Escape(const std::string& value);

 private:
  std::string base_url_;
  std::string ca_file_;
  HeaderList default_headers_;
  std::string local_address_;
  bool recorded_ = true;
  void* curl_ = nullptr;  // CURL*, reused so that keep-alive connections are reused
};

/// The contract recording (tests/contract/check_contract.mjs): when GW_TEST_RECORD_FILE names a
/// file, appends one JSON line describing this exchange to it: the test, the stack, method,
/// path and query as sent, the request's header names, status, response headers and the body
/// (JSON in full, other text up to 64 KiB, anything else only its type and length). The line is
/// one write() to a file opened with O_APPEND, so the lines of parallel tests never interleave.
/// `body_bytes` is the size of the whole response body, of which `response.body` may hold a
/// prefix only; `transport_error` is libcurl's complaint when the exchange ended badly after the
/// response's head had arrived. Does nothing when the variable is unset.
/// `request_secrets` lists the credentials the request carried (the X-API-Key and Authorization
/// header values, and every string member of a JSON request body whose name holds "password"):
/// the secrets check after ctest (tests/secrets/check_secrets.py) makes sure that none of them
/// reached a log, a response body (but the one that issued a key) or the audit log.
void RecordExchange(const std::string& base_url, const std::string& method, const std::string& target,
                    const HeaderList& request_headers, const HttpResponse& response, std::uint64_t body_bytes,
                    const std::string& transport_error = {}, const std::string& request_body = {});

}  // namespace gw::e2e
