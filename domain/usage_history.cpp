#include "domain/usage_history.hpp"

#include <charconv>
#include <chrono>
#include <cstdio>
#include <map>
#include <string>

#include "domain/audit_query.hpp"
#include "domain/error.hpp"

namespace gw::domain {
namespace {

namespace chr = std::chrono;

std::optional<chr::year_month_day> ParseDate(std::string_view text) {
  if (text.size() != 10 || text[4] != '-' || text[7] != '-') return std::nullopt;
  int year = 0;
  unsigned month = 0;
  unsigned day = 0;
  const auto part = [&text](std::size_t pos, std::size_t count, auto& out) {
    const char* end = text.data() + pos + count;
    const auto result = std::from_chars(text.data() + pos, end, out);
    return result.ec == std::errc() && result.ptr == end;
  };
  if (!part(0, 4, year) || !part(5, 2, month) || !part(8, 2, day)) return std::nullopt;
  const chr::year_month_day date{chr::year(year), chr::month(month), chr::day(day)};
  if (!date.ok()) return std::nullopt;
  return date;
}

std::string FormatDate(const chr::year_month_day& date) {
  char text[48];  // room for any int year: -Wformat-truncation cannot know the calendar's range
  std::snprintf(text, sizeof text, "%04d-%02u-%02u", static_cast<int>(date.year()), static_cast<unsigned>(date.month()),
                static_cast<unsigned>(date.day()));
  return text;
}

}  // namespace

int ParseUsageDays(std::optional<std::string_view> value) {
  return ParseBoundedInt(value, "days", kDefaultUsageDays, 1, kMaxUsageDays);
}

std::vector<DayUsage> FillDays(const RecordedUsage& recorded, int days) {
  const auto today = ParseDate(recorded.today);
  if (!today) throw Error(ErrorCode::kInternal, {}, {}, "FillDays: today is not a date: " + recorded.today);
  std::map<std::string, const DayUsage*, std::less<>> by_date;
  for (const auto& day : recorded.days) by_date[day.date] = &day;

  std::vector<DayUsage> filled;
  filled.reserve(static_cast<std::size_t>(days > 0 ? days : 0));
  const chr::sys_days last{*today};
  for (int back = days - 1; back >= 0; --back) {
    auto date = FormatDate(chr::year_month_day{last - chr::days(back)});
    const auto found = by_date.find(date);
    if (found != by_date.end()) {
      filled.push_back(*found->second);
    } else {
      filled.push_back(DayUsage{std::move(date), 0, 0, 0});
    }
  }
  return filled;
}

std::vector<DayUsage> ReadDailyUsage(FileRepository& repo, const Principal& caller, int days,
                                     std::int64_t unflushed_requests, const AuditContext& audit) {
  auto filled = FillDays(repo.DailyUsage(caller.user_id, days, audit), days);
  if (!filled.empty()) filled.back().requests += unflushed_requests;
  return filled;
}

}  // namespace gw::domain
