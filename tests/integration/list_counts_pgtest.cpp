// The list counters (migrations/V007__list_counts.sql) and the pages read from either end
// (persistence/pg_paged_list.hpp): the counters stay exact whichever writer changes a list, and
// pages tile a list with no row twice and none missing, ties in the sort time included.
#include <algorithm>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "content_test_support.hpp"
#include "domain/error.hpp"
#include "persistence/pg_file_repository.hpp"
#include "persistence/pg_paged_list.hpp"
#include "persistence/pg_session.hpp"
#include "pg_test_support.hpp"

namespace gw::persistence::testing {
namespace {

const domain::AuditContext kAudit{"req-lc", "198.51.100.9", std::nullopt};

// Every (list, owner) whose counter differs from a count of the rows, as "list/owner: counted
// vs actual" lines; empty when every counter is exact.
constexpr const char* kMismatches =
    "WITH actual AS ("
    " SELECT 'files' AS list, user_id AS owner, count(*) AS n FROM files WHERE deleted_at IS NULL GROUP BY 2"
    " UNION ALL SELECT 'pinned_files', user_id, count(*) FROM files WHERE deleted_at IS NULL AND pinned GROUP BY 2"
    " UNION ALL SELECT 'jobs', user_id, count(*) FROM jobs WHERE user_id IS NOT NULL GROUP BY 2"
    " UNION ALL SELECT 'audit', user_id, count(*) FROM audit_log WHERE user_id IS NOT NULL GROUP BY 2"
    " UNION ALL SELECT 'audit', 0, count(*) FROM audit_log),"
    " counted AS (SELECT list, owner, sum(n) AS n FROM list_counts GROUP BY 1, 2)"
    " SELECT COALESCE(string_agg(list || '/' || owner || ': ' || COALESCE(c.n, 0) || ' vs ' || COALESCE(a.n, 0), "
    "'; '), '') FROM actual a FULL JOIN counted c USING (list, owner) WHERE COALESCE(a.n, 0) <> COALESCE(c.n, 0)";

class ListCountsTest : public PgSuite {
 protected:
  void SetUp() override {
    PgSuite::SetUp();
    if (HasDatabase()) session_ = std::make_unique<PgSession>(Db().Dsn());
  }
  domain::FileRepository& Files() { return session_->Files(); }
  domain::UserId User(const std::string& name) { return UserIn(*session_, name); }
  static domain::UserId UserIn(PgSession& session, const std::string& name) {
    const std::string digits = std::to_string(++key_seed_);
    const domain::NewAccount account{name + "@counts.example.com", "", std::string(64 - digits.size(), 'c') + digits,
                                     "gw_c" + digits, false};
    return session.Accounts().CreateAccount(account, "register", kAudit);
  }
  static domain::StoredFile Record(PgSession& session, domain::UserId user, const std::string& bytes) {
    auto content = Imported(bytes);
    content.mime_type = "application/octet-stream";
    return session.Files().RecordUpload(
        user, content, "f.bin", "f.bin", [] {}, kAudit);
  }
  /// Runs `sql` (with $1 = the user's id) for its effect.
  static void Sql(const std::string& sql, domain::UserId user) {
    Db().Scalar("WITH done AS (" + sql + " RETURNING 1) SELECT count(*) FROM done", std::to_string(user));
  }
  /// `n` files for `user` in one INSERT ... SELECT, `ties` of them per upload time; the i-th
  /// content is the same for every user.
  static void BulkFiles(domain::UserId user, int n, int ties) {
    const std::string rows = "SELECT i, 'bafkbulk' || i AS cid FROM generate_series(1, " + std::to_string(n) + ") i";
    Db().Scalar("WITH c AS (INSERT INTO contents (cid, size, dag_size, mime_type) SELECT cid, 1, 1, 'x' FROM (" + rows +
                ") r ON CONFLICT (cid) DO NOTHING RETURNING 1) SELECT count(*) FROM c");
    Sql("INSERT INTO files (user_id, cid, original_filename, safe_filename, size, mime_type, pinned, uploaded_at) "
        "SELECT $1::bigint, cid, 'bulk-' || i, 'bulk-' || i, 1, 'x', i % 3 <> 0, "
        "timestamptz '2026-01-01Z' - (i / " +
            std::to_string(ties) + ") * interval '1 second' FROM (" + rows + ") r",
        user);
  }
  static std::string Mismatches() { return Db().Scalar(kMismatches); }
  static std::int64_t Counted(const std::string& list, domain::UserId owner) {
    return std::stoll(Db().Scalar(
        "SELECT COALESCE(sum(n), 0) FROM list_counts WHERE list = $1 AND owner = " + std::to_string(owner), list));
  }
  /// The user's live file ids in list order, from SQL.
  static std::vector<std::string> ExpectedOrder(domain::UserId user, const std::string& where = "") {
    const auto joined = Db().Scalar(
        "SELECT string_agg(cid, ',' ORDER BY uploaded_at DESC, id DESC) FROM files WHERE user_id = $1::bigint "
        "AND deleted_at IS NULL" +
            where,
        std::to_string(user));
    std::vector<std::string> cids;
    for (std::size_t start = 0; start < joined.size();) {
      const auto comma = joined.find(',', start);
      cids.push_back(joined.substr(start, comma == std::string::npos ? std::string::npos : comma - start));
      start = comma == std::string::npos ? joined.size() : comma + 1;
    }
    return cids;
  }
  /// Every page of the list, read one by one, concatenated.
  std::vector<std::string> AllPages(domain::UserId user, domain::FileQuery query, int pages) {
    std::vector<std::string> cids;
    for (int page = 1; page <= pages; ++page) {
      query.page = page;
      for (const auto& file : Files().List(user, query, kAudit).items) cids.push_back(file.cid);
    }
    return cids;
  }

