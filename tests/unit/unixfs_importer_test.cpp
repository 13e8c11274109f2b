#include "domain/unixfs_importer.hpp"

#include <gtest/gtest.h>
#include <openssl/evp.h>

#include <algorithm>
#include <array>
#include <set>
#include <string>
#include <vector>

#include "domain/error.hpp"
#include "domain/sha256_openssl.hpp"
#include "domain/varint.hpp"

namespace gw::domain {
namespace {

using ByteVec = std::vector<std::uint8_t>;

// multiblock.txt of gateway-conformance fixture dir-with-files.car (its 5 raw leaves joined).
constexpr std::string_view kLorem =
    "Lorem ipsum dolor sit amet, consectetur adipiscing elit. Nunc non imperdiet nunc. Proin "
    "ac quam ut nibh eleifend aliquet. Vestibulum ante ipsum primis in faucibus orci luctus e"
    "t ultrices posuere cubilia curae; Sed ligula dolor, imperdiet sagittis arcu et, semper t"
    "incidunt urna. Donec et tempor augue, quis sollicitudin metus. Curabitur semper ullamcor"
    "per aliquet. Mauris hendrerit sodales lectus eget fermentum. Proin sollicitudin vestibul"
    "um commodo. Vivamus nec lectus eu augue aliquet dignissim nec condimentum justo. In hac "
    "habitasse platea dictumst. Mauris vel sem neque.\n\nVivamus finibus, enim at lacinia sem"
    "per, arcu erat gravida lacus, sit amet gravida magna orci sit amet est. Sed non leo lacu"
    "s. Nullam viverra ipsum a tincidunt dapibus. Nulla pulvinar ligula sit amet ante ultrice"
    "s tempus. Proin purus urna, semper sed lobortis quis, gravida vitae ipsum. Aliquam mi ur"
    "na, pulvinar eu bibendum quis, convallis ac dolor. In gravida justo sed risus ullamcorpe"
    "r, vitae luctus massa hendrerit. Pellentesque habitant amet.";
// That file's root block as stored in the CAR (spec §1.10 b).
constexpr std::string_view kLoremRootHex =
    "122b0a24015512209d6b944db03f3c2f456458fedabd6d5e5de59ba3b6d8e6ca5b3ed59b553e5213120018800212"
    "2b0a2401551220fc23ce04e031027d66de41b26c0ffcb4552337afee4fe7f7961de74743ba7f1412001880021"
    "22b0a2401551220d4f869566c45a343beffde1b7f364307d519ed644877b646e833ade980984fa112001880021"
    "22b0a24015512204b5ecf421542dc1b1c91cdc7f222bbe28eda1bfb876de30cc91778886def453912001880021"
    "22a0a2401551220b29edf0cce954f7ebc080c723f9df03c230bf302d797f8db445a17d2d131e083120018020a13"
    "08021882082080022080022080022080022002";

ByteVec FromHex(std::string_view hex) {
  ByteVec out;
  for (std::size_t i = 0; i + 1 < hex.size(); i += 2) {
    out.push_back(static_cast<std::uint8_t>(std::stoi(std::string(hex.substr(i, 2)), nullptr, 16)));
  }
  return out;
}

std::span<const std::uint8_t> AsBytes(std::string_view s) {
  return {reinterpret_cast<const std::uint8_t*>(s.data()), s.size()};
}

/// Kubo's DRNG(size, seed): ChaCha20 keystream, key = sha256(seed), zero nonce, counter 0.
class Drng {
 public:
  explicit Drng(std::string_view seed) : ctx_(EVP_CIPHER_CTX_new()) {
    OpenSslSha256 sha;
    const Sha256Digest key = sha.Digest(AsBytes(seed));
    const std::array<std::uint8_t, 16> iv{};  // 4-byte LE counter 0 ‖ 12-byte zero nonce
    EXPECT_EQ(EVP_EncryptInit_ex(ctx_, EVP_chacha20(), nullptr, key.data(), iv.data()), 1);
  }
  ~Drng() { EVP_CIPHER_CTX_free(ctx_); }
  Drng(const Drng&) = delete;
  Drng& operator=(const Drng&) = delete;
  void Fill(std::span<std::uint8_t> out) {
    std::fill(out.begin(), out.end(), 0);
    int written = 0;
    EXPECT_EQ(EVP_EncryptUpdate(ctx_, out.data(), &written, out.data(), static_cast<int>(out.size())), 1);
  }

