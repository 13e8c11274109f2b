#pragma once
/// @file Validation of list parameters shared by list endpoints (page, limit, time bounds).

#include <optional>
#include <string>
#include <string_view>

namespace gw::domain {

inline constexpr int kDefaultPageLimit = 20;
inline constexpr int kMaxPageLimit = 100;

/// Parses a positive page number; throws kInvalidQuery naming `name` when malformed.
int ParsePageNumber(std::optional<std::string_view> value, std::string_view name = "page");
/// Parses a limit in [1, kMaxPageLimit]; throws kInvalidQuery when malformed or out of range.
int ParsePageLimit(std::optional<std::string_view> value, std::string_view name = "limit");
/// `fallback` when absent, else a decimal integer in [min, max]; throws kInvalidQuery naming `name`.
int ParseBoundedInt(std::optional<std::string_view> value, std::string_view name, int fallback, int min, int max);

/// Accepts "YYYY-MM-DD" or "YYYY-MM-DDTHH:MM[:SS[.fraction]]" with "Z" or "+HH:MM"/"-HH:MM";
/// throws kInvalidQuery naming `name` otherwise. Returns the value unchanged for PostgreSQL.
std::string RequireIso8601(std::string_view value, std::string_view name);

}  // namespace gw::domain
