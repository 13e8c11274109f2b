#pragma once
/// @file Streaming UnixFS file import giving the same DAG and CIDs as Kubo and ipfs-unixfs-importer:
/// fixed-size chunker, balanced layout, raw or dag-pb leaves, CIDv1 or v0 (ipfs-specs.md §1.1–1.6);
/// the defaults are `ipfs add --cid-version=1`, and domain/cid_profile.hpp names the presets.
///
/// One pass over the bytes, no whole-file buffer: raw leaves are hashed while their bytes arrive,
/// and the balanced tree is built level by level from pending link lists (at most max_links per
/// level), so memory is one chunk at most plus O(max_links · depth) pending links, plus the
/// result (the encoded interior nodes, about 50 bytes per leaf, and 32 bytes per raw leaf).
///
/// Without raw leaves (CIDv0 / unixfs-v0-2015) every leaf is a dag-pb block wrapping a chunk:
/// together they are a copy of the file. They are never kept: a caller that needs the blocks
/// (a store writing the DAG) passes a BlockSink and gets each one the moment it is made.

#include <cstddef>
#include <cstdint>
#include <functional>
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

/// An encoded interior dag-pb node (a parent of leaves or of other interior nodes).
struct DagNode {
  Cid cid;
  std::vector<std::uint8_t> bytes;
};

struct ImportResult {
  Cid root;
  std::uint64_t file_size = 0;
  std::uint64_t dag_size = 0;  //!< Tsize of the root: all block bytes of the DAG
  std::uint64_t chunk_size = 0;
  /// The interior dag-pb nodes, each after all of its children (write in order: a reader that
  /// finds a node finds its children); the root is last when it is one. Empty when the importer
  /// had a BlockSink (the sink got them) and for one-chunk files. Never holds leaves.
  std::vector<DagNode> nodes;
  /// Digests of the raw leaves in file order (empty without raw leaves). Leaf i is the range
  /// [i·chunk_size, min((i+1)·chunk_size, file_size)); kept as digests because a file of 1 TiB
  /// has 4 million leaves.
  std::vector<Sha256Digest> raw_leaf_digests;

  std::size_t RawLeafCount() const { return raw_leaf_digests.size(); }
  LeafBlock RawLeaf(std::size_t index) const;
};

/// Receives a dag-pb block the moment it is encoded: dag-pb leaves (without raw leaves) and
/// interior nodes, each after all of its children, the root last unless it is a raw leaf. Equal
/// subtrees (runs of equal chunks) arrive once per occurrence. `bytes` is valid during the call only.
using BlockSink = std::function<void(const Cid& cid, std::span<const std::uint8_t> bytes)>;

class UnixFsImporter {
 public:
  /// Throws Error(kValidationFailed) on invalid params. `hasher` must outlive the importer. With
  /// a `sink`, every dag-pb block goes to it and ImportResult.nodes stays empty; without one,
  /// interior nodes are collected in ImportResult.nodes and dag-pb leaves are dropped once hashed.
  explicit UnixFsImporter(Sha256Hasher& hasher, ImportParams params = {}, BlockSink sink = {});

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
  Link CloseDagPbLeaf(std::uint64_t length);
  void Push(std::size_t level, Link link);
  Link EmitParent(const std::vector<Link>& children);

  Sha256Hasher& hasher_;
  ImportParams params_;
  BlockSink sink_;
  ImportResult result_;
  std::size_t chunk_fill_ = 0;
  /// Only for dag-pb leaves, whose header needs the chunk's length: the chunk is gathered after
  /// kLeafHeadroom bytes, so the header can be written in front of it and the block is one span.
  std::vector<std::uint8_t> leaf_;
  std::uint64_t leaf_count_ = 0;
  std::vector<std::vector<Link>> levels_;    //!< pending (not yet parented) links per level
  std::vector<std::uint64_t> level_counts_;  //!< all links ever pushed per level
  bool finished_ = false;
};

/// Convenience: imports a whole buffer.
ImportResult ImportBytes(Sha256Hasher& hasher, std::span<const std::uint8_t> data, ImportParams params = {});

}  // namespace gw::domain
