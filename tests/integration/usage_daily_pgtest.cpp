// usage_daily (V006): written by RecordUpload and the usage flusher, read by DailyUsage and Usage.
#include <pqxx/pqxx>

#include <memory>
#include <string>

#include "content_test_support.hpp"
#include "persistence/pg_session.hpp"
#include "persistence/usage_flusher.hpp"
#include "pg_test_support.hpp"

namespace gw::persistence::testing {
namespace {

using namespace std::chrono_literals;

const domain::AuditContext kAudit{"req-d", "198.51.100.9", std::nullopt};

class UsageDailyTest : public PgSuite {
 protected:
  void SetUp() override {
    PgSuite::SetUp();
    if (HasDatabase()) session_ = std::make_unique<PgSession>(Db().Dsn());
  }
  domain::UserId User(const std::string& name) {
    const std::string digits = std::to_string(++key_seed_);
    const domain::NewAccount account{name + "@daily.example.com", "", std::string(64 - digits.size(), 'd') + digits,
                                     "gw_d" + digits, false};
    return session_->Accounts().CreateAccount(account, "register", kAudit);
  }
  void Record(domain::UserId user, const std::string& bytes) {
    auto content = Imported(bytes);
    content.mime_type = "application/octet-stream";
    session_->Files().RecordUpload(
        user, content, "f.bin", "f.bin", [] {}, kAudit);
  }
  /// The UTC date `offset` days from today, as PostgreSQL computes it.
  std::string UtcDay(int offset) const {
    return Db().Scalar("SELECT to_char((now() AT TIME ZONE 'UTC')::date + " + std::to_string(offset) +
                       ", 'YYYY-MM-DD')");
  }
  void Insert(domain::UserId user, int offset, int uploads, int bytes, int requests) const {
    Db().Scalar("INSERT INTO usage_daily VALUES (" + std::to_string(user) + ", (now() AT TIME ZONE 'UTC')::date + " +
                std::to_string(offset) + ", " + std::to_string(uploads) + ", " + std::to_string(bytes) + ", " +
                std::to_string(requests) + ") RETURNING 1");
  }
  /// Makes every new connection to the suite's database use `zone` (as a server configured so).
  void SetDatabaseTimeZone(const std::string& zone) const {
    pqxx::connection connection(Db().Dsn());
    pqxx::nontransaction txn(connection);
    txn.exec_params("SELECT set_config('gw.zone', $1, false)", zone);
    txn.exec0(
        "DO $$ BEGIN EXECUTE format('ALTER DATABASE %I SET timezone = %L', current_database(), "
        "current_setting('gw.zone')); END $$");
  }

  static inline int key_seed_ = 0;
  std::unique_ptr<PgSession> session_;
};

TEST_F(UsageDailyTest, UploadsAreCountedOnTodaysUtcRowWithTheirBytes) {
  const auto user = User("uploads");
  const auto other = User("other");
  Record(user, "first upload");
  Record(user, "the second upload");
  Record(other, "someone else's");
  const auto recorded = session_->Files().DailyUsage(user, 30, kAudit);
  EXPECT_EQ(recorded.today, UtcDay(0));
  ASSERT_EQ(recorded.days.size(), 1u);
  EXPECT_EQ(recorded.days[0], (domain::DayUsage{UtcDay(0), 2, 12 + 17, 0}));
  EXPECT_EQ(Db().Scalar("SELECT details->>'days' FROM audit_log WHERE action = 'usage' AND user_id = " +
                        std::to_string(user)),
            "30");
}

TEST_F(UsageDailyTest, ReadsExactlyTheWindowEndingToday) {
  const auto user = User("window");
  Insert(user, -3, 1, 1, 1);  // one day before a 3-day window
  Insert(user, -2, 2, 20, 200);
  Insert(user, 0, 3, 30, 300);
  Insert(user, 1, 9, 9, 9);  // a future day (never written) stays out
  const auto recorded = session_->Files().DailyUsage(user, 3, kAudit);
  ASSERT_EQ(recorded.days.size(), 2u);
  EXPECT_EQ(recorded.days[0], (domain::DayUsage{UtcDay(-2), 2, 20, 200}));
  EXPECT_EQ(recorded.days[1], (domain::DayUsage{UtcDay(0), 3, 30, 300}));
  EXPECT_EQ(session_->Files().DailyUsage(user, 1, kAudit).days.size(), 1u);
  EXPECT_EQ(session_->Files().DailyUsage(user, 90, kAudit).days.size(), 3u);
}

TEST_F(UsageDailyTest, AUserWithoutUsageGetsTodayAndNoDays) {
  const auto user = User("idle");
  const auto recorded = session_->Files().DailyUsage(user, 30, kAudit);
  EXPECT_EQ(recorded.today, UtcDay(0));
  EXPECT_TRUE(recorded.days.empty());
}

TEST_F(UsageDailyTest, DaysAreUtcDaysWhateverTheConnectionsTimeZone) {
  const auto user = User("zones");
  // +14 and -11 hours: at any moment, one of them is on another calendar day than UTC.
  for (const std::string zone : {"Pacific/Kiritimati", "Pacific/Pago_Pago"}) {
    SetDatabaseTimeZone(zone);
    PgSession session(Db().Dsn());  // a new connection, in that zone
    auto content = Imported("zone " + zone);
    content.mime_type = "application/octet-stream";
    session.Files().RecordUpload(
        user, content, "z", "z", [] {}, kAudit);
    const auto recorded = session.Files().DailyUsage(user, 2, kAudit);
    EXPECT_EQ(recorded.today, UtcDay(0)) << zone;
    ASSERT_EQ(recorded.days.size(), 1u) << zone;
    EXPECT_EQ(recorded.days[0].date, UtcDay(0)) << zone;
  }
  SetDatabaseTimeZone("UTC");
  EXPECT_EQ(Db().Scalar("SELECT uploads FROM usage_daily WHERE user_id = $1::bigint", std::to_string(user)), "2");
}

TEST_F(UsageDailyTest, FlushedRequestsGoToTodaysRowAndTheMonthsCount) {
  const auto user = User("requests");
  Insert(user, 0, 1, 5, 0);
  domain::UsageCounter counter;
  UsageFlusher flusher(Db().Dsn(), counter, std::chrono::hours(1));
  counter.Add(user, 7);
  counter.Add(999'999, 3);  // no such user: skipped, it must not fail the flush
  flusher.Stop();
  EXPECT_EQ(counter.Pending(user), 0);
  const auto recorded = session_->Files().DailyUsage(user, 1, kAudit);
  ASSERT_EQ(recorded.days.size(), 1u);
  EXPECT_EQ(recorded.days[0], (domain::DayUsage{UtcDay(0), 1, 5, 7}));
  // The month's count adds the days since the first of this UTC month, not earlier ones.
  const int day_of_month = std::stoi(Db().Scalar("SELECT extract(day FROM now() AT TIME ZONE 'UTC')::int"));
  Insert(user, -day_of_month, 0, 0, 1000);  // the last day of the previous month
  if (day_of_month > 1) Insert(user, -1, 0, 0, 20);
  const auto usage = session_->Files().Usage(user, kAudit);
  EXPECT_EQ(usage.requests_this_month, 7 + (day_of_month > 1 ? 20 : 0));
  EXPECT_EQ(usage.request_count, 7);
}

}  // namespace
}  // namespace gw::persistence::testing
