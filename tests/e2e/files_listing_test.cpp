// GET /files over a long list (10,050 files, seeded in SQL): the exact total from the counters,
// the last page, a page past the end, and a filtered total that stops at its bound and says so.
#include "content_fixture.hpp"

namespace gw::e2e {
namespace {

constexpr int kFiles = 10050;  // just past the filtered count's bound (10,000 rows)

class FilesListing : public ContentTest {
 protected:
  /// `user` holds kFiles files named seed-<i>, the i-th newer than the (i+1)-th (CIDs in the
  /// base32 alphabet, as the contract's pattern wants).
  void Seed(const Account& user) {
    const std::string rows =
        "SELECT i, 'bafkreiseed' || translate(lpad(i::text, 12, '0'), '0123456789', 'abcdefghij') AS cid "
        "FROM generate_series(1, " +
        std::to_string(kFiles) + ") i";
    Sql("INSERT INTO contents (cid, size, dag_size, mime_type) SELECT cid, 1, 1, 'x' FROM (" + rows +
        ") r ON CONFLICT (cid) DO NOTHING");
    Sql("INSERT INTO files (user_id, cid, original_filename, safe_filename, size, mime_type, uploaded_at) "
        "SELECT (SELECT id FROM users WHERE email = " +
        SqlLiteral(user.email) +
        " AND NOT is_deleted), cid, 'seed-' || i, 'seed-' || i, 1, 'x', "
        "timestamptz '2026-01-01Z' - i * interval '1 second' FROM (" +
        rows + ") r");
  }
  static std::string FirstName(const HttpResponse& r) {
    const auto json = r.Json();
    return json["data"].is_array() && !json["data"].empty() ? json["data"].front().value("original_filename", "") : "";
  }
  static std::string LastName(const HttpResponse& r) {
    const auto json = r.Json();
    return json["data"].is_array() && !json["data"].empty() ? json["data"].back().value("original_filename", "") : "";
  }
  static std::size_t Items(const HttpResponse& r) {
    const auto json = r.Json();
    return json["data"].is_array() ? json["data"].size() : 0;
  }
};

TEST_F(FilesListing, FirstLastAndPastTheEndOfALongList) {
  const auto user = RegisterUser("long-list");
  Seed(user);
  const auto first = Call("GET", "/files?limit=20", user);
  ExpectSuccessEnvelope(first, 200);
  EXPECT_EQ(first.Header("x-total-count").value_or(""), std::to_string(kFiles)) << first.Describe();
  EXPECT_FALSE(first.Header("x-total-count-exact").has_value()) << first.Describe();
  const std::string link = first.Header("link").value_or("");
  EXPECT_NE(link.find("page=503>; rel=\"last\""), std::string::npos) << link;
  EXPECT_NE(link.find("page=2>; rel=\"next\""), std::string::npos) << link;
  EXPECT_EQ(FirstName(first), "seed-1");

  // The last page (read from the list's other end) holds the 10 oldest, still newest first.
  const auto last = Call("GET", "/files?limit=20&page=503", user);
  ExpectSuccessEnvelope(last, 200);
  EXPECT_EQ(Items(last), 10u) << last.Describe();
  EXPECT_EQ(FirstName(last), "seed-10041");
  EXPECT_EQ(LastName(last), "seed-" + std::to_string(kFiles));
  const std::string last_link = last.Header("link").value_or("");
  EXPECT_NE(last_link.find("page=502>; rel=\"prev\""), std::string::npos) << last_link;
  EXPECT_EQ(last_link.find("rel=\"next\""), std::string::npos) << last_link;

  const auto past = Call("GET", "/files?limit=20&page=504", user);
  ExpectSuccessEnvelope(past, 200);
  EXPECT_EQ(Items(past), 0u);
  EXPECT_EQ(past.Header("x-total-count").value_or(""), std::to_string(kFiles));

  // pinned=true: every seeded file is pinned, and its counter says so.
  const auto pinned = Call("GET", "/files?limit=20&pinned=true", user);
  EXPECT_EQ(pinned.Header("x-total-count").value_or(""), std::to_string(kFiles)) << pinned.Describe();
}

TEST_F(FilesListing, AFilteredTotalPastItsBoundIsALowerBoundWithoutALastLink) {
  const auto user = RegisterUser("long-search");
  Seed(user);
  const auto searched = Call("GET", "/files?limit=20&name=seed-", user);
  ExpectSuccessEnvelope(searched, 200);
  EXPECT_EQ(searched.Header("x-total-count").value_or(""), "10001") << searched.Describe();
  EXPECT_EQ(searched.Header("x-total-count-exact").value_or(""), "false") << searched.Describe();
  const std::string link = searched.Header("link").value_or("");
  EXPECT_EQ(link.find("rel=\"last\""), std::string::npos) << link;
  EXPECT_NE(link.find("name=seed-&page=2>; rel=\"next\""), std::string::npos) << link;
  EXPECT_EQ(Items(searched), 20u);

  // A narrower search is counted exactly: seed-100, seed-1000 .. 1009 and seed-10000 .. 10050.
  const auto narrow = Call("GET", "/files?limit=20&name=seed-100", user);
  EXPECT_EQ(narrow.Header("x-total-count").value_or(""), "62") << narrow.Describe();
  EXPECT_FALSE(narrow.Header("x-total-count-exact").has_value());
  EXPECT_NE(narrow.Header("link").value_or("").find("page=4>; rel=\"last\""), std::string::npos);
}

}  // namespace
}  // namespace gw::e2e
