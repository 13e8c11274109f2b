// GET /files (pagination, filters), delete and re-upload, GET /usage, and the upload audit trail.
#include <set>

#include "content_fixture.hpp"

namespace gw::e2e {
namespace {

class ContentFiles : public ContentTest {
 protected:
  nlohmann::json Usage(const Account& user) {
    const auto r = Call("GET", "/usage", user);
    ExpectSuccessEnvelope(r, 200);
    return r.Json().value("data", nlohmann::json::object());
  }
  static std::set<std::string> Cids(const HttpResponse& r) {
    std::set<std::string> out;
    const auto json = r.Json();
    if (json.is_object() && json["data"].is_array()) {
      for (const auto& item : json["data"]) out.insert(item.value("cid", ""));
    }
    return out;
  }
};

TEST_F(ContentFiles, PaginationAndFilters) {
  const auto user = RegisterUser("listing");
  const std::vector<std::string> names = {"Alpha-report.txt", "beta.txt", "GAMMA.log", "delta-REPORT.md",
                                          "epsilon.bin"};
  std::vector<std::string> cids;
  for (const auto& name : names) {
    cids.push_back(Store(user, "content of " + name + " " + RandomHex(16), name));
    ASSERT_FALSE(cids.back().empty());
  }

  // pagination: limit=2 over 5 files -> 3 pages
  std::set<std::string> seen;
  std::string previous_time = "9999";
  for (int page = 1; page <= 3; ++page) {
    SCOPED_TRACE("page " + std::to_string(page));
    const auto r = Call("GET", "/files?limit=2&page=" + std::to_string(page), user);
    ExpectSuccessEnvelope(r, 200);
    const auto items = r.Json()["data"];
    ASSERT_TRUE(items.is_array()) << r.Describe();
    EXPECT_EQ(items.size(), page < 3 ? 2u : 1u) << r.Describe();
    EXPECT_EQ(r.Header("x-total-count").value_or(""), "5") << r.Describe();
    const std::string link = r.Header("link").value_or("");
    EXPECT_NE(link.find("page=3>; rel=\"last\""), std::string::npos) << "Link: " << link;
    EXPECT_NE(link.find("page=1>; rel=\"first\""), std::string::npos) << "Link: " << link;
    EXPECT_NE(link.find("limit=2"), std::string::npos) << "Link: " << link;
    if (page < 3) {
      EXPECT_NE(link.find("page=" + std::to_string(page + 1) + ">; rel=\"next\""), std::string::npos) << link;
    } else {
      EXPECT_EQ(link.find("rel=\"next\""), std::string::npos) << "next on the last page: " << link;
    }
    for (const auto& item : items) {
      for (const char* field : {"cid", "original_filename", "filename", "size", "mime_type", "pinned", "uploaded_at"}) {
        EXPECT_TRUE(item.contains(field)) << "no '" << field << "' in " << item.dump();
      }
      const std::string time = item.value("uploaded_at", "");
      EXPECT_LE(time, previous_time) << "not newest first: " << r.Describe();
      previous_time = time;
      seen.insert(item.value("cid", ""));
    }
  }
  EXPECT_EQ(seen, std::set<std::string>(cids.begin(), cids.end()));

  // pinned filter after unpinning two
  ChangePin(user, cids[1], false);
  ChangePin(user, cids[3], false);
  const auto unpinned = Call("GET", "/files?pinned=false", user);
  ExpectSuccessEnvelope(unpinned, 200);
  EXPECT_EQ(Cids(unpinned), (std::set<std::string>{cids[1], cids[3]})) << unpinned.Describe();
  EXPECT_EQ(unpinned.Header("x-total-count").value_or(""), "2");
  // the body is bound first: a range-for over Json()["data"] walks a temporary already destroyed
  const auto unpinned_body = unpinned.Json();
  for (const auto& item : unpinned_body["data"]) EXPECT_EQ(item.value("pinned", true), false) << item.dump();
  const auto pinned = Call("GET", "/files?pinned=true", user);
  EXPECT_EQ(Cids(pinned), (std::set<std::string>{cids[0], cids[2], cids[4]})) << pinned.Describe();

  // name: case-insensitive substring
  for (const std::string q : {"report", "REPORT", "RePoRt"}) {
    const auto r = Call("GET", "/files?name=" + q, user);
    ExpectSuccessEnvelope(r, 200);
    EXPECT_EQ(Cids(r), (std::set<std::string>{cids[0], cids[3]})) << "name=" << q << ": " << r.Describe();
  }
  EXPECT_EQ(Cids(Call("GET", "/files?name=gamma", user)), std::set<std::string>{cids[2]});
  EXPECT_EQ(Cids(Call("GET", "/files?name=nothing-like-this", user)).size(), 0u);
  // name and pinned together
  EXPECT_EQ(Cids(Call("GET", "/files?name=report&pinned=false", user)), std::set<std::string>{cids[3]});

  // cid: exact, in any text form
  EXPECT_EQ(Cids(Call("GET", "/files?cid=" + cids[2], user)), std::set<std::string>{cids[2]});
  EXPECT_EQ(Cids(Call("GET", "/files?cid=" + CidUpperBase32(cids[2]), user)), std::set<std::string>{cids[2]});

  // bad parameters
  for (const std::string bad :
       {"limit=0", "limit=-1", "limit=abc", "limit=100000", "page=0", "page=x", "pinned=yes", "pinned=1"}) {
    ExpectErrorEnvelope(Call("GET", "/files?" + bad, user), 400, "invalid_query");
  }
}

TEST_F(ContentFiles, DeleteReuploadAndUsage) {
  const auto user = RegisterUser("usage");
  const std::string a = PseudoRandomBytes(1000, std::stoull(RandomHex(12), nullptr, 16));
  const std::string b = PseudoRandomBytes(3000, std::stoull(RandomHex(12), nullptr, 16));
  auto expect_usage = [&](long long files, long long stored, long long pinned, const char* when) {
    const auto usage = Usage(user);
    EXPECT_EQ(usage.value("file_count", -1LL), files) << when << ": " << usage.dump();
    EXPECT_EQ(usage.value("stored_bytes", -1LL), stored) << when << ": " << usage.dump();
    EXPECT_EQ(usage.value("pinned_bytes", -1LL), pinned) << when << ": " << usage.dump();
    EXPECT_TRUE(usage.contains("request_count") && usage["request_count"].is_number_integer()) << usage.dump();
    return usage.value("request_count", -1LL);
  };
  const long long requests0 = expect_usage(0, 0, 0, "new user");
  const std::string cid_a = Store(user, a, "a.bin");
  const std::string cid_b = Store(user, b, "b.bin");
  ASSERT_FALSE(cid_a.empty());
  ASSERT_FALSE(cid_b.empty());
  expect_usage(2, 4000, 4000, "two uploads");
  // request_count: the /usage call and two uploads since requests0 (counts may lag up to 2 s)
  long long requests1 = -1;
  const bool counted = PollUntil(kHangGuard, [&] {
    requests1 = Usage(user).value("request_count", -1LL);
    return requests1 >= requests0 + 3;
  });
  EXPECT_TRUE(counted) << "request_count " << requests0 << " -> " << requests1 << " after 3 more requests";

  ChangePin(user, cid_b, false);
  expect_usage(2, 4000, 1000, "b unpinned");
  ChangePin(user, cid_b, false);  // idempotent
  expect_usage(2, 4000, 1000, "b unpinned twice");

  const auto deleted = Call("DELETE", "/files/" + cid_a, user);
  ExpectSuccessEnvelope(deleted, 200);
  EXPECT_EQ(deleted.Json()["data"].value("cid", ""), cid_a) << deleted.Describe();
  ExpectErrorEnvelope(Retrieve(user, cid_a), 404, "not_found");
  EXPECT_EQ(Call("DELETE", "/files/" + cid_a, user).status, 404);
  EXPECT_EQ(Call("GET", "/files", user).Header("x-total-count").value_or(""), "1");
  expect_usage(1, 3000, 0, "a deleted");
  // the database and the store, not only the API: the row is soft-deleted (kept, so that a
  // re-upload revives it), b's stays live, and the bytes stay until garbage collection
  ASSERT_TRUE(Require(database_url_, "GW_TEST_APP_DATABASE_URL"));
  EXPECT_EQ(FileRow(user, cid_a), "deleted");
  EXPECT_EQ(FileRow(user, cid_b), "live");
  EXPECT_EQ(FileRowCount(user), "2");
  EXPECT_EQ(Sql("SELECT count(*) FROM contents WHERE cid = " + SqlLiteral(cid_a)), "1") << "content gone before gc";
  EXPECT_EQ(
      Sql("SELECT count(*) FROM audit_log WHERE action = 'delete_file' AND details->>'cid' = " + SqlLiteral(cid_a) +
          " AND user_id = (SELECT id FROM users WHERE email = " + SqlLiteral(user.email) + ")"),
      "1");
  if (!env_.filebase) {
    EXPECT_TRUE(OnDisk(cid_a)) << "deleting a holding removed the bytes before gc";
  }

  // re-upload revives it, pinned again
  const auto again = UploadRaw(user, a, "a-again.bin");
  ExpectSuccessEnvelope(again, 201);
  EXPECT_EQ(CidOf(again), cid_a);
  EXPECT_EQ(again.Json()["data"].value("pinned", false), true) << again.Describe();
  const auto got = Retrieve(user, cid_a);
  ASSERT_EQ(got.status, 200) << got.Describe();
  EXPECT_EQ(got.body, a);
  const auto listed = Call("GET", "/files", user);
  EXPECT_EQ(listed.Header("x-total-count").value_or(""), "2") << listed.Describe();
  EXPECT_EQ(Cids(listed), (std::set<std::string>{cid_a, cid_b}));
  expect_usage(2, 4000, 1000, "a re-uploaded");
  EXPECT_EQ(FileRow(user, cid_a), "live") << "the re-upload did not revive the row";
  EXPECT_EQ(FileRowCount(user), "2") << "the re-upload added a row instead of reviving it";

  ChangePin(user, cid_b, true);
  expect_usage(2, 4000, 4000, "b pinned again");
}

TEST_F(ContentFiles, UploadIsAudited) {
  const auto user = RegisterUser("audit");
  const auto up = UploadRaw(user, "audited bytes " + RandomHex(16), "audited.txt");
  ExpectSuccessEnvelope(up, 201);
  const std::string cid = CidOf(up);
  const std::string request_id = up.Header("x-request-id").value_or("");
  ASSERT_FALSE(request_id.empty());

  const auto audit = AdminGet("/audit?user=" + HttpsClient::Escape(user.email) + "&action=upload");
  ExpectSuccessEnvelope(audit, 200);
  const auto entries = audit.Json()["data"];
  ASSERT_TRUE(entries.is_array()) << audit.Describe();
  ASSERT_EQ(entries.size(), 1u) << audit.Describe();
  const auto& entry = entries[0];
  EXPECT_EQ(entry.value("action", ""), "upload") << entry.dump();
  EXPECT_EQ(entry.value("user", ""), user.email) << entry.dump();
  EXPECT_EQ(entry.value("request_id", ""), request_id) << entry.dump();
  ASSERT_TRUE(entry.contains("details") && entry["details"].is_object()) << entry.dump();
  EXPECT_EQ(entry["details"].value("cid", ""), cid) << entry.dump();
  // a user cannot read the audit log
  EXPECT_EQ(Call("GET", "/audit?user=" + HttpsClient::Escape(user.email), user).status, 403);
}

}  // namespace
}  // namespace gw::e2e
