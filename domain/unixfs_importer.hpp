#pragma once
/// @file Streaming UnixFS file import giving the same DAG and CIDs as `ipfs add --cid-version=1`
/// (fixed-size chunker, balanced layout, raw leaves; see docs ipfs-specs.md §1.1–1.6).
///
/// One pass over the bytes, no whole-file buffer: raw leaves are hashed while their bytes arrive,
/// and the balanced tree is built level by level from pending link lists (at most max_links per
/// level), so memory is one chunk at most plus O(max_links · depth) pending links, plus the
/// result (the encoded interior nodes, about 50 bytes per leaf, and 32 bytes per raw leaf).
/// Without raw leaves (CIDv0 / unixfs-v0-2015) the leaves are dag-pb blocks that wrap the bytes,
/// so they are returned in `nodes` and the result then holds a copy of the whole file.

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "domain/cid.hpp"
#include "domain/sha256.hpp"

namespace gw::domain {

struct ImportParams {
  std::size_t chunk_size = 262144;  //!< 1 .. kMaxChunkSize; Kubo `size-262144`
  std::size_t max_links = 174;      //!< >= 2; boxo DefaultLinksPerBlock
  bool raw_leaves = true;           //!< false: leaves are dag-pb UnixFS File nodes
  int cid_version = 1;              //!< 0 only with raw_leaves = false (CIDv0 cannot be raw)

  /// Kubo's largest chunk: the 2 MiB bitswap block limit minus room for the dag-pb wrapper.
  static constexpr std::size_t kMaxChunkSize = 2 * 1024 * 1024 - 256;
  /// IPIP-0499 profile unixfs-v1-2025: 1 MiB chunks, 1024 links.
  static ImportParams UnixFsV1_2025() { return {1048576, 1024, true, 1}; }
  /// IPIP-0499 profile unixfs-v0-2015: CIDv0, dag-pb leaves, 256 KiB, 174 links.
  static ImportParams UnixFsV0_2015() { return {262144, 174, false, 0}; }
};

/// A block of a raw-leaf file that is just a byte range of the file itself.
struct LeafBlock {
  Cid cid;
  std::uint64_t offset = 0;
  std::uint64_t length = 0;
};

/// An encoded dag-pb block the store must keep (interior nodes; leaves too without raw leaves).
struct DagNode {
  Cid cid;
  std::vector<std::uint8_t> bytes;
};

struct ImportResult {
  Cid root;
  std::uint64_t file_size = 0;
  std::uint64_t dag_size = 0;  //!< Tsize of the root: all block bytes of the DAG
  std::uint64_t chunk_size = 0;
  /// Every dag-pb block, each after all of its children (write in order: a reader that finds a
  /// node finds its children). The root is last unless the root is a raw leaf.
  std::vector<DagNode> nodes;
  /// Digests of the raw leaves in file order (empty without raw leaves). Leaf i is the range
  /// [i·chunk_size, min((i+1)·chunk_size, file_size)); kept as digests because a file of 1 TiB
  /// has 4 million leaves.
  std::vector<Sha256Digest> raw_leaf_digests;

  std::size_t RawLeafCount() const { return raw_leaf_digests.size(); }
  LeafBlock RawLeaf(std::size_t index) const;
};

class UnixFsImporter {
 public:
  /// Throws Error(kValidationFailed) on invalid params. `hasher` must outlive the importer.
  explicit UnixFsImporter(Sha256Hasher& hasher, ImportParams params = {});

  /// Appends file bytes; piece boundaries do not affect the result.
  void Update(std::span<const std::uint8_t> data);
  /// Completes the DAG. Call once; the importer is spent afterwards.
  ImportResult Finish();

 private:
  struct Link {
    Cid cid;
    std::uint64_t tsize;     //!< bytes of the child's whole sub-DAG
    std::uint64_t filesize;  //!< file bytes under the child
  };

  void CloseChunk();
  void Push(std::size_t level, Link link);
  Link EmitParent(const std::vector<Link>& children);
  Link EmitNode(std::vector<std::uint8_t> bytes, std::uint64_t tsize_of_children, std::uint64_t filesize);

  Sha256Hasher& hasher_;
  ImportParams params_;
  ImportResult result_;
  std::size_t chunk_fill_ = 0;
  std::vector<std::uint8_t> chunk_;  //!< only used for dag-pb leaves, whose header needs the length
  std::uint64_t leaf_count_ = 0;
  std::vector<std::vector<Link>> levels_;    //!< pending (not yet parented) links per level
  std::vector<std::uint64_t> level_counts_;  //!< all links ever pushed per level
  bool finished_ = false;
};

/// Convenience: imports a whole buffer.
ImportResult ImportBytes(Sha256Hasher& hasher, std::span<const std::uint8_t> data, ImportParams params = {});

}  // namespace gw::domain
