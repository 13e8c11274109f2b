#include "persistence/filebase_content_store.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <array>
#include <vector>

#include "domain/cid.hpp"
#include "domain/error.hpp"
#include "domain/sha256_openssl.hpp"
#include "domain/unixfs_importer.hpp"
#include "persistence/mime_type.hpp"
#include "persistence/posix_file.hpp"
#include "persistence/sigv4_presign.hpp"

namespace gw::persistence {
namespace {

using domain::Error;
using domain::ErrorCode;

constexpr std::size_t kPiece = 256 * 1024;
constexpr std::size_t kMimeHead = 64 * 1024;

// The probe's bytes: 262145 bytes of i % 251, which get a different CID under every profile
// (one byte past a 256 KiB chunk: two leaves under the 256 KiB profiles, raw or dag-pb, one
// under unixfs-v1-2025; ipfs-specs.md §1.12 lists the three).
std::vector<std::uint8_t> ProbeBytes() {
  std::vector<std::uint8_t> bytes(262145);
  for (std::size_t i = 0; i < bytes.size(); ++i) bytes[i] = static_cast<std::uint8_t>(i % 251);
  return bytes;
}

std::string CidOf(std::span<const std::uint8_t> bytes, domain::CidProfile profile) {
  domain::OpenSslSha256 hasher;
  return domain::ImportBytes(hasher, bytes, domain::ImportParamsOf(profile)).root.ToString();
}

bool SameCid(const std::string& a, const std::string& b) {
  try {
    return domain::Cid::Parse(a) == domain::Cid::Parse(b);
  } catch (const Error&) {
    return false;
  }
}

// Reads [offset, offset + length) once: the CID under `profile` and the MIME type.
domain::ImportedContent Import(const std::string& path, std::uint64_t offset, std::uint64_t length,
                               domain::CidProfile profile, const domain::StageProgress& progress) {
  posix::Fd fd = posix::Open(path, O_RDONLY, 0);
  domain::OpenSslSha256 hasher;
  domain::UnixFsImporter importer(hasher, domain::ImportParamsOf(profile));
  std::vector<std::uint8_t> buffer(kPiece);
  std::string mime = kEmptyContentMimeType;
  for (std::uint64_t done = 0; done < length;) {
    const std::size_t want = static_cast<std::size_t>(std::min<std::uint64_t>(kPiece, length - done));
    const ssize_t got = ::pread(fd.Get(), buffer.data(), want, static_cast<off_t>(offset + done));
    if (got < 0) posix::Fail("read", path, errno);
    if (got == 0) throw Error(ErrorCode::kInternal, {}, {}, "content store: " + path + " is shorter than its range");
    const std::span<const std::uint8_t> piece(buffer.data(), static_cast<std::size_t>(got));
    if (done == 0) mime = DetectMimeType(piece.first(std::min(piece.size(), kMimeHead)));
    importer.Update(piece);
    done += static_cast<std::uint64_t>(got);
    if (progress) progress(done);
  }
  const auto result = importer.Finish();
  return {result.root.ToString(), static_cast<std::int64_t>(result.file_size),
          static_cast<std::int64_t>(result.dag_size), mime};
}

class FilebaseStagedContent final : public domain::StagedContent {
 public:
  FilebaseStagedContent(FilebaseContentStore& store, domain::ImportedContent content, FileRange source)
      : store_(store), content_(std::move(content)), source_(std::move(source)) {}
  const domain::ImportedContent& Content() const override { return content_; }
  void Commit() override {
    if (committed_) return;
    store_.Store(content_, source_);
    committed_ = true;
  }

