#include "domain/unixfs_importer.hpp"

#include <algorithm>
#include <utility>

#include "domain/error.hpp"
#include "domain/varint.hpp"

namespace gw::domain {
namespace {

// Protobuf tag bytes (field << 3 | wire type) of PBNode/PBLink and the UnixFS Data message.
constexpr std::uint8_t kPbNodeData = 0x0a;   // PBNode.Data, bytes
constexpr std::uint8_t kPbNodeLinks = 0x12;  // PBNode.Links, message
constexpr std::uint8_t kPbLinkHash = 0x0a;   // PBLink.Hash, bytes
constexpr std::uint8_t kPbLinkName = 0x12;   // PBLink.Name, string
constexpr std::uint8_t kPbLinkTsize = 0x18;  // PBLink.Tsize, varint
constexpr std::uint8_t kFsType = 0x08;       // Data.Type, varint
constexpr std::uint8_t kFsData = 0x12;       // Data.Data, bytes
constexpr std::uint8_t kFsFilesize = 0x18;   // Data.filesize, varint
constexpr std::uint8_t kFsBlocksize = 0x20;  // Data.blocksizes, repeated varint, unpacked
constexpr std::uint8_t kFsTypeFile = 2;

// Room in front of a gathered dag-pb leaf chunk for its header: PBNode.Data tag + length varint
// (at most 3 bytes for a chunk below 2 MiB), Type (2 bytes), Data tag + length varint (3 bytes).
constexpr std::size_t kLeafHeadroom = 16;
// After the chunk: the filesize tag and varint (at most 4 bytes).
constexpr std::size_t kLeafTailroom = 8;

void AppendBytesField(std::vector<std::uint8_t>& out, std::uint8_t tag, std::span<const std::uint8_t> bytes) {
  out.push_back(tag);
  AppendVarint(out, bytes.size());
  out.insert(out.end(), bytes.begin(), bytes.end());
}

}  // namespace

LeafBlock ImportResult::RawLeaf(std::size_t index) const {
  const std::uint64_t offset = static_cast<std::uint64_t>(index) * chunk_size;
  return LeafBlock{Cid::FromSha256(codec::kRaw, raw_leaf_digests.at(index)), offset,
                   std::min<std::uint64_t>(chunk_size, file_size - offset)};
}

UnixFsImporter::UnixFsImporter(Sha256Hasher& hasher, ImportParams params, BlockSink sink)
    : hasher_(hasher), params_(params), sink_(std::move(sink)) {
  if (params_.chunk_size < 1 || params_.chunk_size > ImportParams::kMaxChunkSize) {
    throw FieldError("chunk_size", "chunk size must be between 1 and 2096896 bytes");
  }
  if (params_.max_links < 2) throw FieldError("max_links", "max_links must be at least 2");
  if (params_.cid_version != 0 && params_.cid_version != 1) {
    throw FieldError("cid_version", "cid_version must be 0 or 1");
  }
  if (params_.cid_version == 0 && params_.raw_leaves) {
    throw FieldError("raw_leaves", "raw leaves need CIDv1");
  }
  result_.chunk_size = params_.chunk_size;
  if (!params_.raw_leaves) leaf_.resize(kLeafHeadroom + params_.chunk_size + kLeafTailroom);
  hasher_.Reset();
}

void UnixFsImporter::Update(std::span<const std::uint8_t> data) {
  if (finished_) throw Error(ErrorCode::kInternal, {}, {}, "UnixFsImporter::Update after Finish");
  while (!data.empty()) {
    const std::size_t take = std::min(data.size(), params_.chunk_size - chunk_fill_);
    const auto piece = data.first(take);
    if (params_.raw_leaves) {
      hasher_.Update(piece);  // a raw leaf's block is the chunk itself: hash it as it streams by
    } else {
      std::copy(piece.begin(), piece.end(), leaf_.begin() + static_cast<std::ptrdiff_t>(kLeafHeadroom + chunk_fill_));
    }
    chunk_fill_ += take;
    result_.file_size += take;
    data = data.subspan(take);
    if (chunk_fill_ == params_.chunk_size) CloseChunk();
  }
}

void UnixFsImporter::CloseChunk() {
  const std::uint64_t length = chunk_fill_;
  if (params_.raw_leaves) {
    const Sha256Digest digest = hasher_.Final();
    result_.raw_leaf_digests.push_back(digest);
    Push(0, Link{Cid::FromSha256(codec::kRaw, digest), length, length});
  } else {
    Push(0, CloseDagPbLeaf(length));
  }
  chunk_fill_ = 0;
  ++leaf_count_;
  hasher_.Reset();  // parents may have used the hasher; the next chunk starts clean
}

UnixFsImporter::Link UnixFsImporter::CloseDagPbLeaf(std::uint64_t length) {
  // PBNode{Data: UnixFS{Type: File, Data: chunk (omitted when empty, as Go and JS do), filesize}},
  // written around the chunk where Update gathered it: the header just before, filesize after.
  std::vector<std::uint8_t> fs_head = {kFsType, kFsTypeFile};
  if (length > 0) {
    fs_head.push_back(kFsData);
    AppendVarint(fs_head, length);
  }
  std::vector<std::uint8_t> tail = {kFsFilesize};
  AppendVarint(tail, length);
  std::vector<std::uint8_t> head = {kPbNodeData};
  AppendVarint(head, fs_head.size() + length + tail.size());
  head.insert(head.end(), fs_head.begin(), fs_head.end());

  const std::size_t start = kLeafHeadroom - head.size();
  std::copy(head.begin(), head.end(), leaf_.begin() + static_cast<std::ptrdiff_t>(start));
  std::copy(tail.begin(), tail.end(), leaf_.begin() + static_cast<std::ptrdiff_t>(kLeafHeadroom + length));
  const std::span<const std::uint8_t> block(leaf_.data() + start, head.size() + length + tail.size());

  const Cid cid = Cid::FromSha256(codec::kDagPb, hasher_.Digest(block), params_.cid_version);
  if (sink_) sink_(cid, block);  // otherwise dropped: the leaves together are a copy of the file
  return Link{cid, block.size(), length};
}

void UnixFsImporter::Push(std::size_t level, Link link) {
  if (levels_.size() <= level) {
    levels_.resize(level + 1);
    level_counts_.resize(level + 1, 0);
    levels_[level].reserve(params_.max_links);
  }
  levels_[level].push_back(std::move(link));
  ++level_counts_[level];
  // A full group is final whatever comes next, so it is parented now; this keeps each level's
  // pending list bounded and yields exactly the batch grouping (consecutive runs of max_links).
  if (levels_[level].size() == params_.max_links) {
    Link parent = EmitParent(levels_[level]);
    levels_[level].clear();
    Push(level + 1, std::move(parent));
  }
}

UnixFsImporter::Link UnixFsImporter::EmitParent(const std::vector<Link>& children) {
  // PBNode: all Links first (Hash, Name "" written as `12 00` like Kubo/JS, Tsize), then Data.
  std::vector<std::uint8_t> node;
  node.reserve(children.size() * 48 + 16 + children.size() * 5);
  std::vector<std::uint8_t> link;
  std::uint64_t tsize_sum = 0;
  std::uint64_t filesize = 0;
  for (const Link& child : children) {
    link.clear();
    AppendBytesField(link, kPbLinkHash, child.cid.Bytes());
    link.push_back(kPbLinkName);
    link.push_back(0x00);
    link.push_back(kPbLinkTsize);
    AppendVarint(link, child.tsize);
    AppendBytesField(node, kPbNodeLinks, link);
    tsize_sum += child.tsize;
    filesize += child.filesize;
  }
  // UnixFS Data: Type=File, filesize, one unpacked blocksize per link (no Data field).
  std::vector<std::uint8_t> fs;
  fs.reserve(children.size() * 5 + 16);
  fs.push_back(kFsType);
  fs.push_back(kFsTypeFile);
  fs.push_back(kFsFilesize);
  AppendVarint(fs, filesize);
  for (const Link& child : children) {
    fs.push_back(kFsBlocksize);
    AppendVarint(fs, child.filesize);
  }
  AppendBytesField(node, kPbNodeData, fs);

  const Cid cid = Cid::FromSha256(codec::kDagPb, hasher_.Digest(node), params_.cid_version);
  const std::uint64_t tsize = node.size() + tsize_sum;
  if (sink_) {
    sink_(cid, node);
  } else {
    result_.nodes.push_back(DagNode{cid, std::move(node)});
  }
  return Link{cid, tsize, filesize};
}

ImportResult UnixFsImporter::Finish() {
  if (finished_) throw Error(ErrorCode::kInternal, {}, {}, "UnixFsImporter::Finish called twice");
  finished_ = true;
  // Go's chunker yields no chunk for empty input and the builder then adds one empty leaf.
  if (chunk_fill_ > 0 || leaf_count_ == 0) CloseChunk();
  // Close levels bottom-up: a level whose total is 1 holds the root (so a single leaf is its own
  // root and an exact multiple of max_links adds no level); otherwise its partial trailing group,
  // even of one child, becomes a parent on the next level, as in the batch algorithm.
  for (std::size_t level = 0;; ++level) {
    if (level_counts_[level] == 1) {
      const Link& root = levels_[level].front();
      result_.root = root.cid;
      result_.dag_size = root.tsize;
      break;
    }
    if (!levels_[level].empty()) {
      Link parent = EmitParent(levels_[level]);
      levels_[level].clear();
      Push(level + 1, std::move(parent));
    }
  }
  levels_.clear();
  return std::move(result_);
}

ImportResult ImportBytes(Sha256Hasher& hasher, std::span<const std::uint8_t> data, ImportParams params) {
  UnixFsImporter importer(hasher, params);
  importer.Update(data);
  return importer.Finish();
}

}  // namespace gw::domain
