// Garbage collection against a concurrent upload of the same bytes: whatever the interleaving,
// a live holding always has its bytes in the store.
#include <atomic>
#include <chrono>
#include <filesystem>
#include <future>
#include <latch>
#include <memory>
#include <random>
#include <sstream>
#include <thread>

#include "content_test_support.hpp"
#include "domain/content_service.hpp"
#include "persistence/local_content_store.hpp"
#include "persistence/pg_session.hpp"
#include "pg_test_support.hpp"

namespace gw::persistence::testing {
namespace {

using namespace std::chrono_literals;

const domain::AuditContext kAudit{"req-gc", "203.0.113.9", std::nullopt};

class ContentGcRaceTest : public PgSuite {
 protected:
  domain::UserId User(const std::string& name) {
    PgSession session(Db().Dsn());
    const std::string digits = std::to_string(++key_seed_);
    return session.Accounts().CreateAccount(
        {name + "@race.example.com", "", std::string(64 - digits.size(), 'c') + digits, "gw_r" + digits, false},
        "register", kAudit);
  }
  domain::StoredFile Upload(PgSession& session, domain::UserId user, const std::string& source) {
    domain::ContentService service(store_);
    return service
        .Upload(session.Files(), domain::Principal{user, "", false, ""},
                domain::UploadSource{source, 0, std::filesystem::file_size(source), "race.bin"}, kAudit)
        .file.value();
  }
  /// The invariant: every live holding of `user` has its bytes (and blocks) in the store.
  void ExpectEveryLiveHoldingHasItsBytes(domain::UserId user) const {
    std::istringstream cids(Db().Scalar(
        "SELECT coalesce(string_agg(cid, ' '), '') FROM files WHERE deleted_at IS NULL AND user_id = $1::bigint",
        std::to_string(user)));
    for (std::string cid; cids >> cid;) {
      EXPECT_TRUE(std::filesystem::exists(store_.FilePath(cid))) << "live holding without bytes: " << cid;
      EXPECT_TRUE(std::filesystem::exists(store_.BlocksPath(cid))) << "live holding without blocks: " << cid;
    }
  }

