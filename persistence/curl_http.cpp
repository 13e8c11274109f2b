#include "persistence/curl_http.hpp"

#include <curl/curl.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <mutex>
#include <string_view>

#include "domain/error.hpp"
#include "domain/remote_failure.hpp"

namespace gw::persistence {
namespace {

using domain::RemoteFailure;

struct HandleDeleter {
  void operator()(CURL* handle) const { curl_easy_cleanup(handle); }
};
using Handle = std::unique_ptr<CURL, HandleDeleter>;

struct HeaderListDeleter {
  void operator()(curl_slist* list) const { curl_slist_free_all(list); }
};
using HeaderList = std::unique_ptr<curl_slist, HeaderListDeleter>;

// One transfer's state, which curl's callbacks share.
struct Transfer {
  explicit Transfer(const HttpRequest& r) : request(r) {}
  std::uint64_t BodyLength() const { return request.file_body ? request.file_body->length : request.body.size(); }

  const HttpRequest& request;
  std::uint64_t sent = 0;  // body bytes handed to curl so far
  int read_errno = 0;      // why the file body could not be read
  HttpResponse response;
};

std::size_t ReadBody(char* buffer, std::size_t size, std::size_t count, void* user) {
  auto& transfer = *static_cast<Transfer*>(user);
  const std::uint64_t wanted = std::min<std::uint64_t>(size * count, transfer.BodyLength() - transfer.sent);
  if (wanted == 0) return 0;
  if (!transfer.request.file_body) {
    std::memcpy(buffer, transfer.request.body.data() + transfer.sent, wanted);
    transfer.sent += wanted;
    return wanted;
  }
  const FileBody& file = *transfer.request.file_body;
  ssize_t got = 0;
  do {
    got = ::pread(file.fd, buffer, wanted, static_cast<off_t>(file.offset + transfer.sent));
  } while (got < 0 && errno == EINTR);
  if (got <= 0) {
    transfer.read_errno = got < 0 ? errno : ENODATA;  // 0: the file is shorter than announced
    return CURL_READFUNC_ABORT;
  }
  transfer.sent += static_cast<std::uint64_t>(got);
  return static_cast<std::size_t>(got);
}

// curl rewinds the body when it must send it again on the same transfer (e.g. a redirect, or
// a server that answered before reading it).
int SeekBody(void* user, curl_off_t offset, int origin) {
  auto& transfer = *static_cast<Transfer*>(user);
  if (origin != SEEK_SET || offset < 0 || static_cast<std::uint64_t>(offset) > transfer.BodyLength()) {
    return CURL_SEEKFUNC_CANTSEEK;
  }
  transfer.sent = static_cast<std::uint64_t>(offset);
  return CURL_SEEKFUNC_OK;
}

std::size_t WriteBody(char* data, std::size_t size, std::size_t count, void* user) {
  auto& body = static_cast<Transfer*>(user)->response.body;
  const std::size_t bytes = size * count;
  body.append(data, std::min(bytes, kMaxResponseBody - std::min(kMaxResponseBody, body.size())));
  return bytes;
}

std::string_view Trim(std::string_view text) {
  const auto first = text.find_first_not_of(" \t\r\n");
  if (first == std::string_view::npos) return {};
  return text.substr(first, text.find_last_not_of(" \t\r\n") - first + 1);
}

std::size_t ReadHeader(char* data, std::size_t size, std::size_t count, void* user) {
  auto& response = static_cast<Transfer*>(user)->response;
  const std::string_view line(data, size * count);
  if (line.starts_with("HTTP/")) {
    response.headers.clear();  // a new response begins (after a 100 Continue, say)
  } else if (const auto colon = line.find(':'); colon != std::string_view::npos) {
    std::string name(Trim(line.substr(0, colon)));
    std::transform(name.begin(), name.end(), name.begin(), [](unsigned char c) { return std::tolower(c); });
    response.headers.emplace_back(std::move(name), std::string(Trim(line.substr(colon + 1))));
  }
  return size * count;
}

RemoteFailure::Kind KindOf(CURLcode code) {
  switch (code) {
    case CURLE_OPERATION_TIMEDOUT: return RemoteFailure::Kind::kTimeout;
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_RESOLVE_PROXY:
    case CURLE_COULDNT_CONNECT:
    case CURLE_SEND_ERROR:
    case CURLE_RECV_ERROR:
    case CURLE_GOT_NOTHING:
    case CURLE_PARTIAL_FILE:
    case CURLE_HTTP2:
    case CURLE_HTTP2_STREAM: return RemoteFailure::Kind::kConnect;
    default: return RemoteFailure::Kind::kTransport;
  }
}

template <typename T>
void Set(CURL* handle, CURLoption option, T value) {
  if (const CURLcode code = curl_easy_setopt(handle, option, value); code != CURLE_OK) {
    throw domain::Error(domain::ErrorCode::kInternal, {}, {},
                        std::string("curl_easy_setopt: ") + curl_easy_strerror(code));
  }
}

void Configure(CURL* handle, const HttpRequest& request, const CurlHttpOptions& options, Transfer& transfer,
               curl_slist* headers, char* error_buffer) {
  Set(handle, CURLOPT_URL, request.url.c_str());
  Set(handle, CURLOPT_PROTOCOLS_STR, "http,https");
  Set(handle, CURLOPT_NOSIGNAL, 1L);  // many threads: no SIGALRM-based DNS timeouts
  Set(handle, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(options.connect_timeout.count()));
  Set(handle, CURLOPT_TIMEOUT_MS, static_cast<long>(options.total_timeout.count()));
  Set(handle, CURLOPT_PATH_AS_IS, 1L);  // object keys may contain "./": never rewrite the path
  Set(handle, CURLOPT_USERAGENT, "ipfs-gateway");
  Set(handle, CURLOPT_ERRORBUFFER, error_buffer);
  Set(handle, CURLOPT_HTTPHEADER, headers);
  Set(handle, CURLOPT_HEADERFUNCTION, ReadHeader);
  Set(handle, CURLOPT_HEADERDATA, &transfer);
  Set(handle, CURLOPT_WRITEFUNCTION, WriteBody);
  Set(handle, CURLOPT_WRITEDATA, &transfer);
  if (request.sigv4) {
    Set(handle, CURLOPT_AWS_SIGV4, request.sigv4->provider.c_str());
    // Separately, not as CURLOPT_USERPWD: a ':' in the access key would split it wrongly.
    Set(handle, CURLOPT_USERNAME, request.sigv4->access_key.c_str());
    Set(handle, CURLOPT_PASSWORD, request.sigv4->secret_key.c_str());
  }
  const auto length = static_cast<curl_off_t>(transfer.BodyLength());
  if (request.method == "HEAD") {
    Set(handle, CURLOPT_NOBODY, 1L);
  } else if (request.method == "GET") {
    Set(handle, CURLOPT_HTTPGET, 1L);
  } else if (request.method == "PUT") {
    Set(handle, CURLOPT_UPLOAD, 1L);
    Set(handle, CURLOPT_INFILESIZE_LARGE, length);
  } else if (request.method == "POST") {
    Set(handle, CURLOPT_POST, 1L);
    Set(handle, CURLOPT_POSTFIELDSIZE_LARGE, length);
  } else {
    Set(handle, CURLOPT_CUSTOMREQUEST, request.method.c_str());
  }
  if (request.method == "PUT" || request.method == "POST") {
    Set(handle, CURLOPT_READFUNCTION, ReadBody);
    Set(handle, CURLOPT_READDATA, &transfer);
    Set(handle, CURLOPT_SEEKFUNCTION, SeekBody);
    Set(handle, CURLOPT_SEEKDATA, &transfer);
  }
}

}  // namespace

const std::string* HttpResponse::Header(std::string_view name) const {
  for (const auto& [key, value] : headers) {
    if (key == name) return &value;
  }
  return nullptr;
}

struct CurlHttp::Pool {
  std::mutex mutex;
  std::vector<Handle> idle;  // most recently used last

