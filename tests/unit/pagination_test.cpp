#include "fcgi/http/pagination.hpp"

#include <gtest/gtest.h>

#include <string>

namespace gw::web {
namespace {

std::string HeaderOf(const Response& response, std::string_view name) {
  for (const auto& [key, value] : response.headers) {
    if (key == name) return value;
  }
  return "<absent>";
}

Response Paged(std::string query, std::int64_t total, int page, int limit) {
  Request request;
  request.path = "/audit";
  request.query = std::move(query);
  Response response;
  SetPaginationHeaders(response, request, total, page, limit);
  return response;
}

TEST(Pagination, SetsTotalCount) { EXPECT_EQ(HeaderOf(Paged("", 57, 1, 20), "X-Total-Count"), "57"); }

TEST(Pagination, FirstPageHasFirstNextAndLastButNoPrev) {
  EXPECT_EQ(HeaderOf(Paged("", 57, 1, 20), "Link"),
            "</audit?page=1>; rel=\"first\", </audit?page=2>; rel=\"next\", </audit?page=3>; rel=\"last\"");
}

TEST(Pagination, MiddlePageHasAllFourRels) {
  EXPECT_EQ(HeaderOf(Paged("", 57, 2, 20), "Link"),
            "</audit?page=1>; rel=\"first\", </audit?page=1>; rel=\"prev\", </audit?page=3>; rel=\"next\", "
            "</audit?page=3>; rel=\"last\"");
}

TEST(Pagination, LastPageHasNoNext) {
  EXPECT_EQ(HeaderOf(Paged("", 60, 3, 20), "Link"),
            "</audit?page=1>; rel=\"first\", </audit?page=2>; rel=\"prev\", </audit?page=3>; rel=\"last\"");
}

TEST(Pagination, PageBeyondTheEndPointsPrevAtTheLastPage) {
  const std::string link = HeaderOf(Paged("", 45, 9, 20), "Link");
  EXPECT_NE(link.find("</audit?page=3>; rel=\"prev\""), std::string::npos) << link;
  EXPECT_EQ(link.find("rel=\"next\""), std::string::npos) << link;
}

TEST(Pagination, ZeroTotalGivesLastPageOne) {
  const Response response = Paged("", 0, 1, 20);
  EXPECT_EQ(HeaderOf(response, "X-Total-Count"), "0");
  EXPECT_EQ(HeaderOf(response, "Link"), "</audit?page=1>; rel=\"first\", </audit?page=1>; rel=\"last\"");
}

TEST(Pagination, KeepsFiltersAndReplacesOnlyThePage) {
  const std::string link = HeaderOf(Paged("action=renew&page=2&limit=10&since=2026-01-01", 35, 2, 10), "Link");
  EXPECT_EQ(link,
            "</audit?action=renew&limit=10&since=2026-01-01&page=1>; rel=\"first\", "
            "</audit?action=renew&limit=10&since=2026-01-01&page=1>; rel=\"prev\", "
            "</audit?action=renew&limit=10&since=2026-01-01&page=3>; rel=\"next\", "
            "</audit?action=renew&limit=10&since=2026-01-01&page=4>; rel=\"last\"");
  EXPECT_EQ(link.find("page=2"), std::string::npos) << link;
}

TEST(Pagination, DoesNotMistakeOtherParametersEndingInPageForThePage) {
  const std::string link = HeaderOf(Paged("homepage=x&page=1", 5, 1, 20), "Link");
  EXPECT_NE(link.find("homepage=x"), std::string::npos) << link;
}

TEST(Pagination, DropsEveryPageParameterAndEmptyPairs) {
  const std::string link = HeaderOf(Paged("page=1&&page&user=a%40b.co", 5, 1, 20), "Link");
  EXPECT_EQ(link, "</audit?user=a%40b.co&page=1>; rel=\"first\", </audit?user=a%40b.co&page=1>; rel=\"last\"");
}

TEST(Pagination, ALowerBoundTotalSaysSoAndHasNoLastLink) {
  Request request;
  request.path = "/files";
  request.query = "name=x";
  Response response;
  SetPaginationHeaders(response, request, 10001, 1, 20, false);
  EXPECT_EQ(HeaderOf(response, "X-Total-Count"), "10001");
  EXPECT_EQ(HeaderOf(response, "X-Total-Count-Exact"), "false");
  EXPECT_EQ(HeaderOf(response, "Link"), "</files?name=x&page=1>; rel=\"first\", </files?name=x&page=2>; rel=\"next\"");
  EXPECT_EQ(HeaderOf(Paged("", 57, 1, 20), "X-Total-Count-Exact"), "<absent>");
}

TEST(Pagination, SettingHeadersTwiceReplacesThem) {
  Request request;
  request.path = "/audit";
  Response response;
  SetPaginationHeaders(response, request, 10, 1, 5);
  SetPaginationHeaders(response, request, 20, 1, 5);
  EXPECT_EQ(response.headers.size(), 2u);
  EXPECT_EQ(HeaderOf(response, "X-Total-Count"), "20");
}

}  // namespace
}  // namespace gw::web
