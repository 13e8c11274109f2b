// The filesystem store needs no database; it lives with the integration tests because it does
// real I/O (temporary directories under /tmp, removed after each test).
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <set>

#include "content_test_support.hpp"
#include "domain/cid.hpp"
#include "domain/cid_profile.hpp"
#include "domain/error.hpp"
#include "persistence/local_content_store.hpp"
#include "pg_test_support.hpp"

namespace gw::persistence::testing {
namespace {

struct stat Stat(const std::string& path) {
  struct stat st {};
  EXPECT_EQ(::stat(path.c_str(), &st), 0) << path;
  return st;
}

class LocalContentStoreTest : public ::testing::Test {
 protected:
  std::string Source(const std::string& name, const std::string& bytes) const {
    auto path = spool_.Path() + "/" + name;
    WriteFile(path, bytes);
    return path;
  }
  std::size_t Tmp() const {
    return static_cast<std::size_t>(std::distance(std::filesystem::directory_iterator(root_.Path() + "/tmp"),
                                                  std::filesystem::directory_iterator()));
  }

  TempDir root_;
  TempDir spool_;  // stands in for nginx's client_body_temp_path
  LocalContentStore store_{root_.Path()};
};

TEST_F(LocalContentStoreTest, StagedButNotCommittedLeavesNothingBehind) {
  const auto bytes = Bytes(300000, 1);
  const auto path = Source("body", bytes);
  {
    const auto staged = store_.Stage(path, 0, bytes.size());
    EXPECT_EQ(staged->Content().cid, Imported(bytes).cid);
    EXPECT_EQ(Tmp(), 2u);  // the staged file, and the blocks directory of its dag-pb root (two chunks)
  }
  EXPECT_EQ(CountFiles(root_.Path()), 0u);
  EXPECT_EQ(Tmp(), 0u);
  EXPECT_EQ(Stat(path).st_nlink, 1u);  // the source keeps its own name
}

TEST_F(LocalContentStoreTest, TheWholeFileIsHardLinkedNotCopied) {
  const auto bytes = Bytes(1000, 2);
  const auto path = Source("body", bytes);
  const auto staged = store_.Stage(path, 0, bytes.size());
  EXPECT_EQ(Stat(path).st_nlink, 2u);
  staged->Commit();
  const auto stored = store_.FilePath(staged->Content().cid);
  EXPECT_EQ(Stat(stored).st_ino, Stat(path).st_ino);
  // nginx deletes its name afterwards; the stored name keeps the bytes.
  std::filesystem::remove(path);
  EXPECT_EQ(ReadFile(stored), bytes);
  EXPECT_EQ(Tmp(), 0u);
}

TEST_F(LocalContentStoreTest, ARangeIsCopiedExactly) {
  const auto payload = Bytes(700000, 3);
  const auto path = Source("multipart", "--boundary\r\nheaders\r\n\r\n" + payload + "\r\n--boundary--\r\n");
  const auto staged = store_.Stage(path, 23, payload.size());
  const auto expected = Imported(payload);
  EXPECT_EQ(staged->Content().cid, expected.cid);
  EXPECT_EQ(staged->Content().size, expected.size);
  EXPECT_EQ(staged->Content().dag_size, expected.dag_size);
  staged->Commit();
  const auto stored = store_.FilePath(expected.cid);
  EXPECT_NE(Stat(stored).st_ino, Stat(path).st_ino);
  EXPECT_EQ(Stat(path).st_nlink, 1u);
  EXPECT_EQ(Sha256Hex(ReadFile(stored)), Sha256Hex(payload));
}

TEST_F(LocalContentStoreTest, TheCidMatchesImportBytesAndTheNodesAreStoredUnderTheRoot) {
  for (const std::size_t size :
       {std::size_t{0}, std::size_t{1}, std::size_t{262144}, std::size_t{262145}, std::size_t{3 * 262144 + 17}}) {
    const auto bytes = Bytes(size, static_cast<std::uint32_t>(size));
    const auto staged = store_.Stage(Source("body", bytes), 0, bytes.size());
    const auto expected = Imported(bytes);
    EXPECT_EQ(staged->Content().cid, expected.cid) << size;
    EXPECT_EQ(staged->Content().dag_size, expected.dag_size) << size;
    staged->Commit();
    EXPECT_EQ(ReadFile(store_.FilePath(expected.cid)), bytes);
    // More than one chunk: one dag-pb root over raw leaves, stored as a block named by its CID.
    if (size > 262144) {
      EXPECT_EQ(ReadFile(store_.BlocksPath(expected.cid) + "/" + expected.cid).empty(), false) << size;
    } else {
      EXPECT_FALSE(std::filesystem::exists(store_.BlocksPath(expected.cid))) << size;
    }
  }
  EXPECT_EQ(Tmp(), 0u);
}

TEST_F(LocalContentStoreTest, RepeatedSubtreesAreStoredOnce) {
  // 349 identical chunks: the first level is the same full 174-link node twice, then a node
  // over the last chunk, then the root; the repeated node is one block.
  const std::string bytes(std::size_t{349} * 262144, 'z');
  const auto staged = store_.Stage(Source("zeros", bytes), 0, bytes.size());
  staged->Commit();
  EXPECT_EQ(staged->Content().cid, Imported(bytes).cid);
  EXPECT_EQ(CountFiles(store_.BlocksPath(staged->Content().cid)), 3u);
}

TEST_F(LocalContentStoreTest, CommitIsIdempotentAndDeduplicates) {
  const auto bytes = Bytes(600000, 4);
  const auto first = store_.Stage(Source("a", bytes), 0, bytes.size());
  first->Commit();
  first->Commit();
  const auto stored = store_.FilePath(first->Content().cid);
  const auto inode = Stat(stored).st_ino;
  const auto second = store_.Stage(Source("b", bytes), 0, bytes.size());
  second->Commit();
  EXPECT_EQ(Stat(stored).st_ino, inode);  // the first copy stays; the second staging is dropped
  EXPECT_EQ(ReadFile(stored), bytes);
  EXPECT_EQ(Tmp(), 0u);
  EXPECT_EQ(CountFiles(root_.Path() + "/files"), 1u);
}

TEST_F(LocalContentStoreTest, DetectsTheMimeTypeAndTreatsAnEmptyBodyAsOctetStream) {
  const std::string png("\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01\x08\x06\0\0\0\x1f\x15\xc4\x89", 33);
  EXPECT_EQ(store_.Stage(Source("png", png), 0, png.size())->Content().mime_type, "image/png");
  const std::string text = "hello, plain text\n";
  EXPECT_EQ(store_.Stage(Source("txt", text), 0, text.size())->Content().mime_type, "text/plain");
  const auto empty = store_.Stage("/dev/null", 0, 0);
  EXPECT_EQ(empty->Content().mime_type, kEmptyContentMimeType);
  EXPECT_EQ(empty->Content().cid, Imported("").cid);
  empty->Commit();
  EXPECT_EQ(ReadFile(store_.FilePath(Imported("").cid)), "");
}

TEST_F(LocalContentStoreTest, ARangeBeyondTheEndIsAnInternalError) {
  const auto path = Source("short", "0123456789");
  try {
    store_.Stage(path, 5, 6);
    FAIL() << "accepted a range beyond the end";
  } catch (const domain::Error& e) {
    EXPECT_EQ(e.Code(), domain::ErrorCode::kInternal);
    EXPECT_NE(e.InternalMessage().find(path), std::string::npos) << e.InternalMessage();
  }
  EXPECT_EQ(Tmp(), 0u);
}

TEST_F(LocalContentStoreTest, RemoveDeletesTheFileAndItsBlocksAndIgnoresMissingContent) {
  const auto bytes = Bytes(600000, 5);
  const auto staged = store_.Stage(Source("body", bytes), 0, bytes.size());
  staged->Commit();
  const auto cid = staged->Content().cid;
  ASSERT_TRUE(std::filesystem::exists(store_.BlocksPath(cid)));
  store_.Remove(cid);
  EXPECT_FALSE(std::filesystem::exists(store_.FilePath(cid)));
  EXPECT_FALSE(std::filesystem::exists(store_.BlocksPath(cid)));
  EXPECT_EQ(Tmp(), 0u);
  EXPECT_NO_THROW(store_.Remove(cid));
  EXPECT_THROW(store_.Remove("../etc"), domain::Error);
}

TEST_F(LocalContentStoreTest, TheInternalUriUsesTheShardOfTheFilesDirectory) {
  const auto cid = Imported("uri").cid;
  EXPECT_EQ(store_.InternalUri(cid), "/_content/" + cid.substr(cid.size() - 2) + "/" + cid);
  EXPECT_EQ(store_.FilePath(cid), root_.Path() + "/files/" + cid.substr(cid.size() - 2) + "/" + cid);
  EXPECT_EQ(LocalContentStore(root_.Path(), {}, "/x/").InternalUri(cid).rfind("/x/", 0), 0u);
}

// --- unixfs-v0-2015: CIDv0 names, dag-pb leaves streamed to disk -------------------------------

class LocalContentStoreV0Test : public LocalContentStoreTest {
 protected:
  const domain::ImportParams v0_ = domain::ImportParamsOf(domain::CidProfile::kUnixFsV0_2015);
  LocalContentStore v0_store_{root_.Path(), v0_};
};

/// The shard a CID's files live in: the last two characters of its CIDv1 base32 spelling.
std::string ShardOf(const std::string& cid) {
  const auto v1 = domain::Cid::Parse(cid).ToCanonicalV1String();
  return v1.substr(v1.size() - 2);
}

TEST_F(LocalContentStoreV0Test, TheContentIsNamedByItsCidV0AndShardedByItsCidV1) {
  const auto bytes = Bytes(3 * 262144 + 17, 21);
  const auto staged = v0_store_.Stage(Source("body", bytes), 0, bytes.size());
  const auto expected = Imported(bytes, v0_);
  ASSERT_TRUE(expected.cid.starts_with("Qm")) << expected.cid;
  EXPECT_EQ(staged->Content().cid, expected.cid);
  EXPECT_EQ(staged->Content().dag_size, expected.dag_size);
  staged->Commit();
  const auto shard = ShardOf(expected.cid);
  EXPECT_EQ(store_.FilePath(expected.cid), root_.Path() + "/files/" + shard + "/" + expected.cid);
  EXPECT_EQ(store_.InternalUri(expected.cid), "/_content/" + shard + "/" + expected.cid);
  EXPECT_EQ(ReadFile(v0_store_.FilePath(expected.cid)), bytes);
  // Shards are base32 like the CIDv1 ones (nginx's /_content/ location allows nothing else),
  // and CIDv0s spread over them: "Qm..." itself starts the same for every content.
  std::set<std::string> shards;
  for (std::uint32_t seed = 0; seed < 64; ++seed) {
    const auto cid = Imported(Bytes(100, seed), v0_).cid;
    const auto s = ShardOf(cid);
    EXPECT_EQ(s.find_first_not_of("abcdefghijklmnopqrstuvwxyz234567"), std::string::npos) << s;
    EXPECT_EQ(store_.FilePath(cid), root_.Path() + "/files/" + s + "/" + cid);
    shards.insert(s);
  }
  EXPECT_GT(shards.size(), 50u);
}

TEST_F(LocalContentStoreV0Test, EveryDagPbBlockIsWrittenWhileStagingAndCommittedUnderTheRoot) {
  const auto bytes = Bytes(3 * 262144 + 17, 22);
  const auto staged = v0_store_.Stage(Source("body", bytes), 0, bytes.size());
  // The leaves went to disk during the import (a staging directory beside the staged file):
  // they are a copy of the file and never wait in memory.
  EXPECT_EQ(Tmp(), 2u);
  staged->Commit();
  EXPECT_EQ(Tmp(), 0u);
  const auto cid = staged->Content().cid;
  const auto blocks = v0_store_.BlocksPath(cid);
  EXPECT_EQ(blocks, root_.Path() + "/blocks/" + ShardOf(cid) + "/" + cid);
  // 4 dag-pb leaves and their root, each named by its canonical CIDv1 and hashing to it.
  EXPECT_EQ(CountFiles(blocks), 5u);
  std::uint64_t leaf_bytes = 0;
  domain::OpenSslSha256 sha;
  for (const auto& entry : std::filesystem::directory_iterator(blocks)) {
    const auto block = ReadFile(entry.path().string());
    const auto digest = sha.Digest(std::span(reinterpret_cast<const std::uint8_t*>(block.data()), block.size()));
    EXPECT_EQ(entry.path().filename().string(),
              domain::Cid::FromSha256(domain::codec::kDagPb, digest).ToCanonicalV1String());
    if (block[0] == 0x0a) leaf_bytes += block.size();  // Data first: a leaf (a parent starts with links)
  }
  EXPECT_TRUE(std::filesystem::exists(blocks + "/" + domain::Cid::Parse(cid).ToCanonicalV1String()));  // the root
  EXPECT_GT(leaf_bytes, bytes.size());  // the leaves wrap every byte of the file

  v0_store_.Remove(cid);
  EXPECT_FALSE(std::filesystem::exists(v0_store_.FilePath(cid)));
  EXPECT_FALSE(std::filesystem::exists(blocks));
  EXPECT_EQ(Tmp(), 0u);
}

TEST_F(LocalContentStoreV0Test, AOneChunkFileKeepsItsLeafAsTheRootBlock) {
  for (const std::size_t size : {std::size_t{0}, std::size_t{12}, std::size_t{262144}}) {
    const auto bytes = size == 12 ? std::string("hello world\n") : Bytes(size, 23);
    const auto staged = v0_store_.Stage(size == 0 ? "/dev/null" : Source("body", bytes), 0, bytes.size());
    const auto expected = Imported(bytes, v0_);
    EXPECT_EQ(staged->Content().cid, expected.cid) << size;
    staged->Commit();
    const auto blocks = v0_store_.BlocksPath(expected.cid);
    EXPECT_EQ(CountFiles(blocks), 1u) << size;
    EXPECT_TRUE(std::filesystem::exists(blocks + "/" + domain::Cid::Parse(expected.cid).ToCanonicalV1String()));
  }
  EXPECT_EQ(Imported("hello world\n", v0_).cid, "QmT78zSuBmuS4z925WZfrqQ1qHaJ56DQaTfyMUF7F8ff5o");
  EXPECT_EQ(Imported("", v0_).cid, "QmbFMke1KXqnYyBBWxB74N4c5SBnJMVAiMNRcGu6x1AwQH");
  EXPECT_EQ(Tmp(), 0u);
}

TEST_F(LocalContentStoreV0Test, StagedButNotCommittedLeavesNoBlocksBehind) {
  const auto bytes = Bytes(2 * 262144 + 1, 24);
  {
    const auto staged = v0_store_.Stage(Source("body", bytes), 0, bytes.size());
    EXPECT_EQ(Tmp(), 2u);
  }
  EXPECT_EQ(Tmp(), 0u);
  EXPECT_EQ(CountFiles(root_.Path()), 0u);
}

TEST_F(LocalContentStoreV0Test, CommittingContentAlreadyStoredDropsTheNewBlocks) {
  const auto bytes = Bytes(2 * 262144 + 1, 25);
  v0_store_.Stage(Source("a", bytes), 0, bytes.size())->Commit();
  const auto again = v0_store_.Stage(Source("b", bytes), 0, bytes.size());
  again->Commit();
  EXPECT_EQ(CountFiles(v0_store_.BlocksPath(again->Content().cid)), 4u);  // 3 leaves + root, once
  EXPECT_EQ(Tmp(), 0u);
}

TEST_F(LocalContentStoreTest, UnixFsV1_2025NamesByItsOwnCid) {
  LocalContentStore v1_2025(root_.Path(), domain::ImportParamsOf(domain::CidProfile::kUnixFsV1_2025));
  const auto bytes = Bytes(262145, 26);  // one 1 MiB chunk: a raw leaf, no blocks
  const auto staged = v1_2025.Stage(Source("body", bytes), 0, bytes.size());
  EXPECT_TRUE(staged->Content().cid.starts_with("bafkrei")) << staged->Content().cid;
  EXPECT_NE(staged->Content().cid, Imported(bytes).cid);
  staged->Commit();
  EXPECT_FALSE(std::filesystem::exists(v1_2025.BlocksPath(staged->Content().cid)));
}

TEST_F(LocalContentStoreTest, CleanStaleStagingRemovesOnlyEntriesOfDeadProcesses) {
  const pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) ::_exit(0);
  ASSERT_EQ(::waitpid(child, nullptr, 0), child);  // reaped: the pid names no process now
  const auto tmp = root_.Path() + "/tmp/";
  WriteFile(tmp + std::to_string(child) + "-0123456789abcdef.part", "partial");
  std::filesystem::create_directory(tmp + std::to_string(child) + "-0123456789abcdef.blocks");
  WriteFile(tmp + std::to_string(child) + "-0123456789abcdef.blocks/node", "node");
  WriteFile(tmp + std::to_string(::getpid()) + "-0123456789abcdef.part", "in progress");
  WriteFile(tmp + "README", "not ours");
  EXPECT_EQ(LocalContentStore::CleanStaleStaging(root_.Path()), 2u);
  EXPECT_FALSE(std::filesystem::exists(tmp + std::to_string(child) + "-0123456789abcdef.part"));
  EXPECT_FALSE(std::filesystem::exists(tmp + std::to_string(child) + "-0123456789abcdef.blocks"));
  EXPECT_TRUE(std::filesystem::exists(tmp + std::to_string(::getpid()) + "-0123456789abcdef.part"));
  EXPECT_TRUE(std::filesystem::exists(tmp + "README"));
  EXPECT_EQ(LocalContentStore::CleanStaleStaging(root_.Path() + "/missing"), 0u);
}

}  // namespace
}  // namespace gw::persistence::testing
