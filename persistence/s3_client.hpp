#pragma once
/// @file An S3 client for Filebase (or any S3-compatible store) on libcurl: PutObject (multipart
/// above a size), HeadObject, DeleteObject.
///
/// Requests are path-style (<endpoint>/<bucket>/<key>) and signed by libcurl
/// (CURLOPT_AWS_SIGV4 "aws:amz:<region>:s3") with the payload's SHA-256 sent explicitly in
/// x-amz-content-sha256; query strings are canonical (s3_url.hpp says why). Bodies stream from
/// disk: an upload of any size costs a small buffer, never the object in memory.
///
/// Every HTTP request goes through the circuit breaker and BackoffRetry given to the
/// constructor (domain/backoff_retry.hpp), so each call throws only domain::Error:
/// kStorageUnavailable (breaker open, or transient failures outlasted the retries),
/// kStorageAuthFailed (403/401: credentials, signature, clock), kStorageError (anything else),
/// kInternal (the local file could not be read). A multipart upload retries a failed part
/// alone, and aborts the upload when it cannot complete it.
///
/// Thread-safe. Needs curl_global_init once in main (see curl_http.hpp).

#include <cstdint>
#include <initializer_list>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "domain/backoff_retry.hpp"
#include "domain/circuit_breaker.hpp"
#include "persistence/s3_config.hpp"
#include "persistence/s3_url.hpp"

namespace gw::persistence {

class CurlHttp;
struct CompletedPart;
struct FileBody;
struct HttpRequest;
struct HttpResponse;

/// Bytes [offset, offset + length) of the file at `path` (an upload spooled by nginx, say).
struct FileRange {
  std::string path;
  std::uint64_t offset = 0;
  std::uint64_t length = 0;
};

struct PutObjectOptions {
  std::string content_type = "application/octet-stream";
  /// Sent as x-amz-meta-<name> (e.g. {"import", "car"} for Filebase's CAR import).
  std::vector<std::pair<std::string, std::string>> metadata;
};

struct PutObjectResult {
  std::string etag;
  /// x-amz-meta-cid of the PUT (or CompleteMultipartUpload) response, when Filebase sent it;
  /// when absent, HeadObject has it. The caller compares it with the CID it computed.
  std::optional<std::string> cid;
  int parts = 0;  //!< 0 for a single PUT
};

struct ObjectHead {
  std::uint64_t size = 0;
  std::string etag;
  std::optional<std::string> cid;                            //!< x-amz-meta-cid
  std::vector<std::pair<std::string, std::string>> headers;  //!< all of them, names in lower case
};

class S3Client {
 public:
  /// `breaker` and `retry` must outlive the client; the breaker is this endpoint's, shared by
  /// every thread. Throws std::invalid_argument for a malformed endpoint or a part size below
  /// S3's 5 MiB.
  S3Client(S3Config config, S3ClientOptions options, domain::CircuitBreaker& breaker,
           const domain::BackoffRetry& retry);
  ~S3Client();
  S3Client(const S3Client&) = delete;
  S3Client& operator=(const S3Client&) = delete;

  /// Stores the range under `key`: one PUT up to options.multipart_threshold bytes, a
  /// multipart upload above.
  PutObjectResult PutObject(const std::string& key, const FileRange& source, const PutObjectOptions& options = {});
  /// nullopt when there is no such object.
  std::optional<ObjectHead> HeadObject(const std::string& key);
  /// Removing a missing object is not an error.
  void DeleteObject(const std::string& key);

  const S3Config& Config() const { return config_; }

 private:
  // s3_client.cpp: one signed request, sent through the breaker and the retries.
  HttpRequest NewRequest(std::string method, const std::string& key, QueryParams query,
                         std::string payload_sha256) const;
  HttpResponse Send(std::string_view operation, const HttpRequest& request, std::initializer_list<long> accepted) const;
  PutObjectResult PutSingle(const std::string& key, const FileRange& source, int fd, const PutObjectOptions& options);
  /// Content-Type and x-amz-meta-* of a new object (PutObject, CreateMultipartUpload).
  static void AddObjectHeaders(HttpRequest& request, const PutObjectOptions& options);

  // s3_multipart.cpp
  PutObjectResult PutMultipart(const std::string& key, const FileRange& source, int fd,
                               const PutObjectOptions& options);
  std::string InitiateMultipart(const std::string& key, const PutObjectOptions& options);
  std::string UploadPart(const std::string& key, const std::string& upload_id, int number, const FileBody& body);
  PutObjectResult CompleteMultipart(const std::string& key, const std::string& upload_id,
                                    const std::vector<CompletedPart>& parts);
  void AbortMultipart(const std::string& key, const std::string& upload_id) noexcept;

  S3Config config_;
  S3ClientOptions options_;
  domain::CircuitBreaker& breaker_;
  const domain::BackoffRetry& retry_;
  std::unique_ptr<CurlHttp> http_;
};

}  // namespace gw::persistence
