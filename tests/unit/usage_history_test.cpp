#include "domain/usage_history.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "code_of.hpp"
#include "content_fakes.hpp"
#include "domain/error.hpp"

namespace gw::domain {
namespace {

using test::CodeOf;

std::vector<std::string> Dates(const std::vector<DayUsage>& days) {
  std::vector<std::string> dates;
  for (const auto& day : days) dates.push_back(day.date);
  return dates;
}

TEST(UsageDays, DefaultsToThirty) { EXPECT_EQ(ParseUsageDays(std::nullopt), 30); }

TEST(UsageDays, AcceptsOneToNinety) {
  EXPECT_EQ(ParseUsageDays("1"), 1);
  EXPECT_EQ(ParseUsageDays("7"), 7);
  EXPECT_EQ(ParseUsageDays("90"), 90);
}

TEST(UsageDays, RejectsAnythingElseNamingTheParameter) {
  for (const std::string_view bad : {"", "0", "91", "-1", "7d", " 7", "+7", "1.5", "99999999999"}) {
    try {
      ParseUsageDays(bad);
      ADD_FAILURE() << "accepted '" << bad << "'";
    } catch (const Error& error) {
      EXPECT_EQ(error.Code(), ErrorCode::kInvalidQuery) << "'" << bad << "'";
      EXPECT_EQ(error.Details(), (ErrorDetails{{"parameter", "days"}})) << "'" << bad << "'";
    }
  }
}

TEST(FillDays, GivesExactlyTheDaysEndingTodayOldestFirstWithZeroDays) {
  const RecordedUsage recorded{"2026-03-02", {{"2026-02-28", 2, 300, 9}, {"2026-03-02", 1, 5, 4}}};
  const auto filled = FillDays(recorded, 4);
  EXPECT_EQ(filled,
            (std::vector<DayUsage>{
                {"2026-02-27", 0, 0, 0}, {"2026-02-28", 2, 300, 9}, {"2026-03-01", 0, 0, 0}, {"2026-03-02", 1, 5, 4}}));
}

TEST(FillDays, CrossesMonthYearAndLeapDayBoundaries) {
  EXPECT_EQ(Dates(FillDays({"2024-03-01", {}}, 3)),
            (std::vector<std::string>{"2024-02-28", "2024-02-29", "2024-03-01"}));
  EXPECT_EQ(Dates(FillDays({"2026-01-01", {}}, 2)), (std::vector<std::string>{"2025-12-31", "2026-01-01"}));
  EXPECT_EQ(Dates(FillDays({"2025-03-01", {}}, 2)), (std::vector<std::string>{"2025-02-28", "2025-03-01"}));
}

TEST(FillDays, IgnoresRecordedDaysOutsideTheWindow) {
  const RecordedUsage recorded{"2026-03-02", {{"2026-02-01", 7, 7, 7}, {"2026-03-03", 8, 8, 8}}};
  EXPECT_EQ(FillDays(recorded, 2), (std::vector<DayUsage>{{"2026-03-01", 0, 0, 0}, {"2026-03-02", 0, 0, 0}}));
}

TEST(FillDays, NinetyDaysAreNinetyDistinctConsecutiveDates) {
  const auto filled = FillDays({"2026-01-15", {}}, kMaxUsageDays);
  ASSERT_EQ(filled.size(), 90u);
  EXPECT_EQ(filled.front().date, "2025-10-18");
  EXPECT_EQ(filled.back().date, "2026-01-15");
}

TEST(FillDays, RefusesATodayThatIsNotADate) {
  for (const std::string bad : {"", "2026-13-01", "2026-02-30", "2026-1-01", "20260101", "2026-01-01T00"}) {
    EXPECT_EQ(CodeOf([&] { FillDays({bad, {}}, 3); }), ErrorCode::kInternal) << bad;
  }
}

TEST(ReadDailyUsage, AsksForTheWindowAndAddsUnflushedRequestsToToday) {
  test::CallLog log;
  test::FakeFileRepository repo(log);
  repo.recorded_usage = {"2026-01-31", {{"2026-01-30", 1, 10, 3}, {"2026-01-31", 2, 20, 5}}};
  Principal caller;
  caller.user_id = 42;
  const auto filled = ReadDailyUsage(repo, caller, 3, 4, AuditContext{"req", "192.0.2.1", 42});
  EXPECT_EQ(log, (test::CallLog{"daily_usage 42 3"}));
  EXPECT_EQ(filled,
            (std::vector<DayUsage>{{"2026-01-29", 0, 0, 0}, {"2026-01-30", 1, 10, 3}, {"2026-01-31", 2, 20, 9}}));
}

}  // namespace
}  // namespace gw::domain
