#include "domain/email.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>

#include "domain/error.hpp"

namespace gw::domain {
namespace {

bool Accepted(std::string_view raw) { return NormalizeEmail(raw).has_value(); }

TEST(Email, LowercasesAndTrims) {
  EXPECT_EQ(NormalizeEmail("  Alice.Smith@Example.COM \t\r\n"), "alice.smith@example.com");
}

TEST(Email, KeepsAnAlreadyCanonicalAddressUnchanged) {
  EXPECT_EQ(NormalizeEmail("bob@example.org"), "bob@example.org");
}

TEST(Email, AcceptsPlusAddressing) { EXPECT_EQ(NormalizeEmail("bob+tag@example.com"), "bob+tag@example.com"); }

TEST(Email, AcceptsSubdomainsAndInnerHyphens) {
  EXPECT_EQ(NormalizeEmail("x@mail.eu-west.example.co.uk"), "x@mail.eu-west.example.co.uk");
}

TEST(Email, AcceptsApostropheAndKeepsIt) { EXPECT_EQ(NormalizeEmail("O'Brien@example.com"), "o'brien@example.com"); }

TEST(Email, AcceptsDotsInsideTheLocalPart) { EXPECT_TRUE(Accepted("first.middle.last@example.com")); }

TEST(Email, RejectsMissingAt) { EXPECT_FALSE(Accepted("alice.example.com")); }

TEST(Email, RejectsTwoAts) { EXPECT_FALSE(Accepted("alice@bob@example.com")); }

TEST(Email, RejectsEmptyLocalPart) { EXPECT_FALSE(Accepted("@example.com")); }

TEST(Email, RejectsEmptyDomain) { EXPECT_FALSE(Accepted("alice@")); }

TEST(Email, RejectsEmptyAndBlankInput) {
  EXPECT_FALSE(Accepted(""));
  EXPECT_FALSE(Accepted("   \t "));
}

TEST(Email, RejectsLeadingTrailingAndDoubleDotsInTheLocalPart) {
  EXPECT_FALSE(Accepted(".alice@example.com"));
  EXPECT_FALSE(Accepted("alice.@example.com"));
  EXPECT_FALSE(Accepted("al..ice@example.com"));
}

TEST(Email, RejectsLeadingTrailingAndDoubleDotsInTheDomain) {
  EXPECT_FALSE(Accepted("alice@.example.com"));
  EXPECT_FALSE(Accepted("alice@example.com."));
  EXPECT_FALSE(Accepted("alice@example..com"));
}

TEST(Email, RejectsDomainWithoutADot) { EXPECT_FALSE(Accepted("alice@localhost")); }

TEST(Email, RejectsLabelsThatStartOrEndWithAHyphen) {
  EXPECT_FALSE(Accepted("alice@-example.com"));
  EXPECT_FALSE(Accepted("alice@example-.com"));
}

TEST(Email, RejectsInnerSpaces) {
  EXPECT_FALSE(Accepted("ali ce@example.com"));
  EXPECT_FALSE(Accepted("alice@exa mple.com"));
}

TEST(Email, RejectsSqlInjectionShapedInput) { EXPECT_FALSE(Accepted("a';DROP TABLE users;--@x.com")); }

TEST(Email, RejectsQuotedLocalParts) {
  EXPECT_FALSE(Accepted("\"alice\"@example.com"));
  EXPECT_FALSE(Accepted("\"a b\"@example.com"));
}

TEST(Email, RejectsIpLiteralDomains) {
  EXPECT_FALSE(Accepted("alice@[192.168.0.1]"));
  EXPECT_FALSE(Accepted("alice@[IPv6:::1]"));
}

TEST(Email, RejectsNumericTopLevelDomain) { EXPECT_FALSE(Accepted("alice@192.168.0.1")); }

TEST(Email, RejectsOneLetterTopLevelDomain) { EXPECT_FALSE(Accepted("alice@example.c")); }

TEST(Email, AcceptsLabelOf63AndRejectsLabelOf64) {
  EXPECT_TRUE(Accepted("a@" + std::string(63, 'l') + ".com"));
  EXPECT_FALSE(Accepted("a@" + std::string(64, 'l') + ".com"));
}

TEST(Email, AcceptsLocalPartOf64AndRejectsLocalPartOf65) {
  EXPECT_TRUE(Accepted(std::string(64, 'x') + "@example.com"));
  EXPECT_FALSE(Accepted(std::string(65, 'x') + "@example.com"));
}

TEST(Email, AcceptsTotalOf254AndRejectsTotalOf255) {
  // Labels of at most 50 letters joined by dots, so that only the total length can fail.
  const auto build = [](std::size_t total) {
    const std::size_t domain_length = total - std::string("a@.com").size();
    std::string domain;
    while (domain.size() < domain_length) {
      if (!domain.empty()) domain += '.';
      domain += std::string(std::min<std::size_t>(50, domain_length - domain.size()), 'd');
    }
    return "a@" + domain + ".com";
  };
  const std::string ok = build(254);
  const std::string too_long = build(255);
  ASSERT_EQ(ok.size(), 254u);
  ASSERT_EQ(too_long.size(), 255u);
  EXPECT_TRUE(Accepted(ok));
  EXPECT_FALSE(Accepted(too_long));
}

TEST(Email, RejectsNonAscii) {
  EXPECT_FALSE(Accepted("jos\xC3\xA9@example.com"));
  EXPECT_FALSE(
      Accepted("alice@b\xC3\xBC"
               "cher.de"));
}

TEST(Email, RejectsControlCharactersAndNul) {
  EXPECT_FALSE(Accepted(std::string("ali\0ce@example.com", 18)));
  EXPECT_FALSE(
      Accepted("ali\x01"
               "ce@example.com"));
}

TEST(Email, RequireValidEmailReturnsTheNormalisedAddress) {
  EXPECT_EQ(RequireValidEmail(" Bob@Example.com "), "bob@example.com");
}

TEST(Email, RequireValidEmailThrowsValidationErrorNamingTheEmailField) {
  try {
    RequireValidEmail("not-an-email");
    FAIL() << "expected an Error";
  } catch (const Error& error) {
    EXPECT_EQ(error.Code(), ErrorCode::kValidationFailed);
    ASSERT_EQ(error.Details().size(), 1u);
    EXPECT_EQ(error.Details()[0].first, "field");
    EXPECT_EQ(error.Details()[0].second, "email");
    EXPECT_FALSE(error.PublicMessage().empty());
  }
}

TEST(Email, RequireValidEmailNamesTheGivenField) {
  try {
    RequireValidEmail("nope", "user");
    FAIL() << "expected an Error";
  } catch (const Error& error) {
    ASSERT_EQ(error.Details().size(), 1u);
    EXPECT_EQ(error.Details()[0].second, "user");
  }
}

}  // namespace
}  // namespace gw::domain
