#pragma once
/// @file Where an S3-compatible bucket is and how to reach it (Filebase: endpoint
/// https://s3.filebase.com, region us-east-1), and how the client behaves.

#include <chrono>
#include <cstdint>
#include <string>

namespace gw::persistence {

struct S3Config {
  std::string endpoint;  //!< scheme://host[:port], no path, e.g. "https://s3.filebase.com"
  std::string region = "us-east-1";
  std::string bucket;
  std::string access_key;
  std::string secret_key;
};

inline constexpr std::uint64_t kMiB = 1024 * 1024;
/// S3's smallest part (every part but the last).
inline constexpr std::uint64_t kMinPartSize = 5 * kMiB;

struct S3ClientOptions {
  std::chrono::milliseconds connect_timeout{5000};
  /// Per HTTP request, a part upload included: 16 MiB at 100 KiB/s still fits.
  std::chrono::milliseconds total_timeout{300000};
  /// Objects larger than this go up as multipart uploads.
  std::uint64_t multipart_threshold = 64 * kMiB;
  /// At least kMinPartSize; grows when an object would need more than S3's 10,000 parts.
  std::uint64_t part_size = 16 * kMiB;
};

}  // namespace gw::persistence
