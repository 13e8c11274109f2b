// S3Client's multipart upload: CreateMultipartUpload, UploadPart for each part (streamed from
// the file, each retried alone), CompleteMultipartUpload; AbortMultipartUpload when it fails.

#include <algorithm>

#include "domain/error.hpp"
#include "persistence/curl_http.hpp"
#include "persistence/s3_client.hpp"
#include "persistence/s3_payload.hpp"
#include "persistence/s3_xml.hpp"

namespace gw::persistence {
namespace {

constexpr std::uint64_t kMaxParts = 10000;  // S3's limit

// The configured size, or larger when the object would otherwise need more than 10,000 parts.
std::uint64_t PartSizeFor(std::uint64_t length, std::uint64_t configured) {
  return std::max(configured, (length + kMaxParts - 1) / kMaxParts);
}

domain::Error ProtocolError(std::string_view operation, std::string_view what) {
  return domain::Error(domain::ErrorCode::kStorageError, {}, {},
                       "s3 " + std::string(operation) + ": " + std::string(what));
}

}  // namespace

PutObjectResult S3Client::PutMultipart(const std::string& key, const FileRange& source, int fd,
                                       const PutObjectOptions& options) {
  const std::uint64_t part_size = PartSizeFor(source.length, options_.part_size);
  const std::string upload_id = InitiateMultipart(key, options);
  try {
    std::vector<CompletedPart> parts;
    int number = 1;
    for (std::uint64_t done = 0; done < source.length; done += part_size, ++number) {
      const FileBody body{source.path, fd, source.offset + done, std::min(part_size, source.length - done)};
      parts.push_back({number, UploadPart(key, upload_id, number, body)});
    }
    PutObjectResult result = CompleteMultipart(key, upload_id, parts);
    result.parts = static_cast<int>(parts.size());
    return result;
  } catch (...) {
    AbortMultipart(key, upload_id);  // else its parts stay stored (and billed) until aborted
    throw;
  }
}

std::string S3Client::InitiateMultipart(const std::string& key, const PutObjectOptions& options) {
  // "uploads=", not "uploads": libcurl 7.88 would sign the bare form wrongly (s3_url.hpp).
  HttpRequest request = NewRequest("POST", key, {{"uploads", ""}}, std::string(kEmptyPayloadSha256));
  AddObjectHeaders(request, options);  // the object's type and metadata are set here
  const HttpResponse response = Send("CreateMultipartUpload", request, {200});
  auto upload_id = ParseUploadId(response.body);
  if (!upload_id) throw ProtocolError("CreateMultipartUpload", "no UploadId in the response");
  return std::move(*upload_id);
}

std::string S3Client::UploadPart(const std::string& key, const std::string& upload_id, int number,
                                 const FileBody& body) {
  HttpRequest request = NewRequest("PUT", key, {{"partNumber", std::to_string(number)}, {"uploadId", upload_id}},
                                   Sha256HexOfFileRange(body.fd, body.offset, body.length, body.path));
  request.file_body = body;
  const HttpResponse response = Send("UploadPart", request, {200});
  const std::string* etag = response.Header("etag");
  if (etag == nullptr || etag->empty()) throw ProtocolError("UploadPart", "no ETag for part " + std::to_string(number));
  return *etag;
}

PutObjectResult S3Client::CompleteMultipart(const std::string& key, const std::string& upload_id,
                                            const std::vector<CompletedPart>& parts) {
  std::string xml = CompleteMultipartXml(parts);
  HttpRequest request = NewRequest("POST", key, {{"uploadId", upload_id}}, Sha256Hex(xml));
  request.headers.push_back("Content-Type: application/xml");
  request.body = std::move(xml);
  const HttpResponse response = Send("CompleteMultipartUpload", request, {200});
  PutObjectResult result;
  if (const auto top = ParseXmlTop(response.body)) {
    if (const std::string* etag = top->Child("ETag")) result.etag = *etag;
  }
  if (const auto* cid = response.Header("x-amz-meta-cid")) result.cid = *cid;
  return result;
}

void S3Client::AbortMultipart(const std::string& key, const std::string& upload_id) noexcept {
  try {
    // 404: already gone (completed after all, or aborted by a lifecycle rule).
    Send("AbortMultipartUpload", NewRequest("DELETE", key, {{"uploadId", upload_id}}, std::string(kEmptyPayloadSha256)),
         {200, 204, 404});
  } catch (...) {
    // The upload's own failure is what the caller must see; a bucket lifecycle rule for
    // incomplete multipart uploads removes what an abort could not.
  }
}

}  // namespace gw::persistence
