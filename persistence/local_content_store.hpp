#pragma once
/// @file domain::ContentStore on the local filesystem, served by nginx (X-Accel-Redirect).
///
/// Layout under the root directory, all on one filesystem (renames and links must not cross):
///   files/<xx>/<cid>         the whole file, read by nginx. <cid> is the CID as the upload's
///                            profile gave it (CIDv1 base32 "b...", or CIDv0 "Qm..."); xx = the
///                            last two characters of its CIDv1 base32 spelling (the digest's end:
///                            spreads evenly over 1024 directories for either version)
///   blocks/<xx>/<cid>/<node> every dag-pb block of that root's DAG (interior nodes, and the
///                            leaves too under unixfs-v0-2015), one file each, named by the
///                            node's canonical CIDv1; absent when the root is a raw leaf. Raw
///                            leaves are not stored twice: they are byte ranges of the file
///   tmp/<pid>-<random>.*     staging files and directories, renamed into place on commit
///
/// Blocks are grouped per root, not stored once per node CID: two files can share a node (a
/// file that extends another shares its first subtrees, and a file of N·174 chunks has the
/// root of the shorter one as an interior node), so removing one root's nodes from a shared
/// pool would break the other. The directory is also the node list Remove needs, and it appears
/// and disappears with one rename, so a crash never leaves half of it in place.

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "domain/content.hpp"
#include "domain/unixfs_importer.hpp"
#include "persistence/mime_type.hpp"

namespace gw::persistence {

class LocalContentStore final : public domain::ContentStore {
 public:
  /// Creates the root's files/, blocks/ and tmp/ when missing (throws kInternal on failure).
  /// Uploads are imported with `import_params` (the deployment's CID profile, GW_CID_PROFILE).
  explicit LocalContentStore(std::string root, domain::ImportParams import_params = {},
                             std::string uri_prefix = "/_content/");

  /// Reads the range in 256 KiB pieces (memory stays bounded), hashing, sniffing the MIME type
  /// from the first 64 KiB and copying to tmp/; the whole of a regular file is hard-linked into
  /// tmp/ instead of copied (nginx removes only its own name), falling back to the copy when
  /// the link is refused (another filesystem, protected_hardlinks). The DAG's dag-pb blocks go
  /// to a staging directory as they are made. The content's CID is the profile's own string.
  std::unique_ptr<domain::StagedContent> Stage(const std::string& source_path, std::uint64_t offset,
                                               std::uint64_t length, const domain::StageProgress& progress) override;
  using domain::ContentStore::Stage;
  /// Removes the file, then its blocks; a missing content is not an error.
  void Remove(const std::string& cid) override;
  /// uri_prefix + xx + "/" + cid: nginx maps the prefix to <root>/files/ (internal location).
  std::string InternalUri(const std::string& cid) const override;

  std::string FilePath(const std::string& cid) const;
  std::string BlocksPath(const std::string& cid) const;
  const std::string& Root() const { return root_; }

  /// Removes tmp/ entries left by processes that no longer run (a worker killed mid-upload);
  /// entries of live processes, this one included, are kept. Call at worker start. Returns how
  /// many entries were removed.
  static std::size_t CleanStaleStaging(const std::string& root);

 private:
  std::string root_;
  domain::ImportParams import_params_;
  std::string uri_prefix_;
};

}  // namespace gw::persistence
