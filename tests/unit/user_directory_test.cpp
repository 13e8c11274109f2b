#include "domain/user_directory.hpp"

#include <gtest/gtest.h>

#include <string>

#include "domain/error.hpp"

namespace gw::domain {
namespace {

Error Thrown(const UserFilter& filter) {
  try {
    ToUserQuery(filter);
  } catch (const Error& error) {
    return error;
  }
  ADD_FAILURE() << "expected a domain::Error";
  return Error(ErrorCode::kInternal);
}

TEST(UserFilter, AbsentOrEmptyFiltersListEveryone) {
  const auto all = ToUserQuery({std::nullopt, std::nullopt, 3, 50});
  EXPECT_FALSE(all.email_contains);
  EXPECT_FALSE(all.active);
  EXPECT_EQ(all.page, 3);
  EXPECT_EQ(all.limit, 50);
  const auto empty = ToUserQuery({"", "", 1, 20});
  EXPECT_FALSE(empty.email_contains);
  EXPECT_FALSE(empty.active);
}

TEST(UserFilter, KeepsTheSearchTextAsSentForTheRepositoryToEscape) {
  EXPECT_EQ(ToUserQuery({"50%_off\\", std::nullopt, 1, 20}).email_contains, "50%_off\\");
  EXPECT_EQ(ToUserQuery({"Ünïcode", std::nullopt, 1, 20}).email_contains, "Ünïcode");
}

TEST(UserFilter, StateIsActiveOrRevoked) {
  EXPECT_EQ(ToUserQuery({std::nullopt, "active", 1, 20}).active, true);
  EXPECT_EQ(ToUserQuery({std::nullopt, "revoked", 1, 20}).active, false);
  for (const std::string bad : {"Active", "inactive", "all", "deleted", " active"}) {
    const Error error = Thrown({std::nullopt, bad, 1, 20});
    EXPECT_EQ(error.Code(), ErrorCode::kInvalidQuery) << bad;
    EXPECT_EQ(error.Details(), (ErrorDetails{{"parameter", "state"}})) << bad;
  }
}

TEST(UserFilter, RefusesSearchTextThatNoEmailCanContain) {
  for (const std::string& bad :
       {std::string("a\0b", 3), std::string("\xff\xfe"), std::string("abc\xc3"), std::string(255, 'a')}) {
    const Error error = Thrown({bad, std::nullopt, 1, 20});
    EXPECT_EQ(error.Code(), ErrorCode::kInvalidQuery);
    EXPECT_EQ(error.Details(), (ErrorDetails{{"parameter", "q"}}));
  }
  EXPECT_EQ(ToUserQuery({std::string(254, 'a'), std::nullopt, 1, 20}).email_contains->size(), 254u);
}

}  // namespace
}  // namespace gw::domain
