// CIDv0 files through the whole stack. A deployment that ran GW_CID_PROFILE=unixfs-v0-2015 has
// files recorded and stored as "Qm..." (the test stack runs the default profile, so the test
// puts such a file in place the way the store does: rows in `contents` and `files`, the bytes at
// <store>/files/<xx>/Qm..., xx the end of its CIDv1 spelling). It must be retrieved through
// nginx's internal /_content/ location, listed, pinned, unpinned and deleted under "Qm...", and
// found by its CIDv1 spelling too. The store and the content use cases under the profile itself
// are tested in tests/integration/cid_profile_pgtest.cpp.
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "task_support.hpp"

namespace gw::e2e {
namespace {

// "hello world\n" under unixfs-v0-2015 (ipfs-specs.md §1.12), its CIDv1 spelling (same
// multihash, dag-pb), and its one dag-pb block's size (the DAG size).
constexpr const char* kHelloV0 = "QmT78zSuBmuS4z925WZfrqQ1qHaJ56DQaTfyMUF7F8ff5o";
constexpr const char* kHelloV0AsV1 = "bafybeicg2rebjoofv4kbyovkw7af3rpiitvnl6i7ckcywaq6xjcxnc2mby";
constexpr const char* kHello = "hello world\n";
constexpr int kHelloDagSize = 20;

class ContentV0 : public TaskTest {
 protected:
  void TearDown() override {
    // Leave nothing behind for the store checks of other tests, whatever happened above.
    if (!placed_path_.empty()) {
      std::error_code ignored;
      std::filesystem::remove(placed_path_, ignored);
      try {
        PsqlValue(database_url_, "DELETE FROM files WHERE cid = " + SqlLiteral(kHelloV0) +
                                     "; DELETE FROM contents WHERE cid = " + SqlLiteral(kHelloV0));
      } catch (const std::exception& e) {
        ADD_FAILURE() << e.what();
      }
    }
    TaskTest::TearDown();
  }

  /// What a unixfs-v0-2015 upload of kHello by `user` leaves: the two rows and the stored file.
  void PlaceV0File(const Account& user) {
    const std::string v1 = kHelloV0AsV1;
    ASSERT_EQ(CidV0(v1), kHelloV0);
    ASSERT_EQ(CidV1OfV0(kHelloV0), v1);
    const std::string shard = StoreShardOf(kHelloV0);
    ASSERT_EQ(shard, v1.substr(v1.size() - 2));
    PsqlValue(database_url_, "INSERT INTO contents (cid, size, dag_size, mime_type) VALUES (" + SqlLiteral(kHelloV0) +
                                 ", 12, " + std::to_string(kHelloDagSize) + ", 'text/plain') ON CONFLICT DO NOTHING");
    PsqlValue(database_url_,
              "INSERT INTO files (user_id, cid, original_filename, safe_filename, size, mime_type) "
              "SELECT id, " +
                  SqlLiteral(kHelloV0) +
                  ", 'hello.txt', 'hello.txt', 12, 'text/plain' FROM users WHERE email = " + SqlLiteral(user.email));
    std::filesystem::create_directories(store_dir_ + "/files/" + shard);
    placed_path_ = StorePathOf(store_dir_, kHelloV0);
    std::ofstream(placed_path_, std::ios::binary) << kHello;
    ::chmod(placed_path_.c_str(), 0644);  // nginx's workers read it, as they read the store's own files
    // and the app's user owns it, as it owns the store (as root, ./gw runs the app as a service
    // user): the test deletes it through the API
    struct stat store {};
    ASSERT_EQ(::stat(store_dir_.c_str(), &store), 0);
    for (const std::string& path : {store_dir_ + "/files/" + shard, placed_path_}) {
      ASSERT_EQ(::chown(path.c_str(), store.st_uid, store.st_gid), 0) << path;
    }
    ASSERT_EQ(std::filesystem::file_size(placed_path_), 12u);
    EXPECT_EQ(UnexpectedStoreEntries(store_dir_), std::vector<std::string>{});
  }