  Handle Take() {
    {
      const std::lock_guard lock(mutex);
      if (!idle.empty()) {
        Handle handle = std::move(idle.back());
        idle.pop_back();
        return handle;
      }
    }
    Handle handle(curl_easy_init());
    if (!handle) throw domain::Error(domain::ErrorCode::kInternal, {}, {}, "curl_easy_init failed");
    return handle;
  }

  void Give(Handle handle) {
    const std::lock_guard lock(mutex);
    idle.push_back(std::move(handle));
  }
};

CurlHttp::CurlHttp(CurlHttpOptions options) : options_(options), pool_(std::make_unique<Pool>()) {}

CurlHttp::~CurlHttp() = default;

HttpResponse CurlHttp::Perform(const HttpRequest& request) {
  struct Lease {
    Pool& pool;
    Handle handle;
    ~Lease() { pool.Give(std::move(handle)); }
  } lease{*pool_, pool_->Take()};
  CURL* handle = lease.handle.get();
  curl_easy_reset(handle);  // drops the last request's options, keeps its live connections

  HeaderList headers;
  for (const auto& header : request.headers) {
    curl_slist* appended = curl_slist_append(headers.get(), header.c_str());
    if (appended == nullptr) throw domain::Error(domain::ErrorCode::kInternal, {}, {}, "curl_slist_append failed");
    static_cast<void>(headers.release());
    headers.reset(appended);
  }
  Transfer transfer(request);
  char error_buffer[CURL_ERROR_SIZE] = {};
  Configure(handle, request, options_, transfer, headers.get(), error_buffer);

  const CURLcode code = curl_easy_perform(handle);
  if (transfer.read_errno != 0) {
    throw domain::Error(domain::ErrorCode::kInternal, {}, {},
                        "read " + request.file_body->path + ": " + std::strerror(transfer.read_errno));
  }
  if (code != CURLE_OK) {
    const std::string detail = error_buffer[0] != '\0' ? error_buffer : curl_easy_strerror(code);
    throw domain::RemoteCallFailed({KindOf(code), 0, {}, request.method + " " + request.url + ": " + detail});
  }
  curl_easy_getinfo(handle, CURLINFO_RESPONSE_CODE, &transfer.response.status);
  return std::move(transfer.response);
}

}  // namespace gw::persistence
