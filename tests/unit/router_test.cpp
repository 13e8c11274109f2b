#include "fcgi/http/router.hpp"

#include <gtest/gtest.h>

namespace gw::web {
namespace {

Handler Named(int id) {
  return [id](Request&, Context&) {
    Response r;
    r.status = id;
    return r;
  };
}

TEST(Router, MatchesStaticPathAndMethod) {
  Router router;
  router.Add("POST", "/register", Named(1));
  const auto match = router.Find("POST", "/register");
  ASSERT_NE(match.handler, nullptr);
  EXPECT_EQ(match.pattern, "/register");
}

TEST(Router, ExtractsPathParameters) {
  Router router;
  router.Add("GET", "/tasks/{id}/status", Named(1));
  const auto match = router.Find("GET", "/tasks/abc123/status");
  ASSERT_NE(match.handler, nullptr);
  ASSERT_EQ(match.path_params.size(), 1u);
  EXPECT_EQ(match.path_params[0].first, "id");
  EXPECT_EQ(match.path_params[0].second, "abc123");
}

TEST(Router, ReportsAllowedMethodsWhenOnlyTheMethodDiffers) {
  Router router;
  router.Add("GET", "/audit", Named(1));
  const auto match = router.Find("DELETE", "/audit");
  EXPECT_EQ(match.handler, nullptr);
  EXPECT_EQ(match.allowed_methods, "GET, HEAD");
}

TEST(Router, UnknownPathMatchesNothing) {
  Router router;
  router.Add("GET", "/audit", Named(1));
  const auto match = router.Find("GET", "/audits");
  EXPECT_EQ(match.handler, nullptr);
  EXPECT_TRUE(match.allowed_methods.empty());
}

TEST(Router, HeadIsServedByGetRoutes) {
  Router router;
  router.Add("GET", "/health", Named(1));
  EXPECT_NE(router.Find("HEAD", "/health").handler, nullptr);
}

TEST(Router, ParameterDoesNotMatchEmptyOrMultipleSegments) {
  Router router;
  router.Add("GET", "/retrieve/{cid}", Named(1));
  EXPECT_EQ(router.Find("GET", "/retrieve/").handler, nullptr);
  EXPECT_EQ(router.Find("GET", "/retrieve/a/b").handler, nullptr);
  EXPECT_NE(router.Find("GET", "/retrieve/a").handler, nullptr);
}

}  // namespace
}  // namespace gw::web
