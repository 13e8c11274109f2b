// The filesystem store needs no database; it lives with the integration tests because it does
// real I/O (temporary directories under /tmp, removed after each test).
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>

#include "content_test_support.hpp"
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
    EXPECT_EQ(Tmp(), 1u);
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
  EXPECT_EQ(LocalContentStore(root_.Path(), "/x/").InternalUri(cid).rfind("/x/", 0), 0u);
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
