#pragma once
/// @file SHA-256 of S3 payloads, for x-amz-content-sha256 (and the presigner's canonical
/// request). Lower-case hex, as SigV4 wants.

#include <cstdint>
#include <string>
#include <string_view>

namespace gw::persistence {

/// SHA-256 of no bytes: the payload hash of HEAD, DELETE and other bodiless requests.
inline constexpr std::string_view kEmptyPayloadSha256 =
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

std::string Sha256Hex(std::string_view data);

/// SHA-256 of bytes [offset, offset + length) of the open file `fd`, read in 1 MiB pieces.
/// Throws Error(kInternal) naming `path` when the file cannot be read or ends early.
std::string Sha256HexOfFileRange(int fd, std::uint64_t offset, std::uint64_t length, const std::string& path);

}  // namespace gw::persistence
