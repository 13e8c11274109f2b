#include "persistence/s3_payload.hpp"

#include <algorithm>
#include <span>
#include <vector>

#include "domain/multibase.hpp"
#include "domain/sha256_openssl.hpp"
#include "persistence/posix_file.hpp"

namespace gw::persistence {

std::string Sha256Hex(std::string_view data) {
  domain::OpenSslSha256 sha;
  return domain::LowerHex(sha.Digest({reinterpret_cast<const std::uint8_t*>(data.data()), data.size()}));
}

std::string Sha256HexOfFileRange(int fd, std::uint64_t offset, std::uint64_t length, const std::string& path) {
  constexpr std::uint64_t kPiece = 1024 * 1024;
  std::vector<std::uint8_t> buffer(static_cast<std::size_t>(std::min(kPiece, length)));
  domain::OpenSslSha256 sha;
  sha.Reset();
  for (std::uint64_t done = 0; done < length;) {
    const auto piece = static_cast<std::size_t>(std::min(kPiece, length - done));
    posix::PreadAll(fd, buffer.data(), piece, offset + done, path);
    sha.Update(std::span<const std::uint8_t>(buffer.data(), piece));
    done += piece;
  }
  return domain::LowerHex(sha.Final());
}

}  // namespace gw::persistence
