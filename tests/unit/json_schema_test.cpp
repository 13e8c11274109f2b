#include "fcgi/http/json_schema.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <string>
#include <utility>

#include "domain/error.hpp"

namespace gw::web {
namespace {

using domain::Error;
using domain::ErrorCode;
using nlohmann::json;

const BodySchema kSchema{
    {{"email", JsonType::kString, true, 10}, {"age", JsonType::kInteger, false}, {"admin", JsonType::kBoolean, false}}};

/// The field named by the validation error `Validate` throws, or "<none>" when it accepts.
std::string Rejected(const json& body, const BodySchema& schema = kSchema) {
  try {
    Validate(schema, body);
    return "<none>";
  } catch (const Error& error) {
    EXPECT_EQ(error.Code(), ErrorCode::kValidationFailed);
    EXPECT_FALSE(error.PublicMessage().empty());
    for (const auto& [key, value] : error.Details()) {
      if (key == "field") return value;
    }
    return "<no field>";
  }
}

TEST(JsonSchema, AcceptsAValidBody) {
  EXPECT_EQ(Rejected({{"email", "a@b.co"}, {"age", 3}, {"admin", true}}), "<none>");
}

TEST(JsonSchema, AcceptsMissingOptionalFields) { EXPECT_EQ(Rejected({{"email", "a@b.co"}}), "<none>"); }

TEST(JsonSchema, AcceptsNullForOptionalFields) {
  EXPECT_EQ(Rejected({{"email", "a@b.co"}, {"age", nullptr}, {"admin", nullptr}}), "<none>");
}

TEST(JsonSchema, RejectsUnknownFieldByName) { EXPECT_EQ(Rejected({{"email", "a@b.co"}, {"emial", "x"}}), "emial"); }

TEST(JsonSchema, RejectsMissingRequiredField) { EXPECT_EQ(Rejected(json::object()), "email"); }

TEST(JsonSchema, RejectsNullForRequiredField) { EXPECT_EQ(Rejected({{"email", nullptr}}), "email"); }

TEST(JsonSchema, RejectsWrongTypes) {
  EXPECT_EQ(Rejected({{"email", 5}}), "email");
  EXPECT_EQ(Rejected({{"email", json::array({"a@b.co"})}}), "email");
  EXPECT_EQ(Rejected({{"email", "a@b.co"}, {"age", "3"}}), "age");
  EXPECT_EQ(Rejected({{"email", "a@b.co"}, {"age", 3.5}}), "age");
  EXPECT_EQ(Rejected({{"email", "a@b.co"}, {"admin", 1}}), "admin");
  EXPECT_EQ(Rejected({{"email", "a@b.co"}, {"admin", "true"}}), "admin");
}

TEST(JsonSchema, RejectsStringLongerThanMaxLengthInBytes) {
  EXPECT_EQ(Rejected({{"email", std::string(10, 'x')}}), "<none>");
  EXPECT_EQ(Rejected({{"email", std::string(11, 'x')}}), "email");
  EXPECT_EQ(Rejected({{"email", "\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9"}}), "email");  // 6 chars, 12 bytes
}

TEST(JsonSchema, RejectsBodiesThatAreNotObjects) {
  for (const json& body : {json::array(), json(nullptr), json("text"), json(1), json::array({{"email", "x"}})}) {
    EXPECT_EQ(Rejected(body), "<no field>") << body.dump();
  }
}

TEST(JsonSchema, RejectsIntegersOutsideTheSigned64BitRange) {
  EXPECT_EQ(Rejected({{"email", "a@b.co"}, {"age", 9223372036854775807LL}}), "<none>");
  EXPECT_EQ(Rejected({{"email", "a@b.co"}, {"age", -9223372036854775807LL - 1}}), "<none>");
  EXPECT_EQ(Rejected({{"email", "a@b.co"}, {"age", 9223372036854775808ULL}}), "age");
}

const BodySchema kInner{{{"limit", JsonType::kInteger, false}, {"name", JsonType::kString, true, 3}}};
const BodySchema kOuter{{{"plan", JsonType::kString, true}, {"inner", JsonType::kObject, false, 0, &kInner}}};

TEST(JsonSchema, ChecksAnObjectFieldAgainstItsOwnSchemaNamingNestedFieldsWithADot) {
  EXPECT_EQ(Rejected({{"plan", "p"}}, kOuter), "<none>");
  EXPECT_EQ(Rejected({{"plan", "p"}, {"inner", nullptr}}, kOuter), "<none>");
  EXPECT_EQ(Rejected({{"plan", "p"}, {"inner", {{"name", "abc"}, {"limit", nullptr}}}}, kOuter), "<none>");
  EXPECT_EQ(Rejected({{"plan", "p"}, {"inner", {{"name", "abc"}, {"limit", 5}}}}, kOuter), "<none>");
  EXPECT_EQ(Rejected({{"plan", "p"}, {"inner", json::array()}}, kOuter), "inner");
  EXPECT_EQ(Rejected({{"plan", "p"}, {"inner", "x"}}, kOuter), "inner");
  EXPECT_EQ(Rejected({{"plan", "p"}, {"inner", json::object()}}, kOuter), "inner.name");
  EXPECT_EQ(Rejected({{"plan", "p"}, {"inner", {{"name", "abcd"}}}}, kOuter), "inner.name");
  EXPECT_EQ(Rejected({{"plan", "p"}, {"inner", {{"name", "a"}, {"limit", "5"}}}}, kOuter), "inner.limit");
  EXPECT_EQ(Rejected({{"plan", "p"}, {"inner", {{"name", "a"}, {"limt", 5}}}}, kOuter), "inner.limt");
}

/// The error ParseJsonBody throws for `text`: its code and details.key (or details.position).
std::pair<ErrorCode, std::string> ParseFailure(const std::string& text) {
  try {
    (void)ParseJsonBody(text);
  } catch (const Error& error) {
    for (const auto& [key, value] : error.Details()) {
      if (key == "key" || key == "position") return {error.Code(), key + "=" + value};
    }
    return {error.Code(), "<no detail>"};
  }
  return {ErrorCode::kInternal, "<accepted>"};
}

TEST(ParseJsonBody, ParsesJson) {
  EXPECT_EQ(ParseJsonBody(R"({"email":"a@b.co","n":[1,{"a":1},{"a":2}]})"),
            json({{"email", "a@b.co"}, {"n", {1, {{"a", 1}}, {{"a", 2}}}}}));
  EXPECT_EQ(ParseJsonBody("[1,2]"), json({1, 2}));
}

TEST(ParseJsonBody, RefusesADuplicateKeyNamingIt) {
  EXPECT_EQ(ParseFailure(R"({"email":"a@b.co","email":"c@d.co"})"),
            std::make_pair(ErrorCode::kInvalidJson, std::string("key=email")));
  EXPECT_EQ(ParseFailure(R"({"plan":"free","overrides":{"burst":1,"burst":2}})"),
            std::make_pair(ErrorCode::kInvalidJson, std::string("key=overrides.burst")));
  // the same key in two different objects is no duplicate; a repeat after a nested object is
  EXPECT_EQ(ParseFailure(R"({"a":{"x":1},"b":{"x":1},"a":2})"),
            std::make_pair(ErrorCode::kInvalidJson, std::string("key=a")));
  try {
    (void)ParseJsonBody(R"({"email":"x","email":"y"})");
    ADD_FAILURE() << "accepted";
  } catch (const Error& error) {
    EXPECT_NE(error.PublicMessage().find("'email'"), std::string::npos) << error.PublicMessage();
  }
}

TEST(ParseJsonBody, AcceptsTheSameKeyInSiblingObjects) {
  EXPECT_EQ(ParseJsonBody(R"([{"a":1},{"a":2}])"), json({{{"a", 1}}, {{"a", 2}}}));
  EXPECT_EQ(ParseJsonBody(R"({"o":{"a":1},"p":{"a":1}})"), json({{"o", {{"a", 1}}}, {"p", {{"a", 1}}}}));
}

TEST(ParseJsonBody, RefusesTextThatIsNotJsonWithItsPosition) {
  EXPECT_EQ(ParseFailure(R"({"a":)").first, ErrorCode::kInvalidJson);
  EXPECT_TRUE(ParseFailure("{\"a\":1}x").second.starts_with("position=")) << ParseFailure("{\"a\":1}x").second;
}

// Found by tests/fuzz/json_body_fuzz.cpp: nlohmann throws out_of_range (not parse_error) for a
// number no double holds, which WithJsonBody did not catch: the request got a 500.
TEST(ParseJsonBody, ANumberOutOfRangeIsInvalidJson) {
  try {
    (void)ParseJsonBody(R"({"burst":-0.0,"x":1e400,"y":18446744073709551615})");
    ADD_FAILURE() << "expected kInvalidJson";
  } catch (const domain::Error& error) {
    EXPECT_EQ(error.Code(), domain::ErrorCode::kInvalidJson);
  }
}

TEST(ParseJsonBody, ASyntaxErrorIsInvalidJsonWithItsPosition) {
  try {
    (void)ParseJsonBody(R"({"a": })");
    ADD_FAILURE() << "expected kInvalidJson";
  } catch (const domain::Error& error) {
    EXPECT_EQ(error.Code(), domain::ErrorCode::kInvalidJson);
    ASSERT_EQ(error.Details().size(), 1u);
    EXPECT_EQ(error.Details()[0].first, "position");
  }
  EXPECT_EQ(ParseJsonBody(R"({"a": [1, "x"]})")["a"][1], "x");
}

}  // namespace
}  // namespace gw::web
