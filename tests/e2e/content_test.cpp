// Content through the whole stack: upload -> retrieve byte-identical, the retrieval headers
// (HEAD, Range, If-None-Match), known CIDs and other text forms of the same CID.
#include "content_fixture.hpp"

namespace gw::e2e {
namespace {

constexpr const char* kHelloWorldCid = "bafkreifzjut3te2nhyekklss27nh3k72ysco7y32koao5eei66wof36n5e";
constexpr const char* kEmptyCid = "bafkreihdwdcefgh4dqkjv67uzcmw7ojee6xedzdetojuzjevtenxquvyku";

class Content : public ContentTest {
 protected:
  // The headers every 200/206 retrieval carries (Accept-Ranges on 200 only: nginx, like RFC 9110,
  // does not repeat it on 206).
  static void ExpectRetrievalHeaders(const HttpResponse& r, const std::string& cid) {
    EXPECT_EQ(r.Header("etag").value_or(""), "\"" + cid + "\"") << r.Describe();
    EXPECT_EQ(r.Header("cache-control").value_or(""), "private, max-age=29030400, immutable") << r.Describe();
    if (r.status == 200) {
      EXPECT_EQ(r.Header("accept-ranges").value_or(""), "bytes") << r.Describe();
    }
    EXPECT_TRUE(r.Header("content-type").has_value()) << r.Describe();
    EXPECT_EQ(r.Headers("etag").size(), 1u) << r.Describe();
    EXPECT_EQ(r.Headers("cache-control").size(), 1u) << r.Describe();
    const auto disposition = r.Header("content-disposition").value_or("");
    EXPECT_TRUE(disposition.starts_with("attachment; filename=\"")) << "Content-Disposition: " << disposition;
    EXPECT_NE(disposition.find("filename*=UTF-8''"), std::string::npos) << "Content-Disposition: " << disposition;
  }
};

TEST_F(Content, RawUploadsOfBoundarySizesRoundTrip) {
  const auto user = RegisterUser("roundtrip");
  const std::uint64_t seed = std::stoull(RandomHex(12), nullptr, 16);
  for (const std::size_t size :
       {std::size_t{0}, std::size_t{1}, std::size_t{262143}, std::size_t{262144}, std::size_t{262145}}) {
    SCOPED_TRACE("size " + std::to_string(size));
    const std::string bytes = PseudoRandomBytes(size, seed + size);
    const auto up = UploadRaw(user, bytes, "size-" + std::to_string(size) + ".bin");
    ExpectSuccessEnvelope(up, 201);
    const auto data = up.Json()["data"];
    const std::string cid = data.value("cid", "");
    ASSERT_FALSE(cid.empty()) << up.Describe();
    EXPECT_EQ(data.value("size", -1LL), static_cast<long long>(size)) << up.Describe();
    EXPECT_EQ(data.value("pinned", false), true) << up.Describe();
    EXPECT_EQ(data.value("original_filename", ""), "size-" + std::to_string(size) + ".bin") << up.Describe();
    EXPECT_EQ(data.value("filename", ""), "size-" + std::to_string(size) + ".bin") << up.Describe();
    EXPECT_TRUE(data.contains("mime_type") && data["mime_type"].is_string()) << up.Describe();
    EXPECT_TRUE(data.contains("uploaded_at") && data["uploaded_at"].is_string()) << up.Describe();
    EXPECT_EQ(up.Header("location").value_or(""), "/retrieve/" + cid) << up.Describe();
    // up to 256 KiB one raw leaf (bafkrei...), above that a dag-pb root (bafybei...)
    EXPECT_TRUE(cid.starts_with(size <= 262144 ? "bafkrei" : "bafybei")) << cid;
    if (size == 0) {
      EXPECT_EQ(cid, kEmptyCid);
    }

    const auto got = Retrieve(user, cid);
    ASSERT_EQ(got.status, 200) << got.Describe();
    EXPECT_EQ(got.body.size(), size);
    EXPECT_EQ(Sha256Hex(got.body), Sha256Hex(bytes)) << "retrieved bytes differ from the uploaded ones";
    EXPECT_EQ(got.Header("content-length").value_or(""), std::to_string(size)) << got.Describe();
    EXPECT_EQ(got.Header("content-type").value_or(""), data.value("mime_type", "?")) << got.Describe();
    ExpectRetrievalHeaders(got, cid);
  }
}

TEST_F(Content, MultipartUploadRoundTrips) {
  const auto user = RegisterUser("multipart");
  std::string bytes;
  for (int i = 0; bytes.size() < 5000; ++i) bytes += "line " + std::to_string(i) + " of a small text file\n";
  const auto up = UploadMultipart(user, bytes, "; filename=\"notes.txt\"");
  ExpectSuccessEnvelope(up, 201);
  const auto data = up.Json()["data"];
  EXPECT_EQ(data.value("original_filename", ""), "notes.txt") << up.Describe();
  EXPECT_EQ(data.value("filename", ""), "notes.txt") << up.Describe();
  EXPECT_EQ(data.value("size", -1LL), static_cast<long long>(bytes.size())) << up.Describe();
  EXPECT_TRUE(data.value("mime_type", "").starts_with("text/plain")) << up.Describe();

  const auto got = Retrieve(user, data.value("cid", ""));
  ASSERT_EQ(got.status, 200) << got.Describe();
  EXPECT_EQ(Sha256Hex(got.body), Sha256Hex(bytes));
  EXPECT_EQ(got.Header("content-disposition").value_or(""),
            "attachment; filename=\"notes.txt\"; filename*=UTF-8''notes.txt");
  // the same bytes as a raw body (another user) give the same CID
  EXPECT_EQ(Store(RegisterUser("multipart-raw"), bytes), data.value("cid", "?"));
}

TEST_F(Content, HeadHasTheHeadersOfGetAndNoBody) {
  const auto user = RegisterUser("head");
  const std::string bytes = PseudoRandomBytes(70000, std::stoull(RandomHex(12), nullptr, 16));
  const std::string cid = Store(user, bytes, "head.bin");
  ASSERT_FALSE(cid.empty());
  const auto get = Retrieve(user, cid);
  ASSERT_EQ(get.status, 200) << get.Describe();
  const auto head = Call("HEAD", "/retrieve/" + cid, user);
  ASSERT_EQ(head.status, 200) << head.Describe();
  EXPECT_TRUE(head.body.empty()) << head.body.size() << " body bytes in a HEAD response";
  ExpectRetrievalHeaders(head, cid);
  for (const char* name :
       {"content-length", "content-type", "etag", "cache-control", "content-disposition", "accept-ranges"}) {
    EXPECT_EQ(head.Header(name), get.Header(name)) << name;
  }
  EXPECT_EQ(head.Header("content-length").value_or(""), "70000");
}

TEST_F(Content, RangesConditionalsAndUnsatisfiable) {
  const auto user = RegisterUser("range");
  const std::string bytes = PseudoRandomBytes(262145, std::stoull(RandomHex(12), nullptr, 16));
  const std::string cid = Store(user, bytes, "range.bin");
  ASSERT_FALSE(cid.empty());
  const std::string total = "/" + std::to_string(bytes.size());

  struct Case {
    const char* range;
    std::size_t first;
    std::size_t last;
  };
  for (const Case c : {Case{"bytes=0-9", 0, 9}, Case{"bytes=-5", 262140, 262144}, Case{"bytes=10-", 10, 262144}}) {
    SCOPED_TRACE(c.range);
    const auto r = Retrieve(user, cid, {{"Range", c.range}});
    ASSERT_EQ(r.status, 206) << r.Describe();
    EXPECT_EQ(r.Header("content-range").value_or(""),
              "bytes " + std::to_string(c.first) + "-" + std::to_string(c.last) + total);
    EXPECT_EQ(r.Header("content-length").value_or(""), std::to_string(c.last - c.first + 1));
    EXPECT_TRUE(r.body == bytes.substr(c.first, c.last - c.first + 1)) << "wrong bytes for " << c.range;
    ExpectRetrievalHeaders(r, cid);
  }

  // several ranges: multipart/byteranges with one part per range
  const auto multi = Retrieve(user, cid, {{"Range", "bytes=0-9,100-109"}});
  ASSERT_EQ(multi.status, 206) << multi.Describe();
  EXPECT_TRUE(multi.Header("content-type").value_or("").starts_with("multipart/byteranges; boundary="))
      << multi.Header("content-type").value_or("(none)");
  for (const auto& [first, range] : {std::pair{0, "0-9"}, std::pair{100, "100-109"}}) {
    const auto at = multi.body.find("Content-Range: bytes " + std::string(range) + total + "\r\n\r\n");
    ASSERT_NE(at, std::string::npos) << "no part for " << range;
    const auto start = multi.body.find("\r\n\r\n", at) + 4;
    EXPECT_TRUE(multi.body.compare(start, 10, bytes, static_cast<std::size_t>(first), 10) == 0)
        << "wrong bytes in the part for " << range;
  }

  const auto unsatisfiable = Retrieve(user, cid, {{"Range", "bytes=999999999-"}});
  EXPECT_EQ(unsatisfiable.status, 416) << unsatisfiable.Describe();
  EXPECT_EQ(unsatisfiable.Header("content-range").value_or(""), "bytes */262145") << unsatisfiable.Describe();
  // nginx's own answer, as the JSON envelope: not the file's attachment or immutable caching
  ExpectErrorEnvelope(unsatisfiable, 416, "range_not_satisfiable");
  EXPECT_FALSE(unsatisfiable.Header("content-disposition")) << unsatisfiable.Describe();
  EXPECT_FALSE(unsatisfiable.Header("etag")) << unsatisfiable.Describe();
  EXPECT_EQ(unsatisfiable.Header("cache-control").value_or(""), "no-store") << unsatisfiable.Describe();
  EXPECT_TRUE(unsatisfiable.Header("ratelimit")) << unsatisfiable.Describe();
  EXPECT_TRUE(unsatisfiable.Header("ratelimit-policy")) << unsatisfiable.Describe();

  const auto not_modified = Retrieve(user, cid, {{"If-None-Match", "\"" + cid + "\""}});
  EXPECT_EQ(not_modified.status, 304) << not_modified.Describe();
  EXPECT_TRUE(not_modified.body.empty());
  EXPECT_EQ(not_modified.Header("etag").value_or(""), "\"" + cid + "\"") << not_modified.Describe();
  const auto other_tag = Retrieve(user, cid, {{"If-None-Match", "\"bafkreisomethingelse\""}});
  EXPECT_EQ(other_tag.status, 200) << other_tag.Describe();
}

TEST_F(Content, KnownCidsAndOtherTextFormsOfTheSameCid) {
  const auto user = RegisterUser("cidforms");
  const auto hello = UploadRaw(user, "hello world", "hello.txt");
  ExpectSuccessEnvelope(hello, 201);
  EXPECT_EQ(CidOf(hello), kHelloWorldCid) << hello.Describe();
  EXPECT_EQ(CidOf(UploadRaw(user, "", "empty")), kEmptyCid);

  const std::string big = PseudoRandomBytes(262145, std::stoull(RandomHex(12), nullptr, 16));
  const std::string big_cid = Store(user, big, "big.bin");
  ASSERT_TRUE(big_cid.starts_with("bafybei")) << big_cid;

  struct Form {
    std::string text;
    std::string canonical;
    std::string sha;
  };
  const std::vector<Form> forms = {
      {CidBase58(kHelloWorldCid), kHelloWorldCid, Sha256Hex("hello world")},
      {CidUpperBase32(kHelloWorldCid), kHelloWorldCid, Sha256Hex("hello world")},
      {CidBase58(big_cid), big_cid, Sha256Hex(big)},
      {CidUpperBase32(big_cid), big_cid, Sha256Hex(big)},
      {CidV0(big_cid), big_cid, Sha256Hex(big)},
  };
  for (const auto& form : forms) {
    SCOPED_TRACE("GET /retrieve/" + form.text);
    ASSERT_TRUE(form.text[0] == 'z' || form.text[0] == 'B' || form.text.starts_with("Qm")) << form.text;
    const auto r = Retrieve(user, form.text);
    ASSERT_EQ(r.status, 200) << r.Describe();
    EXPECT_EQ(Sha256Hex(r.body), form.sha);
    EXPECT_EQ(r.Header("etag").value_or(""), "\"" + form.canonical + "\"") << r.Describe();
    // the other forms address the same file for pin/unpin as well
    const auto pin = ChangePin(user, form.text, true);
    EXPECT_EQ(pin.value("cid", ""), form.canonical) << pin.dump();
  }
}

}  // namespace
}  // namespace gw::e2e
