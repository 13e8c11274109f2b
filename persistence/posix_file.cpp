#include "persistence/posix_file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <random>

#include "domain/error.hpp"

namespace gw::persistence::posix {

void Fail(const std::string& what, const std::string& path, int error) {
  char buffer[256];
  // GNU strerror_r (g++ defines _GNU_SOURCE): thread-safe, returns the message, maybe not in buffer.
  const char* message = ::strerror_r(error, buffer, sizeof buffer);
  throw domain::Error(domain::ErrorCode::kInternal, {}, {}, what + " " + path + ": " + message);
}

Fd::~Fd() {
  if (fd_ >= 0) ::close(fd_);
}

Fd& Fd::operator=(Fd&& other) noexcept {
  if (this != &other) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = other.Release();
  }
  return *this;
}

int Fd::Release() noexcept {
  const int fd = fd_;
  fd_ = -1;
  return fd;
}

void Fd::Close(const std::string& path) {
  // No retry on EINTR: on Linux the descriptor is gone either way.
  if (fd_ >= 0 && ::close(Release()) != 0) Fail("close", path, errno);
}

Fd Open(const std::string& path, int flags, mode_t mode) {
  int fd;
  do {
    fd = ::open(path.c_str(), flags | O_CLOEXEC, mode);
  } while (fd < 0 && errno == EINTR);
  if (fd < 0) Fail("open", path, errno);
  return Fd(fd);
}

void WriteAll(int fd, const std::uint8_t* data, std::size_t size, const std::string& path) {
  while (size > 0) {
    const ssize_t written = ::write(fd, data, size);
    if (written < 0) {
      if (errno == EINTR) continue;
      Fail("write", path, errno);
    }
    data += written;
    size -= static_cast<std::size_t>(written);
  }
}

void PreadAll(int fd, std::uint8_t* data, std::size_t size, std::uint64_t offset, const std::string& path) {
  while (size > 0) {
    const ssize_t got = ::pread(fd, data, size, static_cast<off_t>(offset));
    if (got < 0) {
      if (errno == EINTR) continue;
      Fail("read", path, errno);
    }
    if (got == 0) Fail("read", path, ENODATA);  // shorter than the range we were given
    data += got;
    size -= static_cast<std::size_t>(got);
    offset += static_cast<std::uint64_t>(got);
  }
}

void FsyncPath(const std::string& path) {
  // A read-only descriptor is enough for fsync on Linux, and the only kind a directory allows.
  Fd fd = Open(path, O_RDONLY);
  if (::fsync(fd.Get()) != 0) Fail("fsync", path, errno);
  fd.Close(path);
}

void MakeDirectory(const std::string& path) {
  if (::mkdir(path.c_str(), 0755) == 0) {
    FsyncPath(std::filesystem::path(path).parent_path().string());
  } else if (errno != EEXIST) {
    Fail("mkdir", path, errno);
  }
}

bool Exists(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) == 0) return true;
  if (errno != ENOENT) Fail("stat", path, errno);
  return false;
}

bool UnlinkIfExists(const std::string& path) {
  if (::unlink(path.c_str()) == 0) return true;
  if (errno != ENOENT) Fail("unlink", path, errno);
  return false;
}

void Rename(const std::string& from, const std::string& to) {
  if (::rename(from.c_str(), to.c_str()) != 0) Fail("rename " + from + " to", to, errno);
}

void RemoveTree(const std::string& path) {
  std::error_code error;
  std::filesystem::remove_all(path, error);
  if (error) Fail("remove", path, error.value());
}

std::string UniqueStem() {
  // Names only need to be unique, not secret: the tmp directory is the service's own.
  thread_local std::mt19937_64 random{std::random_device{}()};
  static constexpr char kHex[] = "0123456789abcdef";
  std::string stem = std::to_string(::getpid()) + "-";
  auto bits = random();
  for (int i = 0; i < 16; ++i, bits >>= 4) stem.push_back(kHex[bits & 0xf]);
  return stem;
}

}  // namespace gw::persistence::posix