 private:
  EVP_CIPHER_CTX* ctx_;
};

/// Streams DRNG bytes into the importer in deliberately odd piece sizes.
ImportResult ImportDrng(std::uint64_t size, std::string_view seed, ImportParams params) {
  OpenSslSha256 sha;
  UnixFsImporter importer(sha, params);
  Drng drng(seed);
  constexpr std::array<std::size_t, 6> kPieces = {1000, 1, 4097, 65536, 7, 262143};
  ByteVec buffer(*std::max_element(kPieces.begin(), kPieces.end()));
  for (std::size_t i = 0; size > 0; ++i) {
    const std::size_t n = static_cast<std::size_t>(std::min<std::uint64_t>(size, kPieces[i % kPieces.size()]));
    drng.Fill(std::span(buffer).first(n));
    importer.Update(std::span(buffer).first(n));
    size -= n;
  }
  return importer.Finish();
}

ImportResult ImportText(std::string_view text, ImportParams params = {}) {
  OpenSslSha256 sha;
  return ImportBytes(sha, AsBytes(text), params);
}

TEST(UnixFsImporter, SingleChunksAreRawLeafRoots) {
  EXPECT_EQ(ImportText("hello world").root.ToString(), "bafkreifzjut3te2nhyekklss27nh3k72ysco7y32koao5eei66wof36n5e");
  EXPECT_EQ(ImportText("hello world\n").root.ToString(), "bafkreifjjcie6lypi6ny7amxnfftagclbuxndqonfipmb64f2km2devei4");
  EXPECT_EQ(ImportText("hello application/vnd.ipld.car\n").root.ToString(),
            "bafkreifkam6ns4aoolg3wedr4uzrs3kvq66p4pecirz6y2vlrngla62mxm");
  const ImportResult hello = ImportText("hello world");
  EXPECT_TRUE(hello.nodes.empty());
  EXPECT_EQ(hello.dag_size, 11u);
  EXPECT_EQ(hello.file_size, 11u);
  ASSERT_EQ(hello.RawLeafCount(), 1u);
  EXPECT_EQ(hello.RawLeaf(0).cid, hello.root);
}

TEST(UnixFsImporter, EmptyInputIsTheEmptyRawBlock) {
  const ImportResult empty = ImportText("");
  EXPECT_EQ(empty.root.ToString(), "bafkreihdwdcefgh4dqkjv67uzcmw7ojee6xedzdetojuzjevtenxquvyku");
  EXPECT_EQ(empty.dag_size, 0u);
  EXPECT_EQ(empty.RawLeafCount(), 1u);
  EXPECT_EQ(empty.RawLeaf(0).length, 0u);
}

TEST(UnixFsImporter, DagPbLeavesMatchSpec) {
  EXPECT_EQ(ImportText("hello world", ImportParams::UnixFsV0_2015()).root.ToString(),
            "Qmf412jQZiuVUtdgnB36FXFX7xg5V6KEbSJ4dpQuhkLyfD");
  EXPECT_EQ(ImportText("hello world", {262144, 174, false, 1}).root.ToString(),
            "bafybeihykld7uyxzogax6vgyvag42y7464eywpf55gxi5qpoisibh3c5wa");
  OpenSslSha256 sha;
  std::vector<std::pair<Cid, ByteVec>> blocks;
  UnixFsImporter importer(sha, ImportParams::UnixFsV0_2015(),
                          [&blocks](const Cid& cid, std::span<const std::uint8_t> b) {
                            blocks.emplace_back(cid, ByteVec(b.begin(), b.end()));
                          });
  const ImportResult empty = importer.Finish();
  EXPECT_EQ(empty.root.ToString(), "QmbFMke1KXqnYyBBWxB74N4c5SBnJMVAiMNRcGu6x1AwQH");
  EXPECT_TRUE(empty.nodes.empty());  // the sink got the one block
  ASSERT_EQ(blocks.size(), 1u);
  EXPECT_EQ(blocks[0].first, empty.root);
  EXPECT_EQ(blocks[0].second, FromHex("0a0408021800"));
  // Spec §1.10 (a): `0a 11 08 02 12 0b "hello world" 18 0b`.
  blocks.clear();
  UnixFsImporter hello(sha, ImportParams::UnixFsV0_2015(), [&blocks](const Cid& cid, std::span<const std::uint8_t> b) {
    blocks.emplace_back(cid, ByteVec(b.begin(), b.end()));
  });
  hello.Update(AsBytes("hello world"));
  EXPECT_EQ(hello.Finish().root.ToString(), "Qmf412jQZiuVUtdgnB36FXFX7xg5V6KEbSJ4dpQuhkLyfD");
  ASSERT_EQ(blocks.size(), 1u);
  EXPECT_EQ(blocks[0].second, FromHex("0a110802120b68656c6c6f20776f726c64180b"));
  EXPECT_EQ(ImportText("", {262144, 174, false, 1}).root.ToString(),
            "bafybeif7ztnhq65lumvvtr4ekcwd2ifwgm3awq4zfr3srh462rwyinlb4y");
}

TEST(UnixFsImporter, LoremMultiblockMatchesConformanceFixture) {
  ASSERT_EQ(kLorem.size(), 1026u);
  for (const std::size_t piece : {std::size_t{1}, std::size_t{100}, std::size_t{1026}}) {
    OpenSslSha256 sha;
    UnixFsImporter importer(sha, {256, 174, true, 1});
    for (std::size_t at = 0; at < kLorem.size(); at += piece) importer.Update(AsBytes(kLorem.substr(at, piece)));
    const ImportResult result = importer.Finish();
    EXPECT_EQ(result.root.ToString(), "bafybeigcisqd7m5nf3qmuvjdbakl5bdnh4ocrmacaqkpuh77qjvggmt2sa");
    EXPECT_EQ(result.dag_size, 1271u);
    EXPECT_EQ(result.file_size, 1026u);
    ASSERT_EQ(result.nodes.size(), 1u);
    EXPECT_EQ(result.nodes[0].cid, result.root);
    EXPECT_EQ(result.nodes[0].bytes, FromHex(kLoremRootHex));
    ASSERT_EQ(result.RawLeafCount(), 5u);
    const LeafBlock last = result.RawLeaf(4);
    EXPECT_EQ(last.offset, 1024u);
    EXPECT_EQ(last.length, 2u);
    EXPECT_EQ(last.cid.Bytes(), FromHex("01551220b29edf0cce954f7ebc080c723f9df03c230bf302d797f8db445a17d2d131e083"));
    EXPECT_EQ(result.RawLeaf(1).offset, 256u);
    EXPECT_EQ(result.RawLeaf(1).length, 256u);
  }
}

/// Bytes an ImportResult holds beyond its fixed size: interior nodes and raw leaf digests.
std::size_t RetainedBytes(const ImportResult& result) {
  std::size_t bytes = result.raw_leaf_digests.size() * sizeof(Sha256Digest);
  for (const DagNode& node : result.nodes) bytes += node.bytes.size() + node.cid.multihash.size();
  return bytes;
}

/// Every block a sink received, in order.
struct CollectedBlocks {
  std::vector<std::pair<Cid, ByteVec>> blocks;
  BlockSink Sink() {
    return [this](const Cid& cid, std::span<const std::uint8_t> bytes) {
      blocks.emplace_back(cid, ByteVec(bytes.begin(), bytes.end()));
    };
  }
};

TEST(UnixFsImporter, ADagPbLeafImportDoesNotKeepTheFile) {
  // 8 MiB + 1 under unixfs-v0-2015: 33 dag-pb leaves that together are a copy of the file. The
  // result keeps only the interior nodes (one root over 33 links here), far below one chunk.
  constexpr std::uint64_t kSize = 8 * 1048576 + 1;
  const ImportResult result = ImportDrng(kSize, "bounded-memory", ImportParams::UnixFsV0_2015());
  EXPECT_EQ(result.file_size, kSize);
  ASSERT_EQ(result.nodes.size(), 1u);
  EXPECT_EQ(result.nodes[0].cid, result.root);
  EXPECT_LT(RetainedBytes(result), 262144u);
  EXPECT_GT(result.dag_size, kSize);  // yet the DAG it describes holds every byte
}

TEST(UnixFsImporter, ASinkGetsEveryDagPbBlockAsItIsMadeAndTheResultKeepsNone) {
  // 10 chunks of 1000 bytes and 7 more, 3 links per node: 11 leaves, 4 + 2 + 1 parents.
  ByteVec data(10 * 1000 + 7);
  Drng("sink").Fill(data);
  const ImportParams params{1000, 3, false, 0};
  CollectedBlocks collected;
  OpenSslSha256 sha;
  UnixFsImporter importer(sha, params, collected.Sink());
  for (std::size_t at = 0; at < data.size(); at += 333) {
    importer.Update(std::span(data).subspan(at, std::min<std::size_t>(333, data.size() - at)));
  }
  const ImportResult result = importer.Finish();
  EXPECT_TRUE(result.nodes.empty());
  EXPECT_EQ(result.root, ImportBytes(sha, data, params).root);  // same DAG with or without a sink
  ASSERT_EQ(collected.blocks.size(), 11u + 4u + 2u + 1u);
  EXPECT_EQ(collected.blocks.back().first, result.root);

  std::set<std::string> seen;  // binary CIDs of the blocks received so far
  std::size_t leaves = 0;
  for (const auto& [cid, bytes] : collected.blocks) {
    EXPECT_EQ(cid, Cid::FromSha256(codec::kDagPb, sha.Digest(bytes), 0));
    if (bytes[0] == 0x12) {  // an interior node: links first; each names a block sent before it
      for (std::size_t at = 0; at < bytes.size() && bytes[at] == 0x12; at += bytes[at + 1] + 2) {
        const ByteVec link_cid(bytes.begin() + static_cast<std::ptrdiff_t>(at + 4),
                               bytes.begin() + static_cast<std::ptrdiff_t>(at + 4 + 34));
        EXPECT_TRUE(seen.count(std::string(link_cid.begin(), link_cid.end())));
      }
    } else {  // a leaf: chunk `leaves` of the file inside a UnixFS header of a few bytes
      const auto chunk =
          std::span(data).subspan(leaves * 1000, std::min<std::size_t>(1000, data.size() - leaves * 1000));
      EXPECT_NE(std::search(bytes.begin(), bytes.end(), chunk.begin(), chunk.end()), bytes.end());
      EXPECT_LE(bytes.size(), chunk.size() + 12);
      ++leaves;
    }
    const ByteVec binary = cid.Bytes();
    seen.insert(std::string(binary.begin(), binary.end()));
  }
  EXPECT_EQ(leaves, 11u);
}

TEST(UnixFsImporter, WithRawLeavesASinkGetsTheInteriorNodesOnly) {
  ByteVec data(5 * 256 + 3);
  Drng("raw-sink").Fill(data);
  const ImportParams params{256, 174, true, 1};
  OpenSslSha256 sha;
  const ImportResult without_sink = ImportBytes(sha, data, params);
  CollectedBlocks collected;
  UnixFsImporter importer(sha, params, collected.Sink());
  importer.Update(data);
  const ImportResult with_sink = importer.Finish();
  EXPECT_EQ(with_sink.root, without_sink.root);
  EXPECT_TRUE(with_sink.nodes.empty());
  EXPECT_EQ(with_sink.RawLeafCount(), 6u);  // raw leaves are byte ranges of the file: digests only
  ASSERT_EQ(collected.blocks.size(), without_sink.nodes.size());
  for (std::size_t i = 0; i < collected.blocks.size(); ++i) {
    EXPECT_EQ(collected.blocks[i].first, without_sink.nodes[i].cid);
    EXPECT_EQ(collected.blocks[i].second, without_sink.nodes[i].bytes);
  }
}

struct DrngVector {
  std::uint64_t size;
  const char* seed;
  ImportParams params;
  const char* cid;
  std::uint64_t tsize;  // 0 = not given by the spec
};

class UnixFsDrngVectors : public ::testing::TestWithParam<DrngVector> {};

TEST_P(UnixFsDrngVectors, MatchesSpec) {
  const DrngVector& v = GetParam();
  const ImportResult result = ImportDrng(v.size, v.seed, v.params);
  EXPECT_EQ(result.root.ToString(), v.cid);
  EXPECT_EQ(result.file_size, v.size);
  if (v.tsize != 0) {
    EXPECT_EQ(result.dag_size, v.tsize);
  }
}

constexpr std::uint64_t k256K = 262144;
constexpr std::uint64_t k1M = 1048576;
const ImportParams kV1Default{};
const ImportParams kV0 = ImportParams::UnixFsV0_2015();
const ImportParams kV1_2025 = ImportParams::UnixFsV1_2025();

INSTANTIATE_TEST_SUITE_P(
    UnixFsDrng, UnixFsDrngVectors,
    ::testing::Values(
        // Derived `ipfs add --cid-version=1` vectors (spec §1.11, with Tsize).
        DrngVector{k256K, "chunk-v0-seed", kV1Default, "bafkreid33n22tcydu7pk2egzkyq4phh5mjwhyf6son6zggnlnlyi3257um",
                   262144},
        DrngVector{k256K + 1, "chunk-v0-seed", kV1Default,
                   "bafybeibyui7o3sbw3yifnewshhrbnuntcehluzvbkwgi5vmtsdobnc2c6y", 262249},
        DrngVector{174 * k256K, "v0-seed", kV1Default, "bafybeidajp2ewrtxcagm2u3qstbk2kw5srzbu7g7oraqepajpgumviz3z4",
                   45621766},
        DrngVector{174 * k256K + 1, "v0-seed", kV1Default,
                   "bafybeifr472xiwfk53w5s7bayijk3lq2go6ocqqcfch6ygy5qwza5hkdl4", 45621926},
        DrngVector{174 * 174 * 1024 + 1,
                   "v0-seed",
                   {1024, 174, true, 1},
                   "bafybeigm7qyuxgtrxb4bx44imvstqz5xeg4uyh7iusjtokidmzxisuruvu",
                   32466360},
        // Upstream Kubo cid_profiles_test vectors: unixfs-v1-2025 and unixfs-v0-2015.
        DrngVector{k1M, "chunk-v1-seed", kV1_2025, "bafkreiacndfy443ter6qr2tmbbdhadvxxheowwf75s6zehscklu6ezxmta", 0},
        DrngVector{k1M + 1, "chunk-v1-seed", kV1_2025, "bafybeigmix7t42i6jacydtquhet7srwvgpizfg7gjbq7627d35mjomtu64",
                   0},
        DrngVector{k256K, "chunk-v0-seed", kV0, "QmWmRj3dFDZdb6ABvbmKhEL6TmPbAfBZ1t5BxsEyJrcZhE", 0},
        DrngVector{k256K + 1, "chunk-v0-seed", kV0, "QmYyLxtzZyW22zpoVAtKANLRHpDjZtNeDjQdJrcQNWoRkJ", 0},
        DrngVector{174 * k256K, "v0-seed", kV0, "QmUbBALi174SnogsUzLpYbD4xPiBSFANF4iztWCsHbMKh2", 0},
        DrngVector{174 * k256K + 1, "v0-seed", kV0, "QmV81WL765sC8DXsRhE5fJv2rwhS4icHRaf3J9Zk5FdRnW", 0}));

}  // namespace
}  // namespace gw::domain