  static inline int key_seed_ = 0;
  std::unique_ptr<PgSession> session_;
};

TEST_F(ListCountsTest, CountersFollowUploadsPinsDeletesAndRevivals) {
  const auto user = User("writer");
  const auto a = Record(*session_, user, "counted a");
  const auto b = Record(*session_, user, "counted b");
  Record(*session_, user, "counted b");  // the same bytes again: still one file
  EXPECT_EQ(Counted("files", user), 2);
  EXPECT_EQ(Counted("pinned_files", user), 2);
  ASSERT_TRUE(Files().SetPinned(user, a.cid, false, kAudit));
  EXPECT_EQ(Counted("pinned_files", user), 1);
  ASSERT_TRUE(Files().Remove(user, b.cid, kAudit));
  EXPECT_EQ(Counted("files", user), 1);
  EXPECT_EQ(Counted("pinned_files", user), 0);
  Record(*session_, user, "counted b");  // revives the deleted row
  EXPECT_EQ(Counted("files", user), 2);
  EXPECT_EQ(Counted("pinned_files", user), 1);
  EXPECT_EQ(Files().List(user, {}, kAudit).total, 2);
  EXPECT_GE(Counted("audit", user), 8);  // register, 3 uploads, unpin, delete, upload, list
  EXPECT_EQ(Mismatches(), "");
}

TEST_F(ListCountsTest, CountersFollowBulkStatementsGarbageCollectionAndAccountDeletion) {
  const auto user = User("bulk");
  const auto other = User("bulk-other");
  BulkFiles(user, 500, 1);
  BulkFiles(other, 30, 1);
  EXPECT_EQ(Counted("files", user), 500);
  EXPECT_EQ(Counted("pinned_files", user), 334);
  EXPECT_EQ(Mismatches(), "");

  // One UPDATE over two users' rows, some live, some not.
  Db().Scalar(
      "WITH d AS (UPDATE files SET deleted_at = now(), pinned = false WHERE cid IN ('bafkbulk1', 'bafkbulk2', "
      "'bafkbulk3') RETURNING 1) SELECT count(*) FROM d");
  EXPECT_EQ(Counted("files", user), 497);
  EXPECT_EQ(Counted("files", other), 27);
  // Garbage collection deletes dead rows only: the counts do not move.
  Db().Scalar("WITH d AS (DELETE FROM files WHERE deleted_at IS NOT NULL RETURNING 1) SELECT count(*) FROM d");
  EXPECT_EQ(Counted("files", user), 497);
  EXPECT_EQ(Mismatches(), "");

  // Jobs, one by one and in bulk, then everything of the account deleted by hand.
  Sql("INSERT INTO jobs (type, user_id, payload, max_attempts) SELECT 'noop', $1::bigint, '{}', 1 "
      "FROM generate_series(1, 40)",
      user);
  Sql("INSERT INTO jobs (type, user_id, payload, max_attempts) VALUES ('noop', $1::bigint, '{}', 1)", other);
  Db().Scalar(
      "WITH j AS (INSERT INTO jobs (type, payload, max_attempts) VALUES ('system', '{}', 1) RETURNING 1) "
      "SELECT count(*) FROM j");
  EXPECT_EQ(Counted("jobs", user), 40);
  EXPECT_EQ(Mismatches(), "");
  for (const char* table : {"files", "jobs", "audit_log", "api_keys", "sessions", "usage_daily"}) {
    Sql(std::string("DELETE FROM ") + table + " WHERE user_id = $1::bigint", user);
  }
  Sql("UPDATE audit_log SET actor_user_id = NULL WHERE actor_user_id = $1::bigint", user);
  Sql("DELETE FROM users WHERE id = $1::bigint", user);
  EXPECT_EQ(Counted("files", user), 0);
  EXPECT_EQ(Counted("jobs", user), 0);
  EXPECT_EQ(Counted("audit", user), 0);
  EXPECT_EQ(Counted("files", other), 27);
  EXPECT_EQ(Mismatches(), "");
}

TEST_F(ListCountsTest, ConcurrentSessionsAddToTheirOwnStripesAndTheSumStaysExact) {
  const auto user = User("striped");
  std::vector<std::unique_ptr<PgSession>> sessions;
  for (int i = 0; i < 4; ++i) sessions.push_back(std::make_unique<PgSession>(Db().Dsn()));
  for (int round = 0; round < 5; ++round) {
    for (std::size_t s = 0; s < sessions.size(); ++s) {
      Record(*sessions[s], user, "striped " + std::to_string(round) + "/" + std::to_string(s));
    }
  }
  EXPECT_EQ(Counted("files", user), 20);
  EXPECT_GE(std::stoi(Db().Scalar("SELECT count(*) FROM list_counts WHERE list = 'files' AND owner = " +
                                  std::to_string(user))),
            1);
  EXPECT_EQ(Mismatches(), "");
}

TEST_F(ListCountsTest, PagesTileTheListWithTiesFromEitherEnd) {
  const auto user = User("pager");
  BulkFiles(user, 47, 4);  // four files per upload time: ties across every page boundary
  const auto expected = ExpectedOrder(user);
  ASSERT_EQ(expected.size(), 47u);
  domain::FileQuery query;
  query.limit = 10;
  const auto pages = AllPages(user, query, 5);
  EXPECT_EQ(pages, expected);
  EXPECT_EQ(std::set<std::string>(pages.begin(), pages.end()).size(), 47u);

  query.page = 5;  // the last page, read from the end: 7 rows, in list order
  const auto last = Files().List(user, query, kAudit);
  ASSERT_EQ(last.items.size(), 7u);
  EXPECT_EQ(last.items.front().cid, expected[40]);
  EXPECT_EQ(last.items.back().cid, expected[46]);
  EXPECT_EQ(last.total, 47);
  EXPECT_TRUE(last.total_exact);
  query.page = 6;
  const auto past = Files().List(user, query, kAudit);
  EXPECT_TRUE(past.items.empty());
  EXPECT_EQ(past.total, 47);
  query.page = 1000000;
  EXPECT_TRUE(Files().List(user, query, kAudit).items.empty());

  // The pinned filter has counters too (pinned, and live minus pinned).
  domain::FileQuery pinned;
  pinned.limit = 4;
  pinned.pinned = true;
  const auto pinned_expected = ExpectedOrder(user, " AND pinned");
  EXPECT_EQ(AllPages(user, pinned, 9), pinned_expected);
  EXPECT_EQ(Files().List(user, pinned, kAudit).total, static_cast<std::int64_t>(pinned_expected.size()));
  pinned.pinned = false;
  const auto unpinned_expected = ExpectedOrder(user, " AND NOT pinned");
  EXPECT_EQ(AllPages(user, pinned, 5), unpinned_expected);
  EXPECT_EQ(Files().List(user, pinned, kAudit).total, static_cast<std::int64_t>(unpinned_expected.size()));

  // A name filter is counted (exactly, below the bound), and also read from the nearer end.
  domain::FileQuery named;
  named.limit = 3;
  named.name = "bulk-1";  // bulk-1, bulk-10 .. bulk-19
  const auto named_expected = ExpectedOrder(user, " AND original_filename LIKE 'bulk-1%'");
  ASSERT_EQ(named_expected.size(), 11u);
  EXPECT_EQ(AllPages(user, named, 4), named_expected);
  named.page = 4;
  const auto named_last = Files().List(user, named, kAudit);
  EXPECT_EQ(named_last.total, 11);
  EXPECT_TRUE(named_last.total_exact);
  EXPECT_EQ(named_last.items.size(), 2u);
}

TEST_F(ListCountsTest, AFilteredCountStopsAtItsBoundAndSaysSo) {
  const auto user = User("bounded");
  const int n = static_cast<int>(kCountBound) + 50;
  BulkFiles(user, n, 1);
  domain::FileQuery named;
  named.name = "bulk-";
  named.limit = 20;
  const auto first = Files().List(user, named, kAudit);
  EXPECT_FALSE(first.total_exact);
  EXPECT_EQ(first.total, kCountBound + 1);  // at least this many
  ASSERT_EQ(first.items.size(), 20u);
  EXPECT_EQ(first.items.front().original_filename, "bulk-1");
  // A page past the bound counts up to its own end: here the whole list, exact again.
  named.page = n / 20 + 1;  // its last 10 rows: the bound reaches the list's end
  const auto deep = Files().List(user, named, kAudit);
  EXPECT_TRUE(deep.total_exact);
  EXPECT_EQ(deep.total, n);
  ASSERT_EQ(deep.items.size(), 10u);
  EXPECT_EQ(deep.items.back().original_filename, "bulk-" + std::to_string(n));
  // The unfiltered list has its counter: exact however long.
  EXPECT_EQ(Files().List(user, {}, kAudit).total, n);
  EXPECT_TRUE(Files().List(user, {}, kAudit).total_exact);
}

TEST_F(ListCountsTest, TasksAndAuditPagesUseTheCountersAndTileFromEitherEnd) {
  const auto user = User("tasker");
  Sql("INSERT INTO jobs (type, user_id, payload, max_attempts, state, created_at) "
      "SELECT 'noop', $1::bigint, jsonb_build_object('i', i), 1, CASE WHEN i % 2 = 0 THEN 'succeeded' ELSE 'queued' "
      "END, "
      "timestamptz '2026-01-01Z' - (i / 3) * interval '1 second' FROM generate_series(1, 23) i",
      user);
  const auto expected = Db().Scalar(
      "SELECT string_agg(id::text, ',' ORDER BY created_at DESC, id DESC) FROM jobs WHERE user_id = $1::bigint",
      std::to_string(user));
  std::string paged;
  for (int page = 1; page <= 5; ++page) {
    const auto jobs = session_->Jobs().List(user, {}, page, 5);
    EXPECT_EQ(jobs.total, 23);
    for (const auto& job : jobs.items) paged += (paged.empty() ? "" : ",") + job.id;
  }
  EXPECT_EQ(paged, expected);
  const auto queued = session_->Jobs().List(user, {domain::JobState::kQueued}, 3, 5);  // the last page of 12
  EXPECT_EQ(queued.total, 12);
  EXPECT_EQ(queued.items.size(), 2u);

  // The audit log: the whole log and one account's from the counters, the rest counted.
  const auto all_total = std::stoll(Db().Scalar("SELECT count(*) FROM audit_log"));
  domain::AuditQuery everything;
  everything.limit = 7;
  EXPECT_EQ(session_->Audit().List(everything).total, all_total);
  everything.page = static_cast<int>((all_total + 6) / 7);
  const auto audit_last = session_->Audit().List(everything);
  EXPECT_EQ(audit_last.items.size(), static_cast<std::size_t>(all_total - (everything.page - 1) * 7));
  EXPECT_EQ(std::to_string(audit_last.items.back().id), Db().Scalar("SELECT min(id) FROM audit_log"));
  domain::AuditQuery mine;
  mine.user_email = "tasker@counts.example.com";
  EXPECT_EQ(session_->Audit().List(mine).total, 1);  // register
  mine.action = "register";
  EXPECT_EQ(session_->Audit().List(mine).total, 1);
}

}  // namespace
}  // namespace gw::persistence::testing
