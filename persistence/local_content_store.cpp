#include "persistence/local_content_store.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <filesystem>
#include <span>
#include <string_view>
#include <vector>

#include "domain/cid.hpp"
#include "domain/error.hpp"
#include "domain/sha256_openssl.hpp"
#include "domain/unixfs_importer.hpp"
#include "persistence/mime_type.hpp"
#include "persistence/posix_file.hpp"

namespace gw::persistence {
namespace {

using domain::Error;
using domain::ErrorCode;

constexpr std::size_t kReadPiece = std::size_t{256} * 1024;
constexpr std::size_t kSniffBytes = std::size_t{64} * 1024;

// Paths are built from CIDs the database or the importer produced, but a CID is still checked
// to be a plain name before it becomes one: no separators, no dot names.
const std::string& CheckedCid(const std::string& cid) {
  const bool plain = cid.size() >= 2 && std::all_of(cid.begin(), cid.end(), [](unsigned char c) {
                       return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
                     });
  if (!plain) throw Error(ErrorCode::kInternal, {}, {}, "content store: not a CID: " + cid.substr(0, 100));
  return cid;
}

// The last two characters of the CID's canonical CIDv1 (base32) string: the end of the digest,
// so contents spread evenly over 1024 shards whatever the CID's version. A CIDv0 "Qm..." gets the
// shard of its CIDv1 spelling (its own first characters are the same for every CID).
std::string Shard(const std::string& cid) {
  std::string canonical;
  try {
    canonical = domain::Cid::Parse(CheckedCid(cid)).ToCanonicalV1String();
  } catch (const Error&) {
    throw Error(ErrorCode::kInternal, {}, {}, "content store: not a CID: " + cid.substr(0, 100));
  }
  return canonical.substr(canonical.size() - 2);
}

std::string FileIn(const std::string& root, const std::string& cid) {
  return root + "/files/" + Shard(cid) + "/" + cid;
}

std::string BlocksIn(const std::string& root, const std::string& cid) {
  return root + "/blocks/" + Shard(cid) + "/" + cid;
}

std::string TmpPath(const std::string& root, const char* suffix) {
  return root + "/tmp/" + posix::UniqueStem() + suffix;
}

// The dag-pb blocks of one import, written to tmp/<stem>.blocks/ the moment the importer makes
// them: a unixfs-v0-2015 file's leaves are as large as the file, so they never wait in memory.
// Each file is named by its node's canonical CIDv1; writeback starts at once, Commit fsyncs.
class StagedBlocks {
 public:
  explicit StagedBlocks(std::string dir) : dir_(std::move(dir)) {}
  ~StagedBlocks() { Discard(); }
  StagedBlocks(const StagedBlocks&) = delete;
  StagedBlocks& operator=(const StagedBlocks&) = delete;

  void Write(const domain::Cid& cid, std::span<const std::uint8_t> bytes) {
    if (!created_) {
      if (::mkdir(dir_.c_str(), 0755) != 0) posix::Fail("mkdir", dir_, errno);
      created_ = true;
    }
    const auto path = dir_ + "/" + CheckedCid(cid.ToCanonicalV1String());
    // A DAG repeats identical subtrees (runs of equal chunks): same CID, same bytes, one file.
    if (posix::Exists(path)) return;
    posix::Fd fd = posix::Open(path, O_WRONLY | O_CREAT | O_EXCL, 0644);
    posix::WriteAll(fd.Get(), bytes.data(), bytes.size(), path);
    (void)::sync_file_range(fd.Get(), 0, 0, SYNC_FILE_RANGE_WRITE);  // advisory: Commit fsyncs
    fd.Close(path);
    written_.push_back(path);
  }

  bool Empty() const { return !created_; }

  // Makes every block durable, then moves the directory to `target` in one rename, so a crash
  // never leaves half of it in place. An existing target is a complete copy (it came by rename).
  void MoveTo(const std::string& shard, const std::string& target) {
    for (const auto& path : written_) posix::FsyncPath(path);
    posix::FsyncPath(dir_);
    posix::MakeDirectory(shard);
    if (::rename(dir_.c_str(), target.c_str()) == 0) {
      posix::FsyncPath(shard);
      created_ = false;
    } else if (errno != EEXIST && errno != ENOTEMPTY) {
      posix::Fail("rename " + dir_ + " to", target, errno);
    }
    Discard();
  }

