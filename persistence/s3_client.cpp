#include "persistence/s3_client.hpp"

#include <fcntl.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <stdexcept>

#include "domain/error.hpp"
#include "domain/remote_failure.hpp"
#include "persistence/curl_http.hpp"
#include "persistence/posix_file.hpp"
#include "persistence/s3_payload.hpp"
#include "persistence/s3_xml.hpp"

namespace gw::persistence {
namespace {

// What went wrong, from an S3 answer: its status and, when the body is an S3 <Error>
// document, its Code and Message (a HEAD answer has no body: the status alone).
domain::RemoteFailure FailureOf(const HttpResponse& response) {
  domain::RemoteFailure failure{domain::RemoteFailure::Kind::kHttp, static_cast<int>(response.status), {}, {}};
  if (auto error = ParseS3Error(response.body)) {
    failure.code = std::move(error->code);
    failure.message = std::move(error->message);
  }
  return failure;
}

// Header values go into the request as they are: a CR or LF would start another header.
void CheckHeaderText(std::string_view text, std::string_view what) {
  if (text.empty() || text.find_first_of("\r\n", 0) != std::string_view::npos ||
      text.find('\0') != std::string_view::npos) {
    throw std::invalid_argument(std::string(what) + " must be non-empty and free of CR, LF and NUL");
  }
}

}  // namespace

S3Client::S3Client(S3Config config, S3ClientOptions options, domain::CircuitBreaker& breaker,
                   const domain::BackoffRetry& retry)
    : config_(std::move(config)),
      options_(options),
      breaker_(breaker),
      retry_(retry),
      http_(std::make_unique<CurlHttp>(CurlHttpOptions{options.connect_timeout, options.total_timeout})) {
  static_cast<void>(HostOf(config_.endpoint));  // throws for a malformed endpoint
  if (options_.part_size < kMinPartSize) throw std::invalid_argument("S3 part size must be at least 5 MiB");
  if (config_.bucket.empty()) throw std::invalid_argument("S3 bucket must be set");
}

S3Client::~S3Client() = default;

HttpRequest S3Client::NewRequest(std::string method, const std::string& key, QueryParams query,
                                 std::string payload_sha256) const {
  HttpRequest request;
  request.method = std::move(method);
  request.url = ObjectUrl(config_, key, std::move(query));
  // libcurl 7.88 signs with the hash given here (and hashes nothing itself for a streamed body).
  request.headers.push_back("x-amz-content-sha256: " + payload_sha256);
  request.sigv4 = HttpRequest::AwsSigV4{"aws:amz:" + config_.region + ":s3", config_.access_key, config_.secret_key};
  return request;
}

HttpResponse S3Client::Send(std::string_view operation, const HttpRequest& request,
                            std::initializer_list<long> accepted) const {
  return retry_.Run(breaker_, operation, [&](int /*attempt*/) {
    HttpResponse response = http_->Perform(request);
    const bool ok = std::find(accepted.begin(), accepted.end(), response.status) != accepted.end();
    // S3 may fail after sending 200 (CompleteMultipartUpload): an <Error> body is a failure too.
    if (!ok || (response.status == 200 && ParseS3Error(response.body))) {
      throw domain::RemoteCallFailed(FailureOf(response));
    }
    return response;
  });
}

void S3Client::AddObjectHeaders(HttpRequest& request, const PutObjectOptions& options) {
  CheckHeaderText(options.content_type, "Content-Type");
  request.headers.push_back("Content-Type: " + options.content_type);
  for (const auto& [name, value] : options.metadata) {
    const bool token = !name.empty() && std::all_of(name.begin(), name.end(), [](unsigned char c) {
      return std::isalnum(c) || c == '-' || c == '_';
    });
    if (!token) throw std::invalid_argument("S3 metadata names are letters, digits, '-' and '_'");
    CheckHeaderText(value, "S3 metadata value");
    request.headers.push_back("x-amz-meta-" + name + ": " + value);
  }
}

PutObjectResult S3Client::PutObject(const std::string& key, const FileRange& source, const PutObjectOptions& options) {
  const posix::Fd fd = posix::Open(source.path, O_RDONLY);
  if (source.length > options_.multipart_threshold) return PutMultipart(key, source, fd.Get(), options);
  return PutSingle(key, source, fd.Get(), options);
}

PutObjectResult S3Client::PutSingle(const std::string& key, const FileRange& source, int fd,
                                    const PutObjectOptions& options) {
  HttpRequest request = NewRequest("PUT", key, {}, Sha256HexOfFileRange(fd, source.offset, source.length, source.path));
  AddObjectHeaders(request, options);
  request.file_body = FileBody{source.path, fd, source.offset, source.length};
  const HttpResponse response = Send("PutObject", request, {200});
  PutObjectResult result;
  if (const auto* etag = response.Header("etag")) result.etag = *etag;
  if (const auto* cid = response.Header("x-amz-meta-cid")) result.cid = *cid;
  return result;
}

std::optional<ObjectHead> S3Client::HeadObject(const std::string& key) {
  const HttpResponse response =
      Send("HeadObject", NewRequest("HEAD", key, {}, std::string(kEmptyPayloadSha256)), {200, 404});
  if (response.status == 404) return std::nullopt;
  ObjectHead head;
  if (const auto* length = response.Header("content-length")) {
    std::from_chars(length->data(), length->data() + length->size(), head.size);  // malformed: 0
  }
  if (const auto* etag = response.Header("etag")) head.etag = *etag;
  if (const auto* cid = response.Header("x-amz-meta-cid")) head.cid = *cid;
  head.headers = response.headers;
  return head;
}

void S3Client::DeleteObject(const std::string& key) {
  // S3 answers 204 for a missing key too; some compatible stores answer 404: both mean gone.
  Send("DeleteObject", NewRequest("DELETE", key, {}, std::string(kEmptyPayloadSha256)), {200, 204, 404});
}

}  // namespace gw::persistence
