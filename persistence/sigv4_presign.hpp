#pragma once
/// @file Presigned S3 GET URLs (SigV4 query authentication), which libcurl cannot make.
///
/// nginx fetches content from the bucket through such a URL (X-Accel-Redirect to an internal
/// location that proxies to it), so the worker never carries the bytes. The URL is byte for
/// byte what botocore's generate_presigned_url makes for a path-style client (checked by
/// tests/s3/presign_test.cpp against Debian's python3-botocore): X-Amz-Algorithm,
/// X-Amz-Credential, X-Amz-Date, X-Amz-Expires, X-Amz-SignedHeaders=host, X-Amz-Signature.

#include <chrono>
#include <string>
#include <string_view>

#include "persistence/s3_config.hpp"

namespace gw::persistence {

/// S3 refuses presigned URLs valid for longer than 7 days.
inline constexpr std::chrono::seconds kMaxPresignExpiry{7 * 24 * 3600};

/// A URL that lets its holder GET `key` from `config.bucket` for `expires` from `now`.
/// Pure: the same inputs give the same URL. Throws std::invalid_argument when `expires` is not
/// within 1 s .. 7 days or the endpoint is malformed.
std::string PresignGetUrl(const S3Config& config, std::string_view key, std::chrono::seconds expires,
                          std::chrono::system_clock::time_point now);

/// "20130524T000000Z": SigV4's timestamp (UTC).
std::string AmzTimestamp(std::chrono::system_clock::time_point time);

}  // namespace gw::persistence
