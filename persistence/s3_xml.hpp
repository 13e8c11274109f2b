#pragma once
/// @file The little XML the S3 client reads and writes: error bodies (Code, Message), the
/// UploadId of a new multipart upload, the ETag of a completed one, and the part list that
/// completes it. Reading goes through Poco's XML parser (external entities off); Poco stays in
/// s3_xml.cpp.

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace gw::persistence {

/// A document's root element and the text of its direct child elements, in order.
struct XmlTop {
  std::string root;  //!< local name (any namespace prefix dropped)
  std::vector<std::pair<std::string, std::string>> children;

  /// The text of the first child named `name`, or null.
  const std::string* Child(std::string_view name) const;
};

/// nullopt when `body` is not well-formed XML (empty, HTML from a proxy, JSON).
std::optional<XmlTop> ParseXmlTop(std::string_view body);

struct S3ErrorBody {
  std::string code;  //!< e.g. "SignatureDoesNotMatch", "SlowDown"
  std::string message;
};

/// The Code and Message of an S3 <Error> document; nullopt for any other body.
std::optional<S3ErrorBody> ParseS3Error(std::string_view body);

/// The UploadId of an <InitiateMultipartUploadResult>; nullopt when absent or empty.
std::optional<std::string> ParseUploadId(std::string_view body);

struct CompletedPart {
  int number = 0;
  std::string etag;  //!< as the part's PUT returned it, quotes included
};

/// <CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>"…"</ETag></Part>…
std::string CompleteMultipartXml(const std::vector<CompletedPart>& parts);

/// Escapes &, <, > and quotes for XML text.
std::string XmlEscape(std::string_view text);

}  // namespace gw::persistence
