// Content API under hostile input: filenames that try path traversal, NUL, huge or bidi tricks;
// other users' CIDs; malformed CIDs; bodies over the limit; the same bytes uploaded at once.
#include <atomic>
#include <latch>
#include <set>

#include "content_fixture.hpp"

namespace gw::e2e {
namespace {

constexpr const char* kHelloWorldCid = "bafkreifzjut3te2nhyekklss27nh3k72ysco7y32koao5eei66wof36n5e";

class ContentSecurity : public ContentTest {};

TEST_F(ContentSecurity, HostileFilenamesAreNeutralised) {
  ASSERT_TRUE(Require(store_dir_, "GW_TEST_STORE_DIR"));
  const auto user = RegisterUser("hostile");
  const std::string rlo = "\xE2\x80\xAE";  // U+202E RIGHT-TO-LEFT OVERRIDE
  struct Case {
    std::string what;
    bool multipart;
    std::string name_or_tail;
  };
  const std::vector<Case> cases = {
      {"raw ../../etc/passwd", false, "../../etc/passwd"},
      {"multipart ../../etc/passwd", true, "; filename=\"../../etc/passwd\""},
      {"raw ..\\..\\windows", false, "..\\..\\windows\\system.ini"},
      {"raw NUL in ?filename=", false, std::string("evil\0name.txt", 13)},
      {"multipart filename* with %00", true, "; filename*=UTF-8''evil%00name.txt"},
      {"multipart raw NUL byte", true, std::string("; filename=\"evil\0name.txt\"", 26)},
      {"multipart 10 KB name", true, "; filename=\"" + std::string(10240, 'a') + ".txt\""},
      {"raw 10 KB name", false, std::string(10240, 'b') + ".txt"},
      {"raw RTL override", false, "invoice" + rlo + "fdp.exe"},
      {"multipart filename* RTL override", true, "; filename*=UTF-8''invoice%E2%80%AEfdp.exe"},
      {"raw CR LF header injection", false, "a.txt\r\nX-Injected: 1"},
  };
  int n = 0;
  for (const auto& c : cases) {
    SCOPED_TRACE(c.what);
    const std::string bytes = "hostile filename case " + std::to_string(n++) + " " + RandomHex(16);
    const auto up = c.multipart ? UploadMultipart(user, bytes, c.name_or_tail) : UploadRaw(user, bytes, c.name_or_tail);
    ExpectSuccessEnvelope(up, 201);
    const auto data = up.Json()["data"];
    const std::string filename = data.value("filename", "");
    EXPECT_FALSE(filename.empty()) << up.Describe();
    EXPECT_EQ(filename.find('/'), std::string::npos) << filename;
    EXPECT_EQ(filename.find('\\'), std::string::npos) << filename;
    EXPECT_EQ(filename.find('\0'), std::string::npos) << "NUL in " << up.Describe();
    EXPECT_EQ(filename.find(rlo), std::string::npos) << "U+202E in " << up.Describe();
    EXPECT_EQ(filename.find_first_of("\r\n"), std::string::npos) << up.Describe();
    EXPECT_LE(filename.size(), 255u) << up.Describe();
    EXPECT_NE(filename, "..");
    EXPECT_NE(filename, ".");

    const auto got = Retrieve(user, data.value("cid", ""));
    ASSERT_EQ(got.status, 200) << got.Describe();
    EXPECT_EQ(got.body, bytes);
    EXPECT_FALSE(got.Header("x-injected").has_value()) << "header injected through the filename";
    const auto dispositions = got.Headers("content-disposition");
    ASSERT_EQ(dispositions.size(), 1u) << "Content-Disposition headers: " << dispositions.size();
    const std::string& cd = dispositions.front();
    EXPECT_TRUE(cd.starts_with("attachment; filename=\"")) << cd;
    EXPECT_NE(cd.find("; filename*=UTF-8''"), std::string::npos) << cd;
    for (const char ch : cd) {
      const auto u = static_cast<unsigned char>(ch);
      ASSERT_TRUE(u >= 0x20 && u < 0x7f) << "non-printable byte 0x" << std::hex << static_cast<int>(u)
                                         << " in Content-Disposition: " << cd;
    }
    // the quoted ASCII name contains no quote or backslash that could end it early
    const auto quoted = cd.substr(22, cd.find("\"; filename*=") - 22);
    EXPECT_EQ(quoted.find_first_of("\"\\/"), std::string::npos) << cd;
    EXPECT_LE(cd.size(), 4096u) << "Content-Disposition of " << cd.size() << " bytes";
  }
  if (env_.filebase) {
    // every object went to the bucket under its CID (or is the CID-profile probe), never a name
    for (const auto& key : FilebaseObjectsPut()) {
      EXPECT_TRUE(key == "ipfs-gateway-cid-probe" || key.starts_with("bafk") || key.starts_with("bafy") ||
                  key.starts_with("Qm"))
          << "an object keyed by something else than a CID: " << key;
    }
  } else {
    // nothing was written anywhere but <store>/files/<xx>/<cid>
    EXPECT_EQ(UnexpectedStoreEntries(store_dir_), std::vector<std::string>{});
  }
}

// A name with double quotes is a legitimate name: kept exactly (API and database), and on
// retrieval escaped so that it cannot end the quoted filename early (RFC 6266: the ASCII
// fallback without the quotes, the exact name in filename*, RFC 5987 percent-encoded).
TEST_F(ContentSecurity, AFilenameWithDoubleQuotesIsKeptExactlyAndEscapedOnRetrieval) {
  ASSERT_TRUE(Require(database_url_, "GW_TEST_APP_DATABASE_URL"));
  const auto user = RegisterUser("quoted");
  const std::string name = "say \"hi\" there.txt";
  const std::string expected_cd =
      "attachment; filename=\"say _hi_ there.txt\"; filename*=UTF-8''say%20%22hi%22%20there.txt";
  struct Case {
    std::string what;
    bool multipart;
    std::string name_or_tail;
  };
  const std::vector<Case> cases = {
      {"raw ?filename=", false, name},
      {"multipart quoted-string with \\\"", true, "; filename=\"say \\\"hi\\\" there.txt\""},
      {"multipart filename*", true, "; filename*=UTF-8''say%20%22hi%22%20there.txt"},
  };
  int n = 0;
  for (const auto& c : cases) {
    SCOPED_TRACE(c.what);
    const std::string bytes = "quoted filename case " + std::to_string(n++) + " " + RandomHex(16);
    const auto up = c.multipart ? UploadMultipart(user, bytes, c.name_or_tail) : UploadRaw(user, bytes, c.name_or_tail);
    ExpectSuccessEnvelope(up, 201);
    const auto data = up.Json()["data"];
    EXPECT_EQ(data.value("original_filename", ""), name) << up.Describe();
    EXPECT_EQ(data.value("filename", ""), name) << up.Describe();
    const std::string cid = data.value("cid", "");
    ASSERT_FALSE(cid.empty()) << up.Describe();
    const std::string row = "FROM files WHERE cid = " + SqlLiteral(cid) +
                            " AND user_id = (SELECT id FROM users WHERE email = " + SqlLiteral(user.email) + ")";
    EXPECT_EQ(Sql("SELECT original_filename " + row), name) << "the database does not hold the exact name";
    EXPECT_EQ(Sql("SELECT safe_filename " + row), name);

    const auto got = Retrieve(user, cid);
    ASSERT_EQ(got.status, 200) << got.Describe();
    EXPECT_EQ(got.body, bytes);
    const auto dispositions = got.Headers("content-disposition");
    ASSERT_EQ(dispositions.size(), 1u) << got.Describe();
    EXPECT_EQ(dispositions.front(), expected_cd);
  }
}

TEST_F(ContentSecurity, OtherUsersCannotTouchAFile) {
  const auto owner = RegisterUser("owner");
  const auto intruder = RegisterUser("intruder");
  const std::string bytes = "private bytes " + RandomHex(32);
  const std::string cid = Store(owner, bytes, "private.txt");
  ASSERT_FALSE(cid.empty());

  ExpectErrorEnvelope(Retrieve(intruder, cid), 404, "not_found");
  EXPECT_EQ(Call("HEAD", "/retrieve/" + cid, intruder).status, 404);
  ExpectErrorEnvelope(Call("POST", "/pin/" + cid, intruder), 404, "content_not_found");
  ExpectErrorEnvelope(Call("POST", "/unpin/" + cid, intruder), 404, "content_not_found");
  const auto del = Call("DELETE", "/files/" + cid, intruder);
  ASSERT_EQ(del.status, 404) << del.Describe();
  EXPECT_TRUE(ErrorCode(del) == "not_found" || ErrorCode(del) == "content_not_found") << del.Describe();
  const auto listed = Call("GET", "/files?cid=" + cid, intruder);
  ExpectSuccessEnvelope(listed, 200);
  EXPECT_EQ(listed.Json()["data"].size(), 0u) << listed.Describe();

  // the owner's file is untouched: still there, still pinned
  const auto got = Retrieve(owner, cid);
  ASSERT_EQ(got.status, 200) << got.Describe();
  EXPECT_EQ(got.body, bytes);
  const auto mine = Call("GET", "/files?cid=" + cid, owner);
  ExpectSuccessEnvelope(mine, 200);
  ASSERT_EQ(mine.Json()["data"].size(), 1u) << mine.Describe();
  EXPECT_EQ(mine.Json()["data"][0].value("pinned", false), true) << mine.Describe();
}

TEST_F(ContentSecurity, MalformedCidsAre400AndUnknownCidsAre404) {
  const auto user = RegisterUser("badcid");
  for (const std::string bad : {"nope", "bafy!!!", "Qm123", "bafkrei", "zzzz"}) {
    SCOPED_TRACE(bad);
    ExpectErrorEnvelope(Retrieve(user, bad), 400, "invalid_cid");
    ExpectErrorEnvelope(Call("POST", "/pin/" + bad, user), 400, "invalid_cid");
    ExpectErrorEnvelope(Call("POST", "/unpin/" + bad, user), 400, "invalid_cid");
    ExpectErrorEnvelope(Call("DELETE", "/files/" + bad, user), 400, "invalid_cid");
  }
  ExpectErrorEnvelope(Call("GET", "/files?cid=nope", user), 400, "invalid_cid");
  // well-formed, but nobody stored it: one digest character of "hello world" changed
  std::string unknown = kHelloWorldCid;
  unknown[20] = unknown[20] == 'a' ? 'b' : 'a';
  ExpectErrorEnvelope(Retrieve(user, unknown), 404, "not_found");
  ExpectErrorEnvelope(Call("POST", "/pin/" + unknown, user), 404, "content_not_found");
  ExpectErrorEnvelope(Call("POST", "/unpin/" + unknown, user), 404, "content_not_found");
  const auto del = Call("DELETE", "/files/" + unknown, user);
  EXPECT_EQ(del.status, 404) << del.Describe();
}

// A raw body over GW_MAX_UPLOAD_BYTES: nginx admits a little more (room for multipart framing),
// so the app's check of the declared length refuses it, before reading the body file.
TEST_F(ContentSecurity, OversizeBodyGetsJson413) {
  const auto user = RegisterUser("oversize");
  constexpr std::uint64_t kLimit = std::uint64_t{100} << 20;
  const Body body{BodyPart{{}, {}, kLimit + 1}};
  // with libcurl's default Expect: 100-continue, and with the body sent at once
  for (const bool expect_continue : {true, false}) {
    SCOPED_TRACE(expect_continue ? "Expect: 100-continue" : "no Expect");
    HeaderList headers{{"X-API-Key", user.api_key}, {"Content-Type", "application/octet-stream"}};
    headers.emplace_back("Expect", expect_continue ? "100-continue" : "");
    const auto start = std::chrono::steady_clock::now();
    const auto result = StreamRequest(env_, "POST", "/upload?filename=big.bin", headers, &body, 60000);
    const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - start);
    std::cout << "[ oversize ] " << (expect_continue ? "Expect: 100-continue" : "no Expect") << ": HTTP "
              << result.response.status << ", curl " << (result.error.empty() ? "OK" : result.error) << ", sent "
              << result.uploaded << " of " << kLimit + 1 << " body bytes in " << ms.count() << " ms\n";
    ASSERT_EQ(result.response.status, 413) << "curl: " << result.error << "; " << result.response.Describe();
    ExpectErrorEnvelope(result.response, 413, "payload_too_large");
  }
  // and nothing was stored for the user: not in the API, not in the database, not in the store
  const auto listed = Call("GET", "/files", user);
  ExpectSuccessEnvelope(listed, 200);
  EXPECT_EQ(listed.Header("x-total-count").value_or(""), "0") << listed.Describe();
  ASSERT_TRUE(Require(database_url_, "GW_TEST_APP_DATABASE_URL"));
  EXPECT_EQ(FileRowCount(user), "0");
  const std::string owner = "(SELECT id FROM users WHERE email = " + SqlLiteral(user.email) + ")";
  EXPECT_EQ(Sql("SELECT count(*) FROM jobs WHERE user_id = " + owner), "0") << "a task for a refused upload";
  EXPECT_EQ(Sql("SELECT count(*) FROM audit_log WHERE user_id = " + owner + " AND action LIKE 'upload%'"), "0");
  if (!env_.filebase) {
    ASSERT_TRUE(Require(store_dir_, "GW_TEST_STORE_DIR"));
    EXPECT_EQ(UnexpectedStoreEntries(store_dir_), std::vector<std::string>{});
    // no file of the refused body's size (over the limit) was kept anywhere in the store
    std::vector<std::string> big;
    std::error_code error;
    for (auto it = std::filesystem::recursive_directory_iterator(store_dir_, error);
         !error && it != std::filesystem::recursive_directory_iterator(); it.increment(error)) {
      std::error_code size_error;
      if (it->is_regular_file(size_error) && it->file_size(size_error) > kLimit) big.push_back(it->path().string());
    }
    EXPECT_EQ(big, std::vector<std::string>{}) << "the refused body was kept in the store";
  }
}

TEST_F(ContentSecurity, SameBytesUploadedAtOnceByTwoUsers) {
  ASSERT_TRUE(Require(store_dir_, "GW_TEST_STORE_DIR"));
  const auto a = RegisterUser("sameA");
  const auto b = RegisterUser("sameB");
  const std::string bytes = PseudoRandomBytes(std::size_t{5} << 20, std::stoull(RandomHex(12), nullptr, 16));
  std::latch start(2);
  HttpResponse responses[2];
  std::string errors[2];
  std::vector<std::thread> threads;
  for (int i = 0; i < 2; ++i) {
    threads.emplace_back([&, i] {
      try {
        auto client = NewClient();
        const Account& user = i == 0 ? a : b;
        start.arrive_and_wait();
        responses[i] =
            client->Request("POST", "/upload?filename=same-" + std::to_string(i) + ".bin",
                            {{"X-API-Key", user.api_key}, {"Content-Type", "application/octet-stream"}}, bytes);
      } catch (const std::exception& e) {
        errors[i] = e.what();
      }
    });
  }
  for (auto& t : threads) t.join();
  ASSERT_EQ(errors[0] + errors[1], "");
  ExpectSuccessEnvelope(responses[0], 201);
  ExpectSuccessEnvelope(responses[1], 201);
  const std::string cid = CidOf(responses[0]);
  EXPECT_EQ(CidOf(responses[1]), cid);

  for (const Account* user : {&a, &b}) {
    const auto listed = Call("GET", "/files", *user);
    ExpectSuccessEnvelope(listed, 200);
    EXPECT_EQ(listed.Header("x-total-count").value_or(""), "1") << listed.Describe();
    ASSERT_EQ(listed.Json()["data"].size(), 1u) << listed.Describe();
    EXPECT_EQ(listed.Json()["data"][0].value("cid", ""), cid);
    const auto got = Retrieve(*user, cid);
    ASSERT_EQ(got.status, 200) << got.Describe();
    EXPECT_EQ(Sha256Hex(got.body), Sha256Hex(bytes));
  }
  if (env_.filebase) {
    // one object for the CID: the second upload found it there (the content row's lock orders them)
    int puts = 0;
    for (const auto& key : FilebaseObjectsPut()) puts += key == cid ? 1 : 0;
    EXPECT_EQ(puts, 1) << "objects sent to Filebase for " << cid;
    return;
  }
  // one file in the store for the CID, with the right size
  const auto path = StorePathOf(store_dir_, cid);
  ASSERT_TRUE(std::filesystem::is_regular_file(path)) << path;
  EXPECT_EQ(std::filesystem::file_size(path), bytes.size());
  int named = 0;
  for (const auto& rel : StoreFileEntries(store_dir_)) named += rel.ends_with("/" + cid) ? 1 : 0;
  EXPECT_EQ(named, 1);
}

}  // namespace
}  // namespace gw::e2e
