#pragma once
/// @file URLs for S3 requests, path-style (<endpoint>/<bucket>/<key>), in SigV4's canonical form.
///
/// libcurl 7.88 (Debian 12) signs a request's query string exactly as it appears in the URL,
/// where SigV4 wants it canonical: parameters sorted, every key followed by '=' (even
/// "uploads"), every byte outside A-Z a-z 0-9 - _ . ~ percent-encoded with upper-case hex. A
/// URL that is not already canonical gets a signature the server rejects with
/// SignatureDoesNotMatch (e.g. "?uploads", "?uploadId=X&partNumber=1", "%2b"). So every URL the
/// S3 client sends comes from ObjectUrl, whose query is already canonical: what curl signs
/// is then what S3 computes. ("uploads=" means the same to S3 as "uploads".)

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "persistence/s3_config.hpp"

namespace gw::persistence {

using QueryParams = std::vector<std::pair<std::string, std::string>>;

/// SigV4's URI encoding: unreserved bytes kept, everything else %XX (upper-case hex); '/' is
/// kept only when `keep_slash` (object key paths).
std::string SigV4Encode(std::string_view text, bool keep_slash);

/// "a=1&b=&c=x%2Fy": encoded, sorted by key then value, '=' always present. Empty for none.
std::string CanonicalQuery(QueryParams params);

/// "/<bucket>/<encoded key>": the path of the object (also its canonical URI: S3 does not
/// encode it a second time).
std::string ObjectPath(const S3Config& config, std::string_view key);

/// <endpoint><ObjectPath>[?<CanonicalQuery>].
std::string ObjectUrl(const S3Config& config, std::string_view key, QueryParams params = {});

/// The Host header value for `endpoint`: host[:port], without a default port (80 for http,
/// 443 for https), as HTTP clients send it. Throws std::invalid_argument for an endpoint that is
/// not scheme://authority.
std::string HostOf(std::string_view endpoint);

}  // namespace gw::persistence