  std::string placed_path_;
};

TEST_F(ContentV0, AQmFileIsRetrievedListedPinnedUnpinnedAndDeletedUnderItsCidV0) {
  ASSERT_TRUE(Require(store_dir_, "GW_TEST_STORE_DIR"));
  ASSERT_TRUE(Require(database_url_, "GW_TEST_APP_DATABASE_URL"));
  const auto user = RegisterUser("cidv0");
  ASSERT_NO_FATAL_FAILURE(PlaceV0File(user));

  // Retrieval: the worker redirects to /_content/<xx>/Qm..., which nginx serves.
  for (const std::string spelling : {kHelloV0, kHelloV0AsV1}) {  // from const char*: a copy is needed
    SCOPED_TRACE(spelling);
    const auto got = Retrieve(user, spelling);
    ASSERT_EQ(got.status, 200) << got.Describe();
    EXPECT_EQ(got.body, kHello);
    EXPECT_EQ(got.Header("etag").value_or(""), std::string("\"") + kHelloV0 + "\"") << got.Describe();
    EXPECT_TRUE(got.Header("content-type").value_or("").starts_with("text/plain")) << got.Describe();
  }
  const auto range = Retrieve(user, kHelloV0, {{"Range", "bytes=0-4"}});
  EXPECT_EQ(range.status, 206) << range.Describe();
  EXPECT_EQ(range.body, "hello");
  const auto head = Call("HEAD", std::string("/retrieve/") + kHelloV0, user);
  EXPECT_EQ(head.status, 200) << head.Describe();
  EXPECT_EQ(head.Header("content-length").value_or(""), "12") << head.Describe();
  EXPECT_EQ(Retrieve(user, kHelloV0, {{"If-None-Match", std::string("\"") + kHelloV0 + "\""}}).status, 304);

  // Listing, by any spelling of the CID as a filter: the file is named as recorded.
  for (const std::string& query :
       {std::string("/files"), std::string("/files?cid=") + kHelloV0, std::string("/files?cid=") + kHelloV0AsV1}) {
    SCOPED_TRACE(query);
    const auto list = Call("GET", query, user);
    ExpectSuccessEnvelope(list, 200);
    const auto items = list.Json()["data"];
    ASSERT_EQ(items.size(), 1u) << list.Describe();
    EXPECT_EQ(items[0].value("cid", ""), kHelloV0) << list.Describe();
  }

  // Pin, unpin and delete answer the CID as recorded, whichever spelling was asked.
  const auto unpinned = Call("POST", std::string("/unpin/") + kHelloV0, user);
  ExpectSuccessEnvelope(unpinned, 200);
  EXPECT_EQ(unpinned.Json()["data"].value("cid", ""), kHelloV0) << unpinned.Describe();
  EXPECT_EQ(unpinned.Json()["data"].value("pinned", true), false) << unpinned.Describe();
  const auto pinned = Call("POST", std::string("/pin/") + kHelloV0AsV1, user);
  ExpectSuccessEnvelope(pinned, 200);
  EXPECT_EQ(pinned.Json()["data"].value("cid", ""), kHelloV0) << pinned.Describe();
  const auto deleted = Call("DELETE", std::string("/files/") + kHelloV0, user);
  ExpectSuccessEnvelope(deleted, 200);
  EXPECT_EQ(deleted.Json()["data"].value("cid", ""), kHelloV0) << deleted.Describe();
  ExpectErrorEnvelope(Retrieve(user, kHelloV0), 404, "not_found");
}

TEST_F(ContentV0, NginxServesNoQmPathTheWorkerDidNotRedirectTo) {
  // The internal location is not reachable from outside, for CIDv0 names as for CIDv1 ones.
  ASSERT_TRUE(Require(store_dir_, "GW_TEST_STORE_DIR"));
  ASSERT_TRUE(Require(database_url_, "GW_TEST_APP_DATABASE_URL"));
  const auto user = RegisterUser("cidv0-internal");
  ASSERT_NO_FATAL_FAILURE(PlaceV0File(user));
  const std::string v1 = kHelloV0AsV1;
  const auto direct = Client().Request("GET", "/_content/" + v1.substr(v1.size() - 2) + "/" + kHelloV0);
  EXPECT_EQ(direct.status, 404) << direct.Describe();
  EXPECT_EQ(direct.body.find("hello world"), std::string::npos) << direct.Describe();
}

}  // namespace
}  // namespace gw::e2e
