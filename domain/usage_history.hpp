#pragma once
/// @file A user's usage per UTC calendar day: the use case behind GET /usage/daily.

#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include "domain/account.hpp"
#include "domain/content.hpp"

namespace gw::domain {

inline constexpr int kDefaultUsageDays = 30;
inline constexpr int kMaxUsageDays = 90;  //!< as far back as the dashboard looks (and the table is read)

/// The `days` query parameter: absent is kDefaultUsageDays; else an integer in
/// [1, kMaxUsageDays], or kInvalidQuery naming "days".
int ParseUsageDays(std::optional<std::string_view> value);

/// Exactly `days` entries, oldest first, the last one `recorded.today`: a recorded day keeps its
/// counts, every other day is zero. Recorded days outside the window are ignored. Throws
/// kInternal when `recorded.today` is not a "YYYY-MM-DD" date.
std::vector<DayUsage> FillDays(const RecordedUsage& recorded, int days);

/// The caller's usage of the `days` days ending today (UTC). `unflushed_requests` (this process's
/// count not yet written) belong to today, as they will when they are flushed.
std::vector<DayUsage> ReadDailyUsage(FileRepository& repo, const Principal& caller, int days,
                                     std::int64_t unflushed_requests, const AuditContext& audit);

}  // namespace gw::domain
