#pragma once
/// @file Helpers of the content tests: byte strings, files and the CIDs the importer gives them.
/// Header-only, so the integration test target needs no new source besides the *_pgtest.cpp.

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <random>
#include <span>
#include <stdexcept>
#include <string>

#include "domain/content.hpp"
#include "domain/multibase.hpp"
#include "domain/sha256_openssl.hpp"
#include "domain/unixfs_importer.hpp"

namespace gw::persistence::testing {

/// `size` pseudo-random bytes, the same for the same seed.
inline std::string Bytes(std::size_t size, std::uint32_t seed) {
  std::mt19937 random(seed);
  std::string bytes(size, '\0');
  for (auto& byte : bytes) byte = static_cast<char>(random() & 0xff);
  return bytes;
}

inline void WriteFile(const std::string& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  if (!out) throw std::runtime_error("cannot write " + path);
}

inline std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read " + path);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

inline std::string Sha256Hex(const std::string& bytes) {
  domain::OpenSslSha256 hasher;
  hasher.Update(std::span(reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size()));
  const auto digest = hasher.Final();
  return domain::LowerHex(digest);
}

/// What the store must report for `bytes`, computed in memory with domain::ImportBytes (the
/// MIME type is left empty).
inline domain::ImportedContent Imported(const std::string& bytes, domain::ImportParams params = {}) {
  domain::OpenSslSha256 hasher;
  const auto result =
      domain::ImportBytes(hasher, std::span(reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size()), params);
  domain::ImportedContent content;
  content.cid = result.root.ToString();
  content.size = static_cast<std::int64_t>(result.file_size);
  content.dag_size = static_cast<std::int64_t>(result.dag_size);
  return content;
}

/// Regular files anywhere under `dir`.
inline std::size_t CountFiles(const std::string& dir) {
  std::size_t count = 0;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(dir)) {
    if (entry.is_regular_file()) ++count;
  }
  return count;
}

}  // namespace gw::persistence::testing
