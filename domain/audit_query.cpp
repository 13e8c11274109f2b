#include "domain/audit_query.hpp"

#include <cctype>
#include <charconv>

#include "domain/error.hpp"

namespace gw::domain {
namespace {

Error QueryError(std::string_view name, std::string message) {
  return Error(ErrorCode::kInvalidQuery, std::move(message), {{"parameter", std::string(name)}});
}

bool Digits(std::string_view s, std::size_t pos, std::size_t count) {
  if (pos + count > s.size()) return false;
  for (std::size_t i = pos; i < pos + count; ++i) {
    if (!std::isdigit(static_cast<unsigned char>(s[i]))) return false;
  }
  return true;
}

int Number(std::string_view s, std::size_t pos, std::size_t count) {
  int value = 0;
  std::from_chars(s.data() + pos, s.data() + pos + count, value);
  return value;
}

bool ValidDate(std::string_view s) {
  if (!Digits(s, 0, 4) || s[4] != '-' || !Digits(s, 5, 2) || s[7] != '-' || !Digits(s, 8, 2)) return false;
  const int month = Number(s, 5, 2);
  const int day = Number(s, 8, 2);
  return month >= 1 && month <= 12 && day >= 1 && day <= 31;
}

bool ValidTime(std::string_view s) {  // s starts after the 'T'
  if (!Digits(s, 0, 2) || s.size() < 5 || s[2] != ':' || !Digits(s, 3, 2)) return false;
  if (Number(s, 0, 2) > 23 || Number(s, 3, 2) > 59) return false;
  std::size_t pos = 5;
  if (pos < s.size() && s[pos] == ':') {
    if (!Digits(s, pos + 1, 2) || Number(s, pos + 1, 2) > 60) return false;
    pos += 3;
    if (pos < s.size() && s[pos] == '.') {
      const std::size_t start = ++pos;
      while (pos < s.size() && std::isdigit(static_cast<unsigned char>(s[pos]))) ++pos;
      if (pos == start || pos - start > 9) return false;
    }
  }
  const std::string_view zone = s.substr(pos);
  if (zone == "Z") return true;
  return zone.size() == 6 && (zone[0] == '+' || zone[0] == '-') && Digits(zone, 1, 2) && zone[3] == ':' &&
         Digits(zone, 4, 2) && Number(zone, 1, 2) <= 14 && Number(zone, 4, 2) <= 59;
}

}  // namespace

int ParseBoundedInt(std::optional<std::string_view> value, std::string_view name, int fallback, int min, int max) {
  if (!value) return fallback;
  int parsed = 0;
  const auto [end, ec] = std::from_chars(value->data(), value->data() + value->size(), parsed);
  if (value->empty() || ec != std::errc() || end != value->data() + value->size() || parsed < min || parsed > max) {
    throw QueryError(name, "'" + std::string(name) + "' must be an integer between " + std::to_string(min) + " and " +
                               std::to_string(max));
  }
  return parsed;
}

int ParsePageNumber(std::optional<std::string_view> value, std::string_view name) {
  return ParseBoundedInt(value, name, 1, 1, 1'000'000);
}

int ParsePageLimit(std::optional<std::string_view> value, std::string_view name) {
  return ParseBoundedInt(value, name, kDefaultPageLimit, 1, kMaxPageLimit);
}

std::string RequireIso8601(std::string_view value, std::string_view name) {
  const bool ok = value.size() == 10 ? ValidDate(value)
                                     : value.size() > 11 && ValidDate(value.substr(0, 10)) && value[10] == 'T' &&
                                           ValidTime(value.substr(11));
  if (!ok) {
    throw QueryError(
        name, "'" + std::string(name) + "' must be an ISO 8601 date or time, e.g. 2026-01-31 or 2026-01-31T12:00:00Z");
  }
  return std::string(value);
}

}  // namespace gw::domain