 private:
  FilebaseContentStore& store_;
  domain::ImportedContent content_;
  FileRange source_;  // nginx's body file or the spool file: still there until the request or job ends
  bool committed_ = false;
};

}  // namespace

FilebaseProfileProbe::FilebaseProfileProbe(S3Client& s3, std::string scratch_dir,
                                           std::optional<domain::CidProfile> configured)
    : s3_(s3), scratch_dir_(std::move(scratch_dir)), configured_(configured) {}

domain::CidProfile FilebaseProfileProbe::Detect() {
  const auto bytes = ProbeBytes();
  const std::string path = scratch_dir_ + "/cid-probe-" + std::to_string(::getpid()) + ".bin";
  {
    posix::Fd fd = posix::Open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    posix::WriteAll(fd.Get(), bytes.data(), bytes.size(), path);
    fd.Close(path);
  }
  PutObjectResult put;
  try {
    put = s3_.PutObject(kKey, {path, 0, bytes.size()});
  } catch (...) {
    ::unlink(path.c_str());
    throw;
  }
  ::unlink(path.c_str());
  std::optional<std::string> reported = put.cid;
  if (!reported) {
    if (const auto head = s3_.HeadObject(kKey)) reported = head->cid;
  }
  if (!reported || reported->empty()) {
    throw Error(ErrorCode::kStorageCidMismatch, {}, {},
                "Filebase reported no CID (x-amz-meta-cid) for the probe object: is the bucket an IPFS bucket?");
  }
  for (const auto profile : domain::kCidProfiles) {
    if (!SameCid(*reported, CidOf(bytes, profile))) continue;
    if (configured_ && *configured_ != profile) break;
    return profile;
  }
  const std::string expected = configured_ ? "GW_CID_PROFILE=" + std::string(domain::CidProfileName(*configured_)) +
                                                 " gives " + CidOf(bytes, *configured_)
                                           : "none of " + domain::CidProfileNames() + " gives it";
  throw Error(ErrorCode::kStorageCidMismatch, {}, {},
              "Filebase reported CID " + *reported + " for the probe object; " + expected);
}

FilebaseContentStore::FilebaseContentStore(S3Client& s3, PinningClient& pinning, FilebaseProfileProbe& probe,
                                           std::optional<domain::CidProfile> profile, FilebaseStoreOptions options)
    : s3_(s3), pinning_(pinning), probe_(probe), options_(std::move(options)), profile_(profile) {}

domain::CidProfile FilebaseContentStore::Profile() {
  {
    std::lock_guard lock(profile_mutex_);
    if (profile_) return *profile_;
    const auto now = std::chrono::steady_clock::now();
    // One thread probes; the others answer at once instead of queueing behind a slow Filebase.
    if (probing_ ||
        (last_probe_ != std::chrono::steady_clock::time_point{} && now - last_probe_ < options_.probe_interval)) {
      throw Error(ErrorCode::kStorageUnavailable, "The storage backend has not been reached yet", {},
                  "Filebase CID profile unknown: a probe is running or failed less than a probe interval ago");
    }
    probing_ = true;
    last_probe_ = now;
  }
  try {
    const auto detected = probe_.Detect();  // throws while Filebase cannot be reached, or on a mismatch
    std::lock_guard lock(profile_mutex_);
    probing_ = false;
    profile_ = detected;
    return detected;
  } catch (...) {
    std::lock_guard lock(profile_mutex_);
    probing_ = false;
    throw;
  }
}

std::unique_ptr<domain::StagedContent> FilebaseContentStore::Stage(const std::string& source_path, std::uint64_t offset,
                                                                   std::uint64_t length,
                                                                   const domain::StageProgress& progress) {
  const auto profile = Profile();
  auto content = Import(source_path, offset, length, profile, progress);
  return std::make_unique<FilebaseStagedContent>(*this, std::move(content), FileRange{source_path, offset, length});
}

void FilebaseContentStore::Store(const domain::ImportedContent& content, const FileRange& source) {
  // The key is the CID: the same bytes are one object, so an object that is there (with the
  // CID we expect) is not sent again.
  if (const auto head = s3_.HeadObject(content.cid); head && head->cid && SameCid(*head->cid, content.cid)) return;
  PutObjectOptions options;
  options.content_type = content.mime_type;
  const auto put = s3_.PutObject(content.cid, source, options);
  std::optional<std::string> reported = put.cid;
  if (!reported) {
    if (const auto head = s3_.HeadObject(content.cid)) reported = head->cid;
  }
  if (reported && SameCid(*reported, content.cid)) return;
  // Not the CID the IPFS network would serve for these bytes: never hand it to a user.
  try {
    s3_.DeleteObject(content.cid);
  } catch (const Error&) {  // the upload fails either way; gc removes what is left
  }
  throw Error(ErrorCode::kStorageCidMismatch, {}, {{"cid", content.cid}},
              "Filebase reported " + reported.value_or("no CID") + " for an object whose CID is " + content.cid);
}

void FilebaseContentStore::Remove(const std::string& cid) {
  pinning_.Unpin(cid);
  s3_.DeleteObject(cid);
}

std::string FilebaseContentStore::InternalUri(const std::string& cid) const {
  const std::string url = PresignGetUrl(s3_.Config(), cid, options_.presign_expiry, std::chrono::system_clock::now());
  return options_.internal_prefix + cid + url.substr(url.find('?'));
}

void FilebaseContentStore::ApplyPin(const std::string& cid, bool pinned) {
  if (pinned) {
    pinning_.Pin(cid, cid);
  } else {
    pinning_.Unpin(cid);
  }
}

}  // namespace gw::persistence
