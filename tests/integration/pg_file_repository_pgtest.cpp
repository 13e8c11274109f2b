#include <algorithm>
#include <filesystem>
#include <memory>

#include "content_test_support.hpp"
#include "domain/content_service.hpp"
#include "domain/error.hpp"
#include "persistence/garbage_collector.hpp"
#include "persistence/local_content_store.hpp"
#include "persistence/pg_file_repository.hpp"
#include "persistence/pg_session.hpp"
#include "pg_test_support.hpp"

namespace gw::persistence::testing {
namespace {

const domain::AuditContext kAudit{"req-f", "198.51.100.7", std::nullopt};

class PgFileRepositoryTest : public PgSuite {
 protected:
  void SetUp() override {
    PgSuite::SetUp();
    if (HasDatabase()) session_ = std::make_unique<PgSession>(Db().Dsn());
  }
  domain::FileRepository& Files() { return session_->Files(); }
  domain::UserId User(const std::string& name) {
    const std::string digits = std::to_string(++key_seed_);
    const domain::NewAccount account{name + "@files.example.com", "", std::string(64 - digits.size(), 'b') + digits,
                                     "gw_f" + digits, false};
    return session_->Accounts().CreateAccount(account, "register", kAudit);
  }
  /// Records an upload of `bytes` without a store (make_visible does nothing).
  domain::StoredFile Record(domain::UserId user, const std::string& bytes, const std::string& name) {
    auto content = Imported(bytes);
    content.mime_type = "application/octet-stream";
    return Files().RecordUpload(
        user, content, name, name, [] {}, kAudit);
  }
  /// The real path: the bytes go through the store and the content service.
  domain::StoredFile Upload(domain::UserId user, const std::string& bytes, const std::string& name) {
    const auto path = spool_.Path() + "/body";
    WriteFile(path, bytes);
    domain::ContentService service(store_);
    return service
        .Upload(Files(), domain::Principal{user, "", false, ""}, domain::UploadSource{path, 0, bytes.size(), name},
                kAudit)
        .file.value();
  }
  domain::Page<domain::StoredFile> List(domain::UserId user, const domain::FileQuery& query) {
    return Files().List(user, query, kAudit);
  }
  std::string Count(const std::string& sql, const std::string& cid) const { return Db().Scalar(sql, cid); }
  std::vector<std::string> Gc() { return CollectGarbage(Db().Dsn(), store_); }
  static bool Contains(const std::vector<std::string>& cids, const std::string& cid) {
    return std::find(cids.begin(), cids.end(), cid) != cids.end();
  }

