#pragma once
/// @file Thin, throwing wrappers over the POSIX file calls the content store needs. Every
/// failure is domain::Error(kInternal) with "<what> <path>: <strerror>" for the log.

#include <sys/types.h>

#include <cstddef>
#include <cstdint>
#include <string>

namespace gw::persistence::posix {

/// Throws Error(kInternal, "<what> <path>: <strerror(error)>").
[[noreturn]] void Fail(const std::string& what, const std::string& path, int error);

/// An owned file descriptor, closed on destruction.
class Fd {
 public:
  Fd() = default;
  explicit Fd(int fd) : fd_(fd) {}
  ~Fd();
  Fd(Fd&& other) noexcept : fd_(other.Release()) {}
  Fd& operator=(Fd&& other) noexcept;
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;

  int Get() const { return fd_; }
  bool Valid() const { return fd_ >= 0; }
  int Release() noexcept;
  /// Closes and reports a failed close (which can be a failed delayed write).
  void Close(const std::string& path);

 private:
  int fd_ = -1;
};

/// open(2) with O_CLOEXEC added.
Fd Open(const std::string& path, int flags, mode_t mode = 0);
void WriteAll(int fd, const std::uint8_t* data, std::size_t size, const std::string& path);
/// Reads exactly `size` bytes at `offset`; a file that ends early is an error.
void PreadAll(int fd, std::uint8_t* data, std::size_t size, std::uint64_t offset, const std::string& path);
void FsyncPath(const std::string& path);
/// Creates a directory (mode 0755) and makes the new entry durable; an existing one is fine.
void MakeDirectory(const std::string& path);
bool Exists(const std::string& path);
/// unlink(2); a missing file is fine. Returns whether something was removed.
bool UnlinkIfExists(const std::string& path);
void Rename(const std::string& from, const std::string& to);
/// Removes a file or a directory tree; a missing one is fine.
void RemoveTree(const std::string& path);
/// "<pid>-<16 random hex digits>": unique temporary names whose owner CleanStaleStaging can tell.
std::string UniqueStem();

}  // namespace gw::persistence::posix
