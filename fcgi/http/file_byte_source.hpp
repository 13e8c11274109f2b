#pragma once
/// @file A domain::ByteSource over a file on disk, read with pread (no whole-file buffer).

#include <cstdint>
#include <string>

#include "domain/multipart.hpp"

namespace gw::web {

class FileByteSource final : public domain::ByteSource {
 public:
  /// Throws Error(kInternal) when the file cannot be opened.
  explicit FileByteSource(const std::string& path);
  ~FileByteSource() override;
  FileByteSource(const FileByteSource&) = delete;
  FileByteSource& operator=(const FileByteSource&) = delete;

  std::uint64_t Size() const override { return size_; }
  std::size_t ReadAt(std::uint64_t offset, std::span<char> out) const override;

 private:
  int fd_ = -1;
  std::uint64_t size_ = 0;
  std::string path_;
};

}  // namespace gw::web