  static inline int key_seed_ = 0;
  std::unique_ptr<PgSession> session_;  // after SetUp: the suite's database may be missing
  TempDir root_;
  TempDir spool_;
  LocalContentStore store_{root_.Path()};
};

TEST_F(PgFileRepositoryTest, TheSameBytesTwiceByOneUserAreOneFileAndOneContent) {
  const auto user = User("twice");
  const auto first = Upload(user, "same bytes", "first.txt");
  const auto second = Upload(user, "same bytes", "second.txt");
  EXPECT_EQ(first.cid, second.cid);
  EXPECT_EQ(second.original_filename, "second.txt");
  EXPECT_EQ(second.mime_type, "text/plain");
  EXPECT_TRUE(second.pinned);
  EXPECT_EQ(Count("SELECT count(*) FROM files WHERE cid = $1", first.cid), "1");
  EXPECT_EQ(Count("SELECT count(*) FROM contents WHERE cid = $1", first.cid), "1");
  EXPECT_EQ(Count("SELECT size || ' ' || mime_type FROM contents WHERE cid = $1", first.cid), "10 text/plain");
}

TEST_F(PgFileRepositoryTest, TwoUsersHoldOneContentStoredOnce) {
  const auto a = User("share-a");
  const auto b = User("share-b");
  const auto bytes = Bytes(300000, 11);
  const auto held_a = Upload(a, bytes, "a.bin");
  const auto held_b = Upload(b, bytes, "b.bin");
  EXPECT_EQ(held_a.cid, held_b.cid);
  EXPECT_EQ(Count("SELECT count(*) FROM files WHERE cid = $1", held_a.cid), "2");
  EXPECT_EQ(Count("SELECT count(*) FROM contents WHERE cid = $1", held_a.cid), "1");
  EXPECT_EQ(CountFiles(root_.Path() + "/files"), 1u);
  EXPECT_EQ(ReadFile(store_.FilePath(held_a.cid)), bytes);
  EXPECT_EQ(CountFiles(root_.Path() + "/tmp"), 0u);
}

TEST_F(PgFileRepositoryTest, DeletingThenUploadingAgainRevivesTheRow) {
  const auto user = User("revive");
  const auto file = Record(user, "revive me", "old.txt");
  const auto id = Count("SELECT id FROM files WHERE cid = $1", file.cid);
  ASSERT_TRUE(Files().SetPinned(user, file.cid, false, kAudit));
  ASSERT_TRUE(Files().Remove(user, file.cid, kAudit));
  EXPECT_FALSE(Files().FindHeld(user, file.cid, "retrieve", kAudit));
  EXPECT_FALSE(Files().Remove(user, file.cid, kAudit));
  EXPECT_EQ(List(user, {}).total, 0);

  const auto again = Record(user, "revive me", "new.txt");
  EXPECT_TRUE(again.pinned);
  EXPECT_EQ(again.original_filename, "new.txt");
  EXPECT_EQ(Count("SELECT id FROM files WHERE cid = $1", file.cid), id);
  EXPECT_EQ(Count("SELECT (deleted_at IS NULL)::text FROM files WHERE cid = $1", file.cid), "true");
  const auto found = Files().FindHeld(user, file.cid, "retrieve", kAudit);
  ASSERT_TRUE(found);
  EXPECT_EQ(found->safe_filename, "new.txt");
}

TEST_F(PgFileRepositoryTest, AnotherUsersCidCannotBePinnedUnpinnedRemovedOrFound) {
  const auto owner = User("owner");
  const auto other = User("other");
  const auto file = Record(owner, "owner's bytes", "mine.txt");
  EXPECT_FALSE(Files().SetPinned(other, file.cid, false, kAudit));
  EXPECT_FALSE(Files().SetPinned(other, file.cid, true, kAudit));
  EXPECT_FALSE(Files().Remove(other, file.cid, kAudit));
  EXPECT_FALSE(Files().FindHeld(other, file.cid, "retrieve", kAudit));
  const auto held = Files().FindHeld(owner, file.cid, "retrieve", kAudit);
  ASSERT_TRUE(held);
  EXPECT_TRUE(held->pinned);
  EXPECT_EQ(
      Db().Scalar("SELECT count(*) FROM audit_log WHERE action <> 'register' AND user_id = " + std::to_string(other)),
      "0");
}

TEST_F(PgFileRepositoryTest, ListFiltersNewestFirstAndReportsTotalsOnEveryPage) {
  const auto user = User("lister");
  const std::vector<std::string> names = {"Report_2024.txt", "reportX2024.txt", "50%off.pdf",
                                          "50 off.pdf",      "back\\slash.txt", "photo.PNG"};
  std::vector<std::string> cids;
  for (std::size_t i = 0; i < names.size(); ++i) cids.push_back(Record(user, "list " + names[i], names[i]).cid);
  Record(User("lister-other"), "someone else's report", "report.txt");

  auto names_of = [](const domain::Page<domain::StoredFile>& page) {
    std::vector<std::string> out;
    for (const auto& file : page.items) out.push_back(file.original_filename);
    return out;
  };
  const auto all = List(user, {});
  EXPECT_EQ(all.total, 6);
  EXPECT_EQ(names_of(all), (std::vector<std::string>{"photo.PNG", "back\\slash.txt", "50 off.pdf", "50%off.pdf",
                                                     "reportX2024.txt", "Report_2024.txt"}));

  domain::FileQuery query;
  query.name = "REPORT";
  EXPECT_EQ(names_of(List(user, query)), (std::vector<std::string>{"reportX2024.txt", "Report_2024.txt"}));
  query.name = "t_2024";  // '_' is literal, not "any character"
  EXPECT_EQ(names_of(List(user, query)), std::vector<std::string>{"Report_2024.txt"});
  query.name = "50%off";  // '%' is literal
  EXPECT_EQ(names_of(List(user, query)), std::vector<std::string>{"50%off.pdf"});
  query.name = "k\\s";
  EXPECT_EQ(names_of(List(user, query)), std::vector<std::string>{"back\\slash.txt"});
  query.name = "png";
  EXPECT_EQ(List(user, query).total, 1);

  ASSERT_TRUE(Files().SetPinned(user, cids[0], false, kAudit));
  ASSERT_TRUE(Files().SetPinned(user, cids[2], false, kAudit));
  domain::FileQuery unpinned;
  unpinned.pinned = false;
  EXPECT_EQ(names_of(List(user, unpinned)), (std::vector<std::string>{"50%off.pdf", "Report_2024.txt"}));
  unpinned.pinned = true;
  EXPECT_EQ(List(user, unpinned).total, 4);
  domain::FileQuery by_cid;
  by_cid.cid = cids[5];
  EXPECT_EQ(names_of(List(user, by_cid)), std::vector<std::string>{"photo.PNG"});

  domain::FileQuery paged;
  paged.limit = 4;
  const auto page1 = List(user, paged);
  EXPECT_EQ(page1.items.size(), 4u);
  EXPECT_EQ(page1.total, 6);
  paged.page = 2;
  const auto page2 = List(user, paged);
  EXPECT_EQ(names_of(page2), (std::vector<std::string>{"reportX2024.txt", "Report_2024.txt"}));
  EXPECT_EQ(page2.total, 6);
  paged.page = 3;
  const auto past_end = List(user, paged);
  EXPECT_TRUE(past_end.items.empty());
  EXPECT_EQ(past_end.total, 6);
  EXPECT_EQ(past_end.page, 3);

  paged.page = 0;
  EXPECT_THROW(List(user, paged), domain::Error);
}

TEST_F(PgFileRepositoryTest, UsageSumsLiveAndPinnedBytesAndReportsTheRequestCount) {
  const auto user = User("usage");
  const auto small = Record(user, std::string(100, 'a'), "100");
  const auto medium = Record(user, std::string(200, 'b'), "200");
  const auto large = Record(user, std::string(300, 'c'), "300");
  Db().Scalar("UPDATE users SET usage_count = 7 WHERE id = $1::bigint RETURNING id", std::to_string(user));
  auto usage = Files().Usage(user, kAudit);
  EXPECT_EQ(usage.file_count, 3);
  EXPECT_EQ(usage.stored_bytes, 600);
  EXPECT_EQ(usage.pinned_bytes, 600);
  EXPECT_EQ(usage.request_count, 7);
  ASSERT_TRUE(Files().SetPinned(user, medium.cid, false, kAudit));
  ASSERT_TRUE(Files().Remove(user, large.cid, kAudit));
  usage = Files().Usage(user, kAudit);
  EXPECT_EQ(usage.file_count, 2);
  EXPECT_EQ(usage.stored_bytes, 300);
  EXPECT_EQ(usage.pinned_bytes, 100);
  EXPECT_EQ(small.size, 100);
  const auto empty = Files().Usage(User("usage-empty"), kAudit);
  EXPECT_EQ(empty.file_count, 0);
  EXPECT_EQ(empty.stored_bytes, 0);
  EXPECT_EQ(empty.pinned_bytes, 0);
}

TEST_F(PgFileRepositoryTest, EveryActionWritesItsAuditRow) {
  const auto user = User("audited");
  const auto file = Record(user, "audited bytes", "audit \"me\".txt");
  Files().FindHeld(user, file.cid, "retrieve", kAudit);
  List(user, {});
  Files().SetPinned(user, file.cid, false, kAudit);
  Files().SetPinned(user, file.cid, true, kAudit);
  Files().Usage(user, kAudit);
  Files().Remove(user, file.cid, kAudit);
  const auto id = std::to_string(user);
  EXPECT_EQ(Db().Scalar("SELECT string_agg(action, ',' ORDER BY id) FROM audit_log WHERE action <> 'register' AND "
                        "user_id = " +
                        id),
            "upload,retrieve,list_files,unpin,pin,usage,delete_file");
  EXPECT_EQ(Db().Scalar("SELECT (details->>'cid') || '|' || (details->>'size') || '|' || (details->>'filename') || "
                        "'|' || request_id || '|' || client_address FROM audit_log WHERE action = 'upload' AND "
                        "user_id = " +
                        id),
            file.cid + "|13|audit \"me\".txt|req-f|198.51.100.7");
  EXPECT_EQ(Db().Scalar("SELECT count(*) FROM audit_log WHERE details->>'cid' = $1 AND action IN "
                        "('retrieve', 'pin', 'unpin', 'delete_file')",
                        file.cid),
            "4");
}

TEST_F(PgFileRepositoryTest, GarbageCollectionRemovesOnlyContentNobodyHoldsOrPins) {
  const auto a = User("gc-a");
  const auto b = User("gc-b");
  const auto shared_bytes = Bytes(600000, 21);  // three chunks: has a dag-pb root block
  const auto shared = Upload(a, shared_bytes, "shared.bin").cid;
  Upload(b, shared_bytes, "shared.bin");
  const auto kept = Upload(a, "a keeps this", "kept.txt").cid;

  ASSERT_TRUE(Files().Remove(a, shared, kAudit));
  EXPECT_FALSE(Contains(Gc(), shared));  // b still holds it
  ASSERT_TRUE(Files().SetPinned(b, shared, false, kAudit));
  EXPECT_FALSE(Contains(Gc(), shared));  // unpinned but still held (live)
  EXPECT_TRUE(std::filesystem::exists(store_.FilePath(shared)));

  ASSERT_TRUE(Files().Remove(b, shared, kAudit));
  ASSERT_TRUE(std::filesystem::exists(store_.BlocksPath(shared)));
  EXPECT_TRUE(Contains(Gc(), shared));
  EXPECT_FALSE(std::filesystem::exists(store_.FilePath(shared)));
  EXPECT_FALSE(std::filesystem::exists(store_.BlocksPath(shared)));
  EXPECT_EQ(Count("SELECT count(*) FROM contents WHERE cid = $1", shared), "0");
  EXPECT_EQ(Count("SELECT count(*) FROM files WHERE cid = $1", shared), "0");
  EXPECT_TRUE(std::filesystem::exists(store_.FilePath(kept)));
  EXPECT_EQ(Count("SELECT count(*) FROM contents WHERE cid = $1", kept), "1");

  // A pin on a deleted holding keeps the content too (the repository never makes one, but the
  // rule is "no live holder and no pin").
  const auto pinned = Upload(a, "pinned after delete", "p.txt").cid;
  ASSERT_TRUE(Files().Remove(a, pinned, kAudit));
  Db().Scalar("UPDATE files SET pinned = true WHERE cid = $1 RETURNING id", pinned);
  EXPECT_FALSE(Contains(Gc(), pinned));
  Db().Scalar("UPDATE files SET pinned = false WHERE cid = $1 RETURNING id", pinned);
  EXPECT_TRUE(Contains(Gc(), pinned));

  // Collected content comes back whole when uploaded again.
  const auto back = Upload(b, shared_bytes, "back.bin");
  EXPECT_EQ(back.cid, shared);
  EXPECT_EQ(ReadFile(store_.FilePath(shared)), shared_bytes);
  EXPECT_TRUE(std::filesystem::exists(store_.BlocksPath(shared)));
  EXPECT_EQ(Count("SELECT count(*) FROM contents WHERE cid = $1", shared), "1");
}

TEST(EscapeLikeTest, EscapesTheMetacharactersOnly) {
  EXPECT_EQ(EscapeLike("a%b_c\\d é"), "a\\%b\\_c\\\\d é");
  EXPECT_EQ(EscapeLike(""), "");
}

}  // namespace
}  // namespace gw::persistence::testing