  void Discard() noexcept {
    if (!created_) return;
    std::error_code ignored;
    std::filesystem::remove_all(dir_, ignored);
    created_ = false;
  }

 private:
  std::string dir_;
  bool created_ = false;
  std::vector<std::string> written_;  //!< names only: about 100 bytes per block
};

class LocalStagedContent final : public domain::StagedContent {
 public:
  LocalStagedContent(std::string root, std::string staging_path)
      : root_(std::move(root)), staging_path_(std::move(staging_path)), blocks_(TmpPath(root_, ".blocks")) {}
  ~LocalStagedContent() override {
    if (!staging_path_.empty()) ::unlink(staging_path_.c_str());
  }
  LocalStagedContent(const LocalStagedContent&) = delete;
  LocalStagedContent& operator=(const LocalStagedContent&) = delete;

  StagedBlocks& Blocks() { return blocks_; }
  void SetContent(domain::ImportedContent content) { content_ = std::move(content); }

  const domain::ImportedContent& Content() const override { return content_; }

  void Commit() override {
    if (committed_) return;
    const auto target = FileIn(root_, content_.cid);
    if (posix::Exists(target)) {
      // Already stored (same CID, same bytes): its blocks went in before it, see below.
      posix::UnlinkIfExists(staging_path_);
      blocks_.Discard();
    } else {
      posix::FsyncPath(staging_path_);
      // Blocks before the file: a file that exists always has its blocks, so the check above
      // may skip both.
      if (!blocks_.Empty()) {
        blocks_.MoveTo(root_ + "/blocks/" + Shard(content_.cid), BlocksIn(root_, content_.cid));
      }
      const auto shard = root_ + "/files/" + Shard(content_.cid);
      posix::MakeDirectory(shard);
      posix::Rename(staging_path_, target);
      posix::FsyncPath(shard);
    }
    staging_path_.clear();
    committed_ = true;
  }

