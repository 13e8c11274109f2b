#include "persistence/local_upload_spool.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#ifdef GW_TEST_HOOKS
#include <signal.h>

#include <cstdlib>
#endif
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <filesystem>
#include <vector>

#include "domain/error.hpp"
#include "persistence/posix_file.hpp"

namespace gw::persistence {
namespace {

constexpr std::size_t kCopyPiece = std::size_t{256} * 1024;
constexpr const char* kSuffix = ".body";

bool IsSpoolName(const std::string& name) {
  return !name.empty() && name.find('/') == std::string::npos && name[0] != '.' && name.ends_with(kSuffix);
}

void CopyFile(const std::string& from, const std::string& to) {
  posix::Fd source = posix::Open(from, O_RDONLY);
  posix::Fd target = posix::Open(to, O_WRONLY | O_CREAT | O_EXCL, 0640);
  std::vector<std::uint8_t> buffer(kCopyPiece);
  while (true) {
    const ssize_t got = ::read(source.Get(), buffer.data(), buffer.size());
    if (got < 0 && errno == EINTR) continue;
    if (got < 0) posix::Fail("read", from, errno);
    if (got == 0) break;
    posix::WriteAll(target.Get(), buffer.data(), static_cast<std::size_t>(got), to);
  }
  if (::fdatasync(target.Get()) != 0) posix::Fail("fdatasync", to, errno);
  target.Close(to);
}

#ifdef GW_TEST_HOOKS
// TEST BUILDS ONLY (cmake -DGW_TEST_HOOKS=ON, which only ./gw test passes; see CMakeLists.txt):
// when $GW_TEST_HOOKS_DIR/stop-after-spool exists, the first worker to get here removes it and
// stops itself (SIGSTOP) with the body kept in spool/ but nothing committed, so that
// tests/e2e/upload_crash_test.cpp can kill it at that point whatever the disk's speed. One-shot:
// unlink succeeds for one worker only. Not compiled into any other build.
void StopIfATestAsks() {
  const char* dir = std::getenv("GW_TEST_HOOKS_DIR");
  if (dir == nullptr || *dir == '\0') return;
  const std::string marker = std::string(dir) + "/stop-after-spool";
  if (::unlink(marker.c_str()) == 0) ::raise(SIGSTOP);
}
#endif

}  // namespace

LocalUploadSpool::LocalUploadSpool(std::string directory) : directory_(std::move(directory)) {
  posix::MakeDirectory(directory_);
}

std::string LocalUploadSpool::Keep(const std::string& source_path) {
  const std::string name = posix::UniqueStem() + kSuffix;
  const std::string path = directory_ + "/" + name;
  if (::link(source_path.c_str(), path.c_str()) == 0) {
    // nginx did not sync the body it wrote; the link makes a name durable, not the bytes.
    posix::FsyncPath(path);
  } else if (errno == EXDEV || errno == EPERM || errno == EMLINK) {
    try {
      CopyFile(source_path, path);
    } catch (...) {
      posix::UnlinkIfExists(path);
      throw;
    }
  } else {
    posix::Fail("link " + source_path + " to", path, errno);
  }
  posix::FsyncPath(directory_);
#ifdef GW_TEST_HOOKS
  StopIfATestAsks();
#endif
  return name;
}

std::string LocalUploadSpool::PathOf(const std::string& name) const {
  const std::string path = directory_ + "/" + name;
  if (!IsSpoolName(name) || !posix::Exists(path)) {
    throw domain::Error(domain::ErrorCode::kNotFound, "The uploaded bytes are no longer in the spool", {},
                        "spool file missing: " + path);
  }
  return path;
}

void LocalUploadSpool::Discard(const std::string& name) {
  if (!IsSpoolName(name)) return;
  if (posix::UnlinkIfExists(directory_ + "/" + name)) posix::FsyncPath(directory_);
}

std::size_t LocalUploadSpool::Sweep(const std::string& directory, std::chrono::seconds min_age,
                                    const std::function<bool(const std::string&)>& still_needed) {
  // ctime, not mtime: link(2) sets it, so it tells when Keep ran, however long ago nginx
  // finished writing the body.
  const auto cutoff = ::time(nullptr) - min_age.count();
  std::size_t removed = 0;
  std::error_code error;
  for (const auto& entry : std::filesystem::directory_iterator(directory, error)) {
    const auto name = entry.path().filename().string();
    struct stat st {};
    if (!IsSpoolName(name) || ::stat(entry.path().c_str(), &st) != 0 || st.st_ctime > cutoff) continue;
    if (still_needed(name)) continue;
    if (posix::UnlinkIfExists(entry.path().string())) ++removed;
  }
  return removed;
}

}  // namespace gw::persistence
