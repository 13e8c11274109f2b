// Streaming tree building vs the batch algorithm of spec §1.3, written out independently here.
#include <gtest/gtest.h>

#include <map>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "domain/error.hpp"
#include "domain/sha256_openssl.hpp"
#include "domain/unixfs_importer.hpp"

namespace gw::domain {
namespace {

using ByteVec = std::vector<std::uint8_t>;

void PutVarint(ByteVec& out, std::uint64_t v) {
  for (; v >= 0x80; v >>= 7) out.push_back(static_cast<std::uint8_t>(v | 0x80));
  out.push_back(static_cast<std::uint8_t>(v));
}

void PutBytes(ByteVec& out, std::uint8_t tag, const ByteVec& bytes) {
  out.push_back(tag);
  PutVarint(out, bytes.size());
  out.insert(out.end(), bytes.begin(), bytes.end());
}

struct RefItem {
  ByteVec cid;
  std::uint64_t tsize;
  std::uint64_t filesize;
};

ByteVec CidBytes(std::uint8_t codec, const Sha256Digest& digest) {
  ByteVec cid = {0x01, codec, 0x12, 0x20};
  cid.insert(cid.end(), digest.begin(), digest.end());
  return cid;
}

/// Batch: leaves -> group W consecutive -> repeat until one node remains.
RefItem BatchRoot(const ByteVec& data, std::size_t chunk, std::size_t width) {
  OpenSslSha256 sha;
  std::vector<RefItem> level;
  for (std::size_t at = 0; at < data.size() || level.empty(); at += chunk) {
    const std::size_t n = std::min(chunk, data.size() - at);
    const auto piece = std::span(data).subspan(at, n);
    level.push_back({CidBytes(0x55, sha.Digest(piece)), n, n});
  }
  while (level.size() > 1) {
    std::vector<RefItem> parents;
    for (std::size_t first = 0; first < level.size(); first += width) {
      const std::size_t last = std::min(first + width, level.size());
      ByteVec node;
      ByteVec fs = {0x08, 0x02, 0x18};
      std::uint64_t tsize = 0;
      std::uint64_t filesize = 0;
      for (std::size_t i = first; i < last; ++i) filesize += level[i].filesize;
      PutVarint(fs, filesize);
      for (std::size_t i = first; i < last; ++i) {
        ByteVec link;
        PutBytes(link, 0x0a, level[i].cid);
        link.insert(link.end(), {0x12, 0x00, 0x18});
        PutVarint(link, level[i].tsize);
        PutBytes(node, 0x12, link);
        fs.push_back(0x20);
        PutVarint(fs, level[i].filesize);
        tsize += level[i].tsize;
      }
      PutBytes(node, 0x0a, fs);
      parents.push_back({CidBytes(0x70, sha.Digest(node)), tsize + node.size(), filesize});
    }
    level = std::move(parents);
  }
  return level.front();
}

ImportResult Stream(const ByteVec& data, std::size_t chunk, std::size_t width, std::size_t piece) {
  OpenSslSha256 sha;
  UnixFsImporter importer(sha, {chunk, width, true, 1});
  for (std::size_t at = 0; at < data.size(); at += piece) {
    importer.Update(std::span(data).subspan(at, std::min(piece, data.size() - at)));
  }
  return importer.Finish();
}

void ExpectSameAsBatch(std::size_t leaves, std::size_t chunk, std::size_t width, std::size_t last_len) {
  ByteVec data((leaves - 1) * chunk + last_len);
  std::mt19937 rng(static_cast<unsigned>(leaves * 31 + width));
  for (auto& b : data) b = static_cast<std::uint8_t>(rng());
  const RefItem batch = BatchRoot(data, chunk, width);
  const ImportResult stream = Stream(data, chunk, width, 3);
  ASSERT_EQ(stream.root.Bytes(), batch.cid) << "leaves=" << leaves << " width=" << width;
  ASSERT_EQ(stream.dag_size, batch.tsize) << "leaves=" << leaves << " width=" << width;
  ASSERT_EQ(stream.RawLeafCount(), leaves);
  // Store order: every dag-pb child is emitted before its parent, the root last.
  // Keys are strings: std::set<std::vector<uint8_t>> trips a GCC 12 -Wstringop-overread false positive.
  auto key = [](const ByteVec& b) { return std::string(b.begin(), b.end()); };
  std::set<std::string> seen;
  for (std::size_t i = 0; i < stream.RawLeafCount(); ++i) seen.insert(key(stream.RawLeaf(i).cid.Bytes()));
  for (const DagNode& node : stream.nodes) {
    for (std::size_t at = 0; at + 38 <= node.bytes.size() && node.bytes[at] == 0x12; at += node.bytes[at + 1] + 2) {
      ASSERT_TRUE(seen.count(key(ByteVec(node.bytes.begin() + at + 4, node.bytes.begin() + at + 40))));
    }
    seen.insert(key(node.cid.Bytes()));
  }
  if (leaves > 1) {
    ASSERT_EQ(stream.nodes.back().cid, stream.root);
  }
}

TEST(UnixFsLayout, StreamingEqualsBatchForSmallTrees) {
  for (std::size_t width = 3; width <= 5; ++width) {
    for (std::size_t leaves = 1; leaves <= 400; ++leaves) {
      ASSERT_NO_FATAL_FAILURE(ExpectSameAsBatch(leaves, 4, width, 1 + leaves % 4));
    }
  }
}

TEST(UnixFsLayout, StreamingEqualsBatchAtLevelBoundaries) {
  for (std::size_t width = 2; width <= 5; ++width) {
    for (std::size_t power = width; power <= 2000; power *= width) {
      for (const std::size_t leaves : {power - 1, power, power + 1}) {
        if (leaves >= 1) {
          ASSERT_NO_FATAL_FAILURE(ExpectSameAsBatch(leaves, 2, width, 2));
        }
      }
    }
  }
  for (const std::size_t leaves : {173u, 174u, 175u, 174u * 174u - 1, 174u * 174u, 174u * 174u + 1}) {
    ASSERT_NO_FATAL_FAILURE(ExpectSameAsBatch(leaves, 1, 174, 1));
  }
}

TEST(UnixFsLayout, ExactMultipleOfWidthAddsNoLevel) {
  const ImportResult two_level = Stream(ByteVec(174 * 4, 7), 4, 174, 1000);
  EXPECT_EQ(two_level.nodes.size(), 1u);  // one parent over 174 leaves, no extra root
  const ImportResult three_level = Stream(ByteVec(174 * 4 + 1, 7), 4, 174, 1000);
  EXPECT_EQ(three_level.nodes.size(), 3u);  // 174-leaf parent, 1-leaf parent, root
}

TEST(UnixFsLayout, PieceSizeDoesNotChangeTheResult) {
  ByteVec data(10000);
  std::mt19937 rng(7);
  for (auto& b : data) b = static_cast<std::uint8_t>(rng());
  const ImportResult whole = Stream(data, 64, 3, data.size());
  for (const std::size_t piece : {1u, 63u, 64u, 65u, 4096u}) {
    const ImportResult pieces = Stream(data, 64, 3, piece);
    EXPECT_EQ(pieces.root, whole.root);
    ASSERT_EQ(pieces.nodes.size(), whole.nodes.size());
    for (std::size_t i = 0; i < whole.nodes.size(); ++i) EXPECT_EQ(pieces.nodes[i].bytes, whole.nodes[i].bytes);
    EXPECT_EQ(pieces.raw_leaf_digests, whole.raw_leaf_digests);
  }
}

TEST(UnixFsLayout, RejectsInvalidParamsAndMisuse) {
  OpenSslSha256 sha;
  EXPECT_THROW(UnixFsImporter(sha, {0, 174, true, 1}), Error);
  EXPECT_THROW(UnixFsImporter(sha, {ImportParams::kMaxChunkSize + 1, 174, true, 1}), Error);
  EXPECT_THROW(UnixFsImporter(sha, {1024, 1, true, 1}), Error);
  EXPECT_THROW(UnixFsImporter(sha, {1024, 174, true, 0}), Error);  // v0 cannot have raw leaves
  EXPECT_THROW(UnixFsImporter(sha, {1024, 174, false, 2}), Error);
  UnixFsImporter importer(sha);
  importer.Finish();
  EXPECT_THROW(importer.Finish(), Error);
  const std::uint8_t byte = 1;
  EXPECT_THROW(importer.Update(std::span(&byte, 1)), Error);
}

}  // namespace
}  // namespace gw::domain
