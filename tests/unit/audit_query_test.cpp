#include "domain/audit_query.hpp"

#include <gtest/gtest.h>

#include <string>

#include "domain/error.hpp"

namespace gw::domain {
namespace {

/// Runs `f` and returns the Error it threw; fails the test when it did not throw one.
template <typename F>
Error Thrown(F&& f) {
  try {
    f();
  } catch (const Error& error) {
    return error;
  }
  ADD_FAILURE() << "expected a domain::Error";
  return Error(ErrorCode::kInternal);
}

TEST(PageNumber, DefaultsToOneWhenAbsent) { EXPECT_EQ(ParsePageNumber(std::nullopt), 1); }

TEST(PageNumber, ParsesPositiveNumbers) {
  EXPECT_EQ(ParsePageNumber("1"), 1);
  EXPECT_EQ(ParsePageNumber("37"), 37);
  EXPECT_EQ(ParsePageNumber("1000000"), 1'000'000);
}

TEST(PageNumber, RejectsGarbageAndOutOfRangeValues) {
  for (const std::string_view bad : {"", "0", "-1", "1a", "a1", " 1", "1 ", "+1", "1.5", "1000001", "99999999999"}) {
    const Error error = Thrown([&] { ParsePageNumber(bad); });
    EXPECT_EQ(error.Code(), ErrorCode::kInvalidQuery) << "'" << bad << "'";
    EXPECT_EQ(error.Details(), (ErrorDetails{{"parameter", "page"}})) << "'" << bad << "'";
  }
}

TEST(PageNumber, NamesTheGivenParameter) {
  const Error error = Thrown([] { ParsePageNumber("x", "p"); });
  EXPECT_EQ(error.Details(), (ErrorDetails{{"parameter", "p"}}));
}

TEST(PageLimit, DefaultsToTwentyWhenAbsent) {
  EXPECT_EQ(ParsePageLimit(std::nullopt), 20);
  EXPECT_EQ(kDefaultPageLimit, 20);
}

TEST(PageLimit, AcceptsOneToOneHundred) {
  EXPECT_EQ(ParsePageLimit("1"), 1);
  EXPECT_EQ(ParsePageLimit("100"), 100);
}

TEST(PageLimit, RejectsGarbageAndOutOfRangeValues) {
  for (const std::string_view bad : {"", "0", "-1", "1a", "101", "abc", "1e2"}) {
    const Error error = Thrown([&] { ParsePageLimit(bad); });
    EXPECT_EQ(error.Code(), ErrorCode::kInvalidQuery) << "'" << bad << "'";
    EXPECT_EQ(error.Details(), (ErrorDetails{{"parameter", "limit"}})) << "'" << bad << "'";
  }
}

TEST(Iso8601, AcceptsDatesAndTimesAndReturnsThemUnchanged) {
  for (const std::string_view good :
       {"2026-01-31", "2026-01-31T12:00Z", "2026-01-31T12:00:00Z", "2026-01-31T23:59:59+02:00",
        "2026-01-31T00:00:00-05:30", "2026-01-31T12:00:00.5Z", "2026-01-31T12:00:00.123456789Z",
        "2026-12-01T12:00:00.123+14:00"}) {
    EXPECT_NO_THROW(EXPECT_EQ(RequireIso8601(good, "since"), good)) << good;
  }
}

TEST(Iso8601, RejectsMalformedValues) {
  for (const std::string_view bad : {"",
                                     "yesterday",
                                     "2026-13-01",
                                     "2026-00-10",
                                     "2026-01-32",
                                     "2026-01-00",
                                     "2026-01-01 10:00",
                                     "2026-01-01T10:00",
                                     "2026-01-01T24:00Z",
                                     "2026-01-01T10:60Z",
                                     "2026-01-01T10:00:00",
                                     "2026-01-01T",
                                     "2026-01-01TZ",
                                     "2026-01-01T10:00:00.Z",
                                     "2026-01-01T10:00:00.1234567890Z",
                                     "2026-01-01T10:00:00+2:00",
                                     "2026-01-01T10:00:00+15:00",
                                     "2026-1-01",
                                     "20260101",
                                     "2026-01-01Z",
                                     "2026-01-01'; DROP TABLE audit_log;--",
                                     "2026-01-01T10:00:00Z' OR '1'='1",
                                     "1' OR '1'='1"}) {
    const Error error = Thrown([&] { RequireIso8601(bad, "until"); });
    EXPECT_EQ(error.Code(), ErrorCode::kInvalidQuery) << "'" << bad << "'";
    EXPECT_EQ(error.Details(), (ErrorDetails{{"parameter", "until"}})) << "'" << bad << "'";
  }
}

}  // namespace
}  // namespace gw::domain