 private:
  std::string root_;
  std::string staging_path_;  //!< empty once renamed or removed
  StagedBlocks blocks_;
  domain::ImportedContent content_;
  bool committed_ = false;
};

}  // namespace

LocalContentStore::LocalContentStore(std::string root, domain::ImportParams import_params, std::string uri_prefix)
    : root_(std::move(root)), import_params_(import_params), uri_prefix_(std::move(uri_prefix)) {
  for (const char* sub : {"/files", "/blocks", "/tmp"}) {
    std::error_code error;
    std::filesystem::create_directories(root_ + sub, error);
    if (error) posix::Fail("create directory", root_ + sub, error.value());
  }
}

std::unique_ptr<domain::StagedContent> LocalContentStore::Stage(const std::string& source_path, std::uint64_t offset,
                                                                std::uint64_t length,
                                                                const domain::StageProgress& progress) {
  posix::Fd source = posix::Open(source_path, O_RDONLY);
  struct stat st {};
  if (::fstat(source.Get(), &st) != 0) posix::Fail("fstat", source_path, errno);
  const bool regular = S_ISREG(st.st_mode);
  const auto file_size = static_cast<std::uint64_t>(st.st_size);
  if (regular && (offset > file_size || length > file_size - offset)) {
    posix::Fail("range beyond the end of", source_path, EINVAL);
  }

  // From here on the staged object owns the staging name and removes it unless committed.
  const auto staging_path = TmpPath(root_, ".part");
  auto staged = std::make_unique<LocalStagedContent>(root_, staging_path);
  posix::Fd copy;
  const bool whole_file = regular && offset == 0 && length == file_size;
  if (!whole_file || ::link(source_path.c_str(), staging_path.c_str()) != 0) {
    if (whole_file && errno != EXDEV && errno != EPERM && errno != EMLINK) {
      posix::Fail("link " + source_path + " to", staging_path, errno);
    }
    copy = posix::Open(staging_path, O_WRONLY | O_CREAT | O_EXCL, 0644);
  } else {
    // The linked body is still dirty in the page cache (nginx just wrote it). Start its
    // writeback now, so the disk works while we hash and the fsync in Commit finds it done.
    // Advisory only: Commit's fsync is the durability barrier, so a failure here is ignored.
    (void)::sync_file_range(source.Get(), 0, 0, SYNC_FILE_RANGE_WRITE);
  }

  domain::OpenSslSha256 hasher;
  auto& blocks = staged->Blocks();
  domain::UnixFsImporter importer(
      hasher, import_params_,
      [&blocks](const domain::Cid& cid, std::span<const std::uint8_t> bytes) { blocks.Write(cid, bytes); });
  std::vector<std::uint8_t> buffer(static_cast<std::size_t>(std::min<std::uint64_t>(kReadPiece, length)));
  std::vector<std::uint8_t> head;
  for (std::uint64_t done = 0; done < length;) {
    const auto piece = static_cast<std::size_t>(std::min<std::uint64_t>(kReadPiece, length - done));
    posix::PreadAll(source.Get(), buffer.data(), piece, offset + done, source_path);
    const std::span<const std::uint8_t> bytes(buffer.data(), piece);
    importer.Update(bytes);
    if (copy.Valid()) {
      posix::WriteAll(copy.Get(), bytes.data(), bytes.size(), staging_path);
      // Same overlap as above for the copy: start writing this piece back while we hash the next.
      (void)::sync_file_range(copy.Get(), static_cast<off_t>(done), static_cast<off_t>(piece), SYNC_FILE_RANGE_WRITE);
    }
    if (head.size() < kSniffBytes) {
      const auto take = std::min(kSniffBytes - head.size(), bytes.size());
      head.insert(head.end(), bytes.begin(), bytes.begin() + static_cast<std::ptrdiff_t>(take));
    }
    done += piece;
    if (progress) progress(done);
  }
  if (copy.Valid()) copy.Close(staging_path);

  const auto result = importer.Finish();
  domain::ImportedContent content;
  content.cid = result.root.ToString();  // the profile's own form: CIDv1 base32, or CIDv0 "Qm..."
  content.size = static_cast<std::int64_t>(result.file_size);
  content.dag_size = static_cast<std::int64_t>(result.dag_size);
  content.mime_type = DetectMimeType(head);
  staged->SetContent(std::move(content));
  return staged;
}

void LocalContentStore::Remove(const std::string& cid) {
  const auto file = FilePath(cid);
  if (posix::UnlinkIfExists(file)) posix::FsyncPath(root_ + "/files/" + Shard(cid));
  // Out of sight in one rename, then deleted: an interrupted removal leaves a tmp/ entry for
  // CleanStaleStaging, never a partial blocks directory that a later Commit would trust.
  const auto blocks = BlocksPath(cid);
  const auto doomed = TmpPath(root_, ".removed");
  if (::rename(blocks.c_str(), doomed.c_str()) != 0) {
    if (errno == ENOENT) return;
    posix::Fail("rename " + blocks + " to", doomed, errno);
  }
  posix::FsyncPath(root_ + "/blocks/" + Shard(cid));
  posix::RemoveTree(doomed);
}

std::string LocalContentStore::InternalUri(const std::string& cid) const {
  return uri_prefix_ + Shard(cid) + "/" + cid;
}

std::string LocalContentStore::FilePath(const std::string& cid) const { return FileIn(root_, cid); }

std::string LocalContentStore::BlocksPath(const std::string& cid) const { return BlocksIn(root_, cid); }

std::size_t LocalContentStore::CleanStaleStaging(const std::string& root) {
  const auto tmp = root + "/tmp";
  std::error_code error;
  std::filesystem::directory_iterator entries(tmp, error);
  if (error) {
    if (error == std::errc::no_such_file_or_directory) return 0;
    posix::Fail("list", tmp, error.value());
  }
  std::size_t removed = 0;
  for (const auto& entry : entries) {
    const auto name = entry.path().filename().string();
    const auto dash = name.find('-');
    const auto digits = std::string_view(name).substr(0, dash);
    if (dash == 0 || dash > 9 ||
        !std::all_of(digits.begin(), digits.end(), [](char c) { return c >= '0' && c <= '9'; })) {
      continue;  // not a name this store makes (dash > 9 also catches npos)
    }
    const auto pid = static_cast<pid_t>(std::stol(name.substr(0, dash)));
    // ESRCH only: EPERM means a live process of another user, whose entries are not ours to take.
    if (pid == ::getpid() || ::kill(pid, 0) == 0 || errno != ESRCH) continue;
    posix::RemoveTree(entry.path().string());
    ++removed;
  }
  return removed;
}

}  // namespace gw::persistence
