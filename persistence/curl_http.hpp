#pragma once
/// @file HTTP requests through libcurl, for the S3 client; curl's headers stay in the .cpp.
///
/// Needs curl_global_init(CURL_GLOBAL_DEFAULT) once in main before any thread starts (libcurl's
/// global state is the one global the process keeps).
///
/// Easy handles are pooled, not created per request: a handle keeps its connections alive, so
/// a thread's next request to the same host skips the TCP and TLS handshakes. Each request
/// takes an idle handle (the one used most recently) or makes one, and gives it back; so the
/// pool holds one handle per thread that calls at the same time, and all of them are closed
/// with the CurlHttp (a thread_local handle could not be, and would be a mutable global).

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace gw::persistence {

struct CurlHttpOptions {
  std::chrono::milliseconds connect_timeout{5000};
  std::chrono::milliseconds total_timeout{300000};
};

/// Bytes [offset, offset + length) of a file, read with pread while curl sends them: a body of
/// any size costs curl's upload buffer (64 KiB), never the body in memory.
struct FileBody {
  std::string path;  //!< for error messages
  int fd = -1;
  std::uint64_t offset = 0;
  std::uint64_t length = 0;
};

struct HttpRequest {
  std::string method;  //!< GET, HEAD, PUT, POST or DELETE
  std::string url;
  std::vector<std::string> headers;  //!< "Name: value"
  std::string body;                  //!< a small body (XML); ignored when file_body is set
  std::optional<FileBody> file_body;
  /// When set, libcurl signs the request (CURLOPT_AWS_SIGV4) with these.
  struct AwsSigV4 {
    std::string provider;  //!< "aws:amz:<region>:<service>"
    std::string access_key;
    std::string secret_key;
  };
  std::optional<AwsSigV4> sigv4;
};

struct HttpResponse {
  long status = 0;
  std::vector<std::pair<std::string, std::string>> headers;  //!< names in lower case, last response only
  std::string body;                                          //!< at most kMaxResponseBody bytes kept

  /// The first header named `name` (lower case), or null.
  const std::string* Header(std::string_view name) const;
};

/// Responses we read are small XML documents; a larger body is cut (and still received).
inline constexpr std::size_t kMaxResponseBody = 1024 * 1024;

class CurlHttp {
 public:
  explicit CurlHttp(CurlHttpOptions options);
  ~CurlHttp();
  CurlHttp(const CurlHttp&) = delete;
  CurlHttp& operator=(const CurlHttp&) = delete;

  /// Sends the request and returns the response, whatever its status. Thread-safe. A failure
  /// below HTTP throws domain::RemoteCallFailed (kConnect, kTimeout or kTransport); a file
  /// body that cannot be read throws domain::Error(kInternal): that is no fault of the remote.
  HttpResponse Perform(const HttpRequest& request);

 private:
  struct Pool;
  CurlHttpOptions options_;
  std::unique_ptr<Pool> pool_;
};

}  // namespace gw::persistence