  static inline int key_seed_ = 0;
  TempDir root_;
  TempDir spool_;
  LocalContentStore store_{root_.Path()};
  std::string cid_;
};

TEST_F(ContentGcRaceTest, AConcurrentReuploadNeverLeavesAHoldingWithoutBytes) {
  const auto user = User("racer");
  const auto source = spool_.Path() + "/body";
  WriteFile(source, Bytes(300000, 31));  // two chunks: a file and a blocks directory
  PgSession uploader(Db().Dsn());
  PgSession collector(Db().Dsn());
  std::mt19937 random(7);
  // The test is about the race: it goes on until both orders came up (and at least 60 rounds),
  // and fails if one never did, since then it tested nothing but one order.
  constexpr int kMinRounds = 60;
  constexpr int kMaxRounds = 600;
  int gc_first = 0;
  int upload_first = 0;
  int round = 0;
  for (; round < kMaxRounds && (round < kMinRounds || gc_first == 0 || upload_first == 0); ++round) {
    cid_ = Upload(uploader, user, source).cid;
    ASSERT_TRUE(uploader.Files().Remove(user, cid_, kAudit));
    // Delay one side or the other by up to 3 ms, so that every interleaving comes up; on a
    // machine where one side always wins that way (a slow fsync), the range widens every 60 rounds.
    const auto jitter = std::chrono::microseconds(random() % (3000 * (1 + round / kMinRounds)));
    const bool delay_gc = random() % 2 == 0;
    std::latch start(2);
    auto gc = std::async(std::launch::async, [&] {
      start.arrive_and_wait();
      if (delay_gc) std::this_thread::sleep_for(jitter);
      return collector.Files().CollectGarbage([&](const std::string& cid) { store_.Remove(cid); });
    });
    auto upload = std::async(std::launch::async, [&] {
      start.arrive_and_wait();
      if (!delay_gc) std::this_thread::sleep_for(jitter);
      return Upload(uploader, user, source);
    });
    const auto removed = gc.get();
    const auto file = upload.get();
    // the collection removed the bytes (it came first, the upload wrote them again), or it
    // found them held or locked by the upload (the upload came first) and kept them
    if (std::count(removed.begin(), removed.end(), cid_) > 0) {
      ++gc_first;
    } else {
      ++upload_first;
    }
    ASSERT_TRUE(file.pinned);
    ASSERT_TRUE(std::filesystem::exists(store_.FilePath(cid_))) << "round " << round;
    ASSERT_TRUE(std::filesystem::exists(store_.BlocksPath(cid_))) << "round " << round;
    ASSERT_EQ(ReadFile(store_.FilePath(cid_)).size(), 300000u);
    ExpectEveryLiveHoldingHasItsBytes(user);
  }
  RecordProperty("rounds_where_gc_won", gc_first);
  RecordProperty("rounds_where_the_upload_won", upload_first);
  EXPECT_GT(gc_first, 0) << "in " << round << " rounds the collection never came first: the race was not tested";
  EXPECT_GT(upload_first, 0) << "in " << round << " rounds the upload never came first: the race was not tested";
}

// The collector holds the content row (inside remove_bytes) while an upload of the same bytes
// starts: the upload must wait, then insert the content again and write the bytes again.
TEST_F(ContentGcRaceTest, AnUploadWaitsForACollectionInProgressAndRestoresTheBytes) {
  const auto user = User("waiter");
  const auto source = spool_.Path() + "/body";
  WriteFile(source, Bytes(300000, 32));
  PgSession uploader(Db().Dsn());
  cid_ = Upload(uploader, user, source).cid;
  ASSERT_TRUE(uploader.Files().Remove(user, cid_, kAudit));

  std::promise<void> in_removal;
  std::promise<void> release;
  auto released = release.get_future().share();
  PgSession collector(Db().Dsn());
  auto gc = std::async(std::launch::async, [&] {
    return collector.Files().CollectGarbage([&](const std::string& cid) {
      store_.Remove(cid);
      if (cid == cid_) {
        in_removal.set_value();
        released.wait();
      }
    });
  });
  in_removal.get_future().wait();
  std::atomic<bool> made_visible = false;
  auto upload = std::async(std::launch::async, [&] {
    auto staged = store_.Stage(source, 0, 300000);
    return uploader.Files().RecordUpload(
        user, staged->Content(), "again.bin", "again.bin",
        [&] {
          made_visible = true;
          staged->Commit();
        },
        kAudit);
  });
  EXPECT_EQ(upload.wait_for(300ms), std::future_status::timeout);  // blocked on the content row
  EXPECT_FALSE(made_visible);
  release.set_value();
  const auto removed = gc.get();
  EXPECT_NE(std::find(removed.begin(), removed.end(), cid_), removed.end());
  EXPECT_EQ(upload.get().cid, cid_);
  EXPECT_EQ(ReadFile(store_.FilePath(cid_)).size(), 300000u);
  EXPECT_TRUE(std::filesystem::exists(store_.BlocksPath(cid_)));
  EXPECT_EQ(Db().Scalar("SELECT count(*) FROM contents WHERE cid = $1", cid_), "1");
}

// The upload holds the content row (inside make_visible) while the collector runs: the
// collector skips the content instead of waiting, and the bytes stay.
TEST_F(ContentGcRaceTest, ACollectionSkipsContentBeingUploaded) {
  const auto user = User("holder");
  const auto source = spool_.Path() + "/body";
  WriteFile(source, Bytes(300000, 33));
  PgSession uploader(Db().Dsn());
  cid_ = Upload(uploader, user, source).cid;
  ASSERT_TRUE(uploader.Files().Remove(user, cid_, kAudit));

  std::promise<void> in_upload;
  std::promise<void> release;
  auto released = release.get_future().share();
  auto upload = std::async(std::launch::async, [&] {
    auto staged = store_.Stage(source, 0, 300000);
    return uploader.Files().RecordUpload(
        user, staged->Content(), "again.bin", "again.bin",
        [&] {
          staged->Commit();
          in_upload.set_value();
          released.wait();
        },
        kAudit);
  });
  in_upload.get_future().wait();
  PgSession collector(Db().Dsn());
  const auto removed = collector.Files().CollectGarbage([&](const std::string& cid) { store_.Remove(cid); });
  EXPECT_EQ(std::find(removed.begin(), removed.end(), cid_), removed.end());
  release.set_value();
  EXPECT_TRUE(upload.get().pinned);
  EXPECT_TRUE(std::filesystem::exists(store_.FilePath(cid_)));
  // Held again now: a later run keeps it as well.
  const auto later = collector.Files().CollectGarbage([&](const std::string& cid) { store_.Remove(cid); });
  EXPECT_EQ(std::find(later.begin(), later.end(), cid_), later.end());
  EXPECT_TRUE(std::filesystem::exists(store_.FilePath(cid_)));
}

}  // namespace
}  // namespace gw::persistence::testing
