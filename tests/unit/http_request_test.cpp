#include "fcgi/http/http_request.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "domain/error.hpp"
#include "fcgi/http/http_response.hpp"

namespace gw::web {
namespace {

Request WithQuery(std::string query) {
  Request request;
  request.query = std::move(query);
  return request;
}

TEST(HttpRequest, HeaderReadsTheCgiHttpParameter) {
  Request request;
  request.params = {{"CONTENT_TYPE", "application/json"}, {"HTTP_X_API_KEY", "ipfs_gw_secret"}};
  EXPECT_EQ(request.Header("X-API-Key"), "ipfs_gw_secret");
  EXPECT_EQ(request.Header("x-api-key"), "ipfs_gw_secret");
}

TEST(HttpRequest, MissingHeaderIsNullopt) {
  Request request;
  request.params = {{"X_API_KEY", "not a header"}};
  EXPECT_FALSE(request.Header("X-API-Key").has_value());
}

TEST(HttpRequest, PresentButEmptyHeaderIsAnEmptyValue) {
  Request request;
  request.params = {{"HTTP_X_API_KEY", ""}};
  ASSERT_TRUE(request.Header("X-API-Key").has_value());
  EXPECT_EQ(*request.Header("X-API-Key"), "");
}

TEST(HttpRequest, ParamAndPathParamReturnEmptyWhenAbsent) {
  Request request;
  request.params = {{"REMOTE_ADDR", "192.0.2.1"}};
  request.path_params = {{"id", "42"}};
  EXPECT_EQ(request.Param("REMOTE_ADDR"), "192.0.2.1");
  EXPECT_EQ(request.Param("NOPE"), "");
  EXPECT_EQ(request.PathParam("id"), "42");
  EXPECT_EQ(request.PathParam("cid"), "");
}

TEST(HttpRequest, QueryParamDecodesPercentAndPlus) {
  const Request request = WithQuery("user=a%40b.co&action=key+renewed&note=a%20b%2Bc");
  EXPECT_EQ(request.QueryParam("user"), "a@b.co");
  EXPECT_EQ(request.QueryParam("action"), "key renewed");
  EXPECT_EQ(request.QueryParam("note"), "a b+c");
}

TEST(HttpRequest, QueryParamMissingIsNullopt) {
  EXPECT_FALSE(WithQuery("page=2").QueryParam("limit").has_value());
  EXPECT_FALSE(WithQuery("").QueryParam("page").has_value());
  EXPECT_FALSE(WithQuery("pages=2").QueryParam("page").has_value());
}

TEST(HttpRequest, QueryParamWithEmptyValueOrNoEqualsIsEmptyString) {
  EXPECT_EQ(WithQuery("user=&page=2").QueryParam("user"), "");
  EXPECT_EQ(WithQuery("flag&page=2").QueryParam("flag"), "");
}

TEST(HttpRequest, RepeatedQueryParamReturnsTheFirst) { EXPECT_EQ(WithQuery("page=1&page=2").QueryParam("page"), "1"); }

TEST(HttpRequest, QueryParamNamesAreDecodedToo) { EXPECT_EQ(WithQuery("us%65r=x").QueryParam("user"), "x"); }

TEST(HttpRequest, QueryParamKeepsEqualsSignsInTheValue) {
  EXPECT_EQ(WithQuery("since=a=b").QueryParam("since"), "a=b");
}

TEST(HttpRequest, MalformedEscapeInTheQueryIsAnInvalidQueryError) {
  for (const char* query : {"page=100%", "name=%4", "name=%zz&page=1", "%4g=1"}) {
    try {
      WithQuery(query).QueryParam("page");
      ADD_FAILURE() << query << " was accepted";
    } catch (const domain::Error& error) {
      EXPECT_EQ(error.Code(), domain::ErrorCode::kInvalidQuery) << query;
    }
  }
}

TEST(DecodePath, DecodesEscapesAndKeepsPlus) {
  EXPECT_EQ(DecodePath("/retrieve/a%2f%2Fb"), "/retrieve/a//b");
  EXPECT_EQ(DecodePath("/files/a+b%41"), "/files/a+bA");
  EXPECT_EQ(DecodePath("/x%00"), std::string("/x") + std::string(1, '\0'));
}

TEST(DecodePath, MalformedEscapeIsABadRequest) {
  for (const char* path : {"/files/100%", "/files/%4", "/files/%zz"}) {
    try {
      DecodePath(path);
      ADD_FAILURE() << path << " was accepted";
    } catch (const domain::Error& error) {
      EXPECT_EQ(error.Code(), domain::ErrorCode::kBadRequest) << path;
    }
  }
}

TEST(HttpResponse, SetHeaderReplacesAnExistingHeader) {
  Response response;
  response.SetHeader("Allow", "GET");
  response.SetHeader("Link", "<x>");
  response.SetHeader("Allow", "POST");
  ASSERT_EQ(response.headers.size(), 2u);
  EXPECT_EQ(response.headers[0].second, "POST");
}

TEST(HttpResponse, JsonSuccessHasTheEnvelopeShape) {
  const Response response = JsonSuccess(201, "Created it", {{"email", "a@b.co"}});
  EXPECT_EQ(response.status, 201);
  const auto body = nlohmann::json::parse(response.body);
  EXPECT_EQ(body, (nlohmann::json{{"status", 201}, {"message", "Created it"}, {"data", {{"email", "a@b.co"}}}}));
}

TEST(HttpResponse, ReasonPhrasesOfTheStatusesWeUse) {
  EXPECT_EQ(ReasonPhrase(200), "OK");
  EXPECT_EQ(ReasonPhrase(201), "Created");
  EXPECT_EQ(ReasonPhrase(404), "Not Found");
  EXPECT_EQ(ReasonPhrase(405), "Method Not Allowed");
  EXPECT_EQ(ReasonPhrase(415), "Unsupported Media Type");
  EXPECT_EQ(ReasonPhrase(422), "Unprocessable Content");
  EXPECT_EQ(ReasonPhrase(503), "Service Unavailable");
  EXPECT_EQ(ReasonPhrase(299), "Unknown");
}

}  // namespace
}  // namespace gw::web
