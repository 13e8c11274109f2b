// Bytes exactly as written, over TLS to the stack: for requests a normal client would refuse or
// normalise (a raw space or CRLF in the URI, "/../" above the root, header blocks nginx refuses
// before any request exists), and a minimal HTTP/2 speaker (RFC 9113 framing, HPACK literals
// only) that reports what nginx answered frame by frame. TLS is verified against the stack's CA.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "https_client.hpp"

namespace gw::e2e {

/// Sends `request` verbatim over one TLS connection (ALPN http/1.1) and reads until nginx closes
/// it or `timeout_ms` passes; returns the response parsed as HTTP/1.1 (status 0 when nothing
/// parseable arrived). Throws std::runtime_error when the connection or TLS fails.
HttpResponse RawHttp1(const std::string& base_url, const std::string& ca_file, const std::string& request,
                      int timeout_ms = 10000);

/// What an HTTP/2 server answered to one request on stream 1.
struct Http2Outcome {
  bool response_headers = false;  //!< a HEADERS frame for stream 1 arrived (a response)
  bool goaway = false;
  std::uint32_t goaway_error = 0;        //!< RFC 9113 error code of the GOAWAY (0xb ENHANCE_YOUR_CALM)
  std::uint32_t goaway_last_stream = 0;  //!< the last stream the server processed (0: none)
  bool reset = false;
  std::uint32_t reset_error = 0;  //!< RST_STREAM's error code
  std::string Describe() const;
};

/// GET `path` over HTTP/2 (ALPN h2) with `headers` (names lower-cased by the caller), the header
/// block split into HEADERS + CONTINUATION frames of 16 KiB; reads frames until a response
/// HEADERS, a GOAWAY, an RST_STREAM for stream 1, or the end of the connection.
Http2Outcome RawHttp2Get(const std::string& base_url, const std::string& ca_file, const std::string& path,
                         const HeaderList& headers, int timeout_ms = 10000);

}  // namespace gw::e2e
