#include "domain/dag_pb.hpp"

#include <gtest/gtest.h>

#include <map>
#include <numeric>
#include <string>
#include <vector>

#include "domain/error.hpp"
#include "domain/sha256_openssl.hpp"
#include "domain/unixfs_importer.hpp"

namespace gw::domain {
namespace {

using ByteVec = std::vector<std::uint8_t>;

ByteVec FromHex(std::string_view hex) {
  ByteVec out;
  for (std::size_t i = 0; i + 1 < hex.size(); i += 2) {
    out.push_back(static_cast<std::uint8_t>(std::stoi(std::string(hex.substr(i, 2)), nullptr, 16)));
  }
  return out;
}

ByteVec Pattern(std::size_t size) {
  ByteVec out(size);
  for (std::size_t i = 0; i < size; ++i) out[i] = static_cast<std::uint8_t>((i * 31 + i / 97) & 0xff);
  return out;
}

/// What a child contributes to its parent's link: its whole DAG's bytes and its file bytes.
struct Sizes {
  std::uint64_t tsize = 0;
  std::uint64_t filesize = 0;
};

/// Imports `file` with every dag-pb block going to a sink, decodes each block, and checks it
/// against what the importer built: it re-encodes to its own bytes, every link names a block (or
/// raw leaf) made before it with exactly that child's Tsize and blocksize, and the root spans
/// the file. Returns how many blocks were decoded.
std::size_t DecodeEveryBlock(const ByteVec& file, ImportParams params) {
  OpenSslSha256 sha;
  std::map<std::string, Sizes> made;  // CID string -> sizes, for every block so far
  std::size_t decoded = 0;
  std::uint64_t leaf_bytes = 0;  // file bytes of dag-pb leaves seen so far (they come in file order)
  UnixFsImporter importer(sha, params, [&](const Cid& cid, std::span<const std::uint8_t> bytes) {
    const UnixFsNode node = DecodeUnixFsNode(bytes);
    ++decoded;
    EXPECT_EQ(EncodePbNode(node.node), ByteVec(bytes.begin(), bytes.end())) << cid.ToString();
    EXPECT_EQ(node.unixfs.type, UnixFsType::kFile);
    ASSERT_TRUE(node.unixfs.filesize);
    Sizes sizes{bytes.size(), *node.unixfs.filesize};
    if (node.node.links.empty()) {  // a dag-pb leaf: its Data is the next chunk of the file
      const ByteVec chunk(file.begin() + static_cast<std::ptrdiff_t>(leaf_bytes),
                          file.begin() + static_cast<std::ptrdiff_t>(leaf_bytes + *node.unixfs.filesize));
      EXPECT_EQ(node.unixfs.data.value_or(ByteVec{}), chunk);
      leaf_bytes += chunk.size();
    }
    for (std::size_t i = 0; i < node.node.links.size(); ++i) {
      const PbLink& link = node.node.links[i];
      EXPECT_EQ(link.name, std::string());  // Kubo and JS write an empty Name on file links
      const auto child = made.find(link.hash.ToString());
      ASSERT_NE(child, made.end()) << "link to a block not made before its parent";
      EXPECT_EQ(link.tsize, child->second.tsize);
      EXPECT_EQ(node.unixfs.blocksizes[i], child->second.filesize);
      sizes.tsize += child->second.tsize;
    }
    made[cid.ToString()] = sizes;
  });
  for (std::size_t at = 0; at < file.size(); at += 1000) {  // pieces unrelated to the chunk size
    importer.Update(std::span(file).subspan(at, std::min<std::size_t>(1000, file.size() - at)));
  }
  const ImportResult result = importer.Finish();
  if (params.raw_leaves) {
    for (std::size_t i = 0; i < result.RawLeafCount(); ++i) {
      const LeafBlock leaf = result.RawLeaf(i);
      // raw leaves reach no sink: their sizes are their lengths
      EXPECT_FALSE(made.contains(leaf.cid.ToString()));
    }
  }
  const auto root = made.find(result.root.ToString());
  if (root != made.end()) {
    EXPECT_EQ(root->second.filesize, file.size());
    EXPECT_EQ(root->second.tsize, result.dag_size);
  }
  return decoded;
}

/// Raw leaves reach no sink, so the test registers them as the parent would see them.
std::size_t DecodeEveryBlockWithRawLeaves(const ByteVec& file, ImportParams params) {
  OpenSslSha256 sha;
  const ImportResult result = [&] {
    UnixFsImporter importer(sha, params);
    importer.Update(file);
    return importer.Finish();
  }();
  std::map<std::string, Sizes> made;
  for (std::size_t i = 0; i < result.RawLeafCount(); ++i) {
    const LeafBlock leaf = result.RawLeaf(i);
    made[leaf.cid.ToString()] = {leaf.length, leaf.length};
  }
  for (const DagNode& dag_node : result.nodes) {  // children before parents
    const UnixFsNode node = DecodeUnixFsNode(dag_node.bytes);
    EXPECT_EQ(EncodePbNode(node.node), dag_node.bytes);
    EXPECT_EQ(node.unixfs.type, UnixFsType::kFile);
    EXPECT_FALSE(node.unixfs.data);  // interior nodes carry no file bytes
    Sizes sizes{dag_node.bytes.size(), *node.unixfs.filesize};
    for (std::size_t i = 0; i < node.node.links.size(); ++i) {
      const auto child = made.find(node.node.links[i].hash.ToString());
      EXPECT_NE(child, made.end());
      if (child == made.end()) continue;
      EXPECT_EQ(node.node.links[i].tsize, child->second.tsize);
      EXPECT_EQ(node.unixfs.blocksizes[i], child->second.filesize);
      sizes.tsize += child->second.tsize;
    }
    made[dag_node.cid.ToString()] = sizes;
  }
  EXPECT_EQ(made.at(result.root.ToString()).filesize, file.size());
  EXPECT_EQ(made.at(result.root.ToString()).tsize, result.dag_size);
  return result.nodes.size();
}

TEST(DagPb, DecodesEveryNodeOfARawLeafImport) {
  // 10 leaves of 100 bytes under parents of at most 4: 3 parents, then the root
  EXPECT_EQ(DecodeEveryBlockWithRawLeaves(Pattern(1000), {100, 4, true, 1}), 4u);
  // 21 leaves (the last of 50 bytes) under 3 levels of parents: 7, then 3, then the root
  EXPECT_EQ(DecodeEveryBlockWithRawLeaves(Pattern(2050), {100, 3, true, 1}), 7 + 3 + 1u);
  // one chunk: the raw leaf is the root, no dag-pb node at all
  EXPECT_EQ(DecodeEveryBlockWithRawLeaves(Pattern(50), {100, 4, true, 1}), 0u);
}

TEST(DagPb, DecodesEveryNodeOfADagPbLeafImport) {
  // CIDv0 with dag-pb leaves: 10 leaves + 3 parents + root
  EXPECT_EQ(DecodeEveryBlock(Pattern(1000), {100, 4, false, 0}), 14u);
  // CIDv1, dag-pb leaves, one chunk: the leaf is the root
  EXPECT_EQ(DecodeEveryBlock(Pattern(70), {100, 4, false, 1}), 1u);
  // the empty file: one empty leaf (Data omitted)
  EXPECT_EQ(DecodeEveryBlock({}, {100, 4, false, 0}), 1u);
}

TEST(DagPb, DecodesTheEmptyFileLeafOfTheSpec) {
  const ByteVec block = FromHex("0a0408021800");  // ipfs-specs.md §1.7
  const UnixFsNode node = DecodeUnixFsNode(block);
  EXPECT_TRUE(node.node.links.empty());
  EXPECT_EQ(node.unixfs.type, UnixFsType::kFile);
  EXPECT_EQ(node.unixfs.filesize, 0u);
  EXPECT_FALSE(node.unixfs.data);
  EXPECT_EQ(EncodePbNode(node.node), block);
}

TEST(DagPb, DecodesAConformanceFixtureRoot) {
  // multiblock.txt of gateway-conformance's dir-with-files.car (as in unixfs_importer_test.cpp)
  const ByteVec block = FromHex(
      "122b0a24015512209d6b944db03f3c2f456458fedabd6d5e5de59ba3b6d8e6ca5b3ed59b553e5213120018800212"
      "2b0a2401551220fc23ce04e031027d66de41b26c0ffcb4552337afee4fe7f7961de74743ba7f1412001880021"
      "22b0a2401551220d4f869566c45a343beffde1b7f364307d519ed644877b646e833ade980984fa112001880021"
      "22b0a24015512204b5ecf421542dc1b1c91cdc7f222bbe28eda1bfb876de30cc91778886def453912001880021"
      "22a0a2401551220b29edf0cce954f7ebc080c723f9df03c230bf302d797f8db445a17d2d131e083120018020a13"
      "08021882082080022080022080022080022002");
  const UnixFsNode node = DecodeUnixFsNode(block);
  ASSERT_EQ(node.node.links.size(), 5u);
  EXPECT_EQ(node.node.links[0].hash.ToString(), "bafkreie5noke3mb7hqxukzcy73nl23k6lxszxi5w3dtmuwz62wnvkpsscm");
  EXPECT_EQ(node.node.links[4].tsize, 2u);
  EXPECT_EQ(node.unixfs.filesize, 1026u);
  EXPECT_EQ(node.unixfs.blocksizes, (std::vector<std::uint64_t>{256, 256, 256, 256, 2}));
  EXPECT_EQ(EncodePbNode(node.node), block);
}

TEST(DagPb, ReadsADirectoryAndTheOptionalUnixFsFields) {
  const ByteVec dir = FromHex("0a020801");
  EXPECT_EQ(DecodeUnixFsNode(dir).unixfs.type, UnixFsType::kDirectory);
  // Type=File, Data "a", filesize 1, mode 0644, mtime {Seconds 1600000000, nanos 1000}
  const ByteVec fs = FromHex("0802120161180138a403420b0880a0f8fa0515e8030000");
  const UnixFsData data = DecodeUnixFsData(fs);
  EXPECT_EQ(data.mode, 0644u);
  ASSERT_TRUE(data.mtime);
  EXPECT_EQ(data.mtime->seconds, 1600000000);
  EXPECT_EQ(data.mtime->fractional_nanoseconds, 1000u);
  EXPECT_EQ(EncodeUnixFsData(data), fs);
  // packed blocksizes are read (and written back packed)
  const ByteVec packed = FromHex("080218c002220480024040");
  const UnixFsData p = DecodeUnixFsData(packed);
  EXPECT_TRUE(p.blocksizes_packed);
  EXPECT_EQ(p.blocksizes, (std::vector<std::uint64_t>{256, 64, 64}));
  EXPECT_EQ(EncodeUnixFsData(p), packed);
  // a negative mtime is a 10-byte varint
  UnixFsData before_1970{UnixFsType::kFile, {}, 0, {}, false, {}, {}, {}, UnixTime{-1, {}}};
  EXPECT_EQ(DecodeUnixFsData(EncodeUnixFsData(before_1970)), before_1970);
}

ErrorCode DecodeError(std::string_view hex, bool unixfs_node = true) {
  try {
    if (unixfs_node) {
      (void)DecodeUnixFsNode(FromHex(hex));
    } else {
      (void)DecodeUnixFsData(FromHex(hex));
    }
  } catch (const Error& error) {
    return error.Code();
  }
  return ErrorCode::kServerSideError;  // accepted
}

// ipfs-specs.md 1.4: canonical blocks write Links first, but decoders must accept Data first
// (old data exists); such a block keeps its order when encoded again, so its CID stays its own.
TEST(DagPb, AcceptsOldBlocksWithDataBeforeLinks) {
  const std::string cid = "0a2401551220e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
  const ByteVec block = FromHex(
      "0a0408021800"
      "1226" +
      cid);
  const PbNode node = DecodePbNode(block);
  EXPECT_TRUE(node.data_before_links);
  ASSERT_EQ(node.links.size(), 1u);
  ASSERT_TRUE(node.data.has_value());
  EXPECT_EQ(EncodePbNode(node), block);
  PbNode canonical = node;
  canonical.data_before_links = false;
  EXPECT_EQ(EncodePbNode(canonical), FromHex("1226" + cid + "0a0408021800"));
}

TEST(DagPb, RefusesHostileBlocks) {
  // a link to the empty raw block, and a link field of it
  const std::string cid = "0a2401551220e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"0a04080218000a020801", "Data repeated"},
      {"1226" + cid + "0a0408021800" + "1226" + cid, "Links on both sides of Data"},
      {"1a00", "unknown PBNode field"},
      {"0b", "wrong wire type for Data"},
      {"0a05080218", "length beyond the block"},
      {"0a", "truncated length"},
      {"0a8004", "length (512) past the end"},
      {"0a800008021800", "non-minimal length varint"},
      {"0aff", "truncated varint"},
      {"0affffffffffffffffff7f", "varint over 64 bits"},
      {"12021200"
       "0a0408021800",
       "link without Hash"},
      {"12281200" + cid + "0a0408021800", "PBLink Name before Hash"},
      {"122a" + cid +
           "12001200"
           "0a0408021800",
       "PBLink Name repeated"},
      {"1205"
       "0a03015512"
       "0a0408021800",
       "link Hash a truncated CID"},
      {"1204"
       "0a020000"
       "0a0408021800",
       "link Hash not a CID"},
      {"", "no Data: not UnixFS"},
      {"0a021800", "Type missing"},
      {"0a020806", "unknown Type"},
      {"0a06080218001805", "filesize repeated"},
      {"0a06180008021800", "fields out of order"},
      {"0a0408021802", "filesize is not len(Data)+sum(blocksizes)"},
      {"0a060802180020"
       "00",
       "a blocksize without a link"},
      {"0a0508011801"
       "00",
       "junk"},
      {"0a06080118002000", "blocksizes on a directory"},
      {"0a0a08021800388080808010", "mode over 32 bits"},
      {"0a0708021800420208", "mtime truncated"},
      {"0a0d0802180042071500000000"
       "0800",
       "mtime nanos first"},
      {"0a0d08021800420708001500000000", "mtime nanos zero"},
      {"0a0d080218004207080015"
       "00ca9a3b",
       "mtime nanos 10^9"},
      {"0a0508021800"
       "98",
       "trailing truncated varint in Data"},
  };
  for (const auto& [hex, why] : cases) {
    EXPECT_EQ(DecodeError(hex), ErrorCode::kBadRequest) << why << ": " << hex;
  }
  // UnixFS messages alone
  EXPECT_EQ(DecodeError("0802220018", false), ErrorCode::kBadRequest);        // empty packed blocksizes
  EXPECT_EQ(DecodeError("08022002220101", false), ErrorCode::kBadRequest);    // unpacked then packed
  EXPECT_EQ(DecodeError("0802220101220101", false), ErrorCode::kBadRequest);  // two packed runs
  EXPECT_EQ(DecodeError("08020802", false), ErrorCode::kBadRequest);          // Type repeated
  EXPECT_EQ(DecodeError("0802480a", false), ErrorCode::kBadRequest);          // field 9
  EXPECT_EQ(DecodeError("080212", false), ErrorCode::kBadRequest);            // truncated Data
  // bigger than any block bitswap moves
  EXPECT_THROW((void)DecodePbNode(ByteVec(kMaxDagPbBlockBytes + 1, 0)), Error);
}

TEST(DagPb, DecodeErrorsNameTheirReason) {
  try {
    (void)DecodePbNode(FromHex("0a04080218000a020801"));
    FAIL() << "expected an error";
  } catch (const Error& error) {
    EXPECT_EQ(error.Code(), ErrorCode::kBadRequest);
    EXPECT_EQ(error.PublicMessage(), "Malformed dag-pb block: Data repeated");
    ASSERT_EQ(error.Details().size(), 1u);
    EXPECT_EQ(error.Details()[0].second, "malformed_dag_pb");
  }
}

}  // namespace
}  // namespace gw::domain
