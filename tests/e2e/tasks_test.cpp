// Asynchronous uploads: files of GW_ASYNC_THRESHOLD (10 MiB) or more answer 202 with a
// task; the task runs to `succeeded` with the same file object a 201 carries; who may see a task;
// GET /tasks. The job worker's crash and a PostgreSQL restart are in tasks_recovery_test.cpp.
#include "task_support.hpp"

namespace gw::e2e {
namespace {

using namespace std::chrono_literals;

class Tasks : public TaskTest {
 protected:
  std::uint64_t Seed() const { return std::stoull(RandomHex(12), nullptr, 16); }

  /// Uploads `n` distinct files of exactly the threshold (each answers 202); their task ids, oldest first.
  std::vector<std::string> QueueUploads(const Account& user, int n) {
    std::vector<std::string> ids;
    for (int i = 0; i < n; ++i) {
      // appended, not `"t" + ... + ".bin"`: GCC 12 warns falsely (-Wrestrict) when that is inlined
      std::string name = "t";
      name.append(std::to_string(i)).append(".bin");
      const auto up = UploadRaw(user, PseudoRandomBytes(kAsyncThreshold, Seed()), name);
      ids.push_back(ExpectAccepted(up, kAsyncThreshold));
      if (ids.back().empty()) return {};
    }
    return ids;
  }

  static std::vector<std::string> TaskIds(const HttpResponse& r) {
    std::vector<std::string> ids;
    auto json = r.Json();
    if (!json.is_object() || !json["data"].is_array()) {
      ADD_FAILURE() << "data is not an array: " << r.Describe();
      return ids;
    }
    for (const auto& task : json["data"]) {
      ExpectTaskShape(task);
      ids.push_back(task.is_object() ? task.value("task_id", "") : "");
    }
    return ids;
  }
};

TEST_F(Tasks, LargeUploadRunsAsTaskToTheReferenceCid) {
  ASSERT_TRUE(Require(store_dir_, "GW_TEST_STORE_DIR"));
  const std::string reference = GetEnvOrEmpty("GW_TEST_REFERENCE_DIR");
  ASSERT_TRUE(Require(reference, "GW_TEST_REFERENCE_DIR"));
  constexpr std::uint64_t kSize = std::uint64_t{50} << 20;
  TempDir dir("gw-e2e-task");
  const std::string file = dir.Path() + "/fifty.bin";
  WriteRandomFile(file, kSize, Seed());
  const std::string cid = ReferenceCids(reference, {file}).at(file);
  const std::string sha = Sha256OfFile(file);
  const auto user = RegisterUser("task-large");
  const auto spool_before = SpoolFiles(store_dir_);

  const auto up = UploadFileRaw(env_, user.api_key, file);
  ASSERT_EQ(up.error, "") << up.response.Describe();
  const std::string id = ExpectAccepted(up.response, kSize);
  ASSERT_FALSE(id.empty());
  EXPECT_EQ(up.response.Json()["data"].value("filename", ""), "fifty.bin") << up.response.Describe();

  auto task = WaitForTask(user, id, 60s);
  ASSERT_EQ(task.value("state", ""), "succeeded") << task.dump();
  EXPECT_EQ(task.value("task_id", ""), id);
  EXPECT_EQ(task.value("type", ""), "upload") << task.dump();
  EXPECT_GE(task.value("attempts", 0), 1) << task.dump();
  const auto progress = task.value("progress", nlohmann::json::object());
  EXPECT_EQ(IntField(progress, "done"), static_cast<long long>(kSize)) << task.dump();
  EXPECT_EQ(IntField(progress, "total"), static_cast<long long>(kSize)) << task.dump();
  const auto result = task.value("result", nlohmann::json::object());
  EXPECT_EQ(result.value("cid", ""), cid) << task.dump();
  EXPECT_EQ(result.value("size", -1LL), static_cast<long long>(kSize)) << task.dump();
  EXPECT_EQ(result.value("filename", ""), "fifty.bin") << task.dump();
  EXPECT_EQ(result.value("pinned", false), true) << task.dump();
  for (const char* field : {"mime_type", "uploaded_at", "original_filename"}) {
    EXPECT_TRUE(result.contains(field) && result.at(field).is_string()) << "'" << field << "' in " << task.dump();
  }

  const auto got = StreamRequest(env_, "GET", "/retrieve/" + cid, {{"X-API-Key", user.api_key}});
  ASSERT_EQ(got.error, "") << got.response.Describe();
  ASSERT_EQ(got.response.status, 200) << got.response.Describe();
  EXPECT_EQ(got.body_size, kSize);
  EXPECT_EQ(got.body_sha256, sha) << "retrieved bytes differ from the uploaded file";
  const auto listed = Call("GET", "/files", user);
  EXPECT_EQ(listed.Header("x-total-count").value_or(""), "1") << listed.Describe();

  // the spooled body goes once the job succeeded (the file may be removed just after the commit)
  std::vector<std::string> left;
  const bool gone = PollUntil(kHangGuard, [&] {
    left = NewEntries(spool_before, SpoolFiles(store_dir_));
    return left.empty();
  });
  EXPECT_TRUE(gone) << left.size() << " new file(s) still in spool/ long after success, first: " << left.front();
}

TEST_F(Tasks, ThresholdIsTheFileSizeBoundary) {
  const auto user = RegisterUser("task-boundary");
  struct Case {
    std::uint64_t size;
    bool multipart;
  };
  // multipart: the body is larger than the file by its framing; only the file's size counts
  for (const Case c : {Case{kAsyncThreshold - 1, false}, Case{kAsyncThreshold, false}, Case{kAsyncThreshold - 1, true},
                       Case{kAsyncThreshold, true}}) {
    SCOPED_TRACE(std::to_string(c.size) + (c.multipart ? " bytes multipart" : " bytes raw"));
    const std::string bytes = PseudoRandomBytes(c.size, Seed());
    const auto up =
        c.multipart ? UploadMultipart(user, bytes, "; filename=\"edge.bin\"") : UploadRaw(user, bytes, "edge.bin");
    ASSERT_EQ(up.status, c.size < kAsyncThreshold ? 201 : 202) << up.Describe();
    if (up.status == 201) {
      EXPECT_EQ(up.Header("location").value_or(""), "/retrieve/" + up.Json()["data"].value("cid", "?"))
          << up.Describe();
    }
    const auto file = UploadedFile(user, up, c.size, 60s);
    ASSERT_TRUE(file.is_object()) << up.Describe();
    EXPECT_EQ(file.value("size", -1LL), static_cast<long long>(c.size)) << file.dump();
    EXPECT_EQ(file.value("filename", ""), "edge.bin") << file.dump();
    const auto got = Retrieve(user, file.value("cid", ""));
    ASSERT_EQ(got.status, 200) << got.Describe();
    EXPECT_EQ(Sha256Hex(got.body), Sha256Hex(bytes)) << "retrieved bytes differ from the uploaded ones";
  }
}

// GW_MAX_UPLOAD_BYTES (100 MiB on the test stack) limits the file, not the body: a multipart
// body carrying a file of exactly the limit passes nginx (which allows for the framing) and is
// stored; one byte more is refused by the app, which names the limit. Bodies stream from
// generated bytes, so 100 MiB never sits in memory.
TEST_F(Tasks, TheUploadLimitIsOnTheFileEvenInsideAMultipartBody) {
  constexpr std::uint64_t kLimit = std::uint64_t{100} << 20;
  const auto user = RegisterUser("task-limit");
  const std::string boundary = "gw-e2e-" + RandomHex(24);
  const HeaderList headers{
      {"X-API-Key", user.api_key}, {"Content-Type", "multipart/form-data; boundary=" + boundary}, {"Expect", ""}};

  const std::string disposition = "; filename=\"" + RandomHex(8) + ".bin\"";
  const Body at_limit = MultipartBody(boundary, disposition, BodyPart{{}, {}, kLimit});
  const auto up = StreamRequest(env_, "POST", "/upload", headers, &at_limit, 120000);
  ASSERT_EQ(up.error, "") << up.response.Describe();
  ASSERT_EQ(up.response.status, 202) << up.response.Describe();
  const auto file = UploadedFile(user, up.response, kLimit);
  ASSERT_TRUE(file.is_object()) << up.response.Describe();
  EXPECT_EQ(file.value("size", -1LL), static_cast<long long>(kLimit)) << file.dump();

  const Body over = MultipartBody(boundary, disposition, BodyPart{{}, {}, kLimit + 1});
  const auto refused = StreamRequest(env_, "POST", "/upload", headers, &over, 120000);
  ASSERT_EQ(refused.response.status, 413) << refused.error << "; " << refused.response.Describe();
  ExpectErrorEnvelope(refused.response, 413, "payload_too_large");
  EXPECT_EQ(refused.response.Json()["error"]["details"].value("limit_bytes", ""), std::to_string(kLimit))
      << "not the app's own check of the file? " << refused.response.Describe();
  const auto listed = Call("GET", "/files", user);
  EXPECT_EQ(listed.Header("x-total-count").value_or(""), "1") << "the refused file was stored: " << listed.Describe();
}

TEST_F(Tasks, OnlyTheOwnerAndAdminsSeeATask) {
  const auto owner = RegisterUser("task-owner");
  const auto other = RegisterUser("task-other");
  const auto ids = QueueUploads(owner, 1);
  ASSERT_EQ(ids.size(), 1u);
  const std::string id = ids[0];

  const auto own = TaskStatus(owner, id);
  ExpectSuccessEnvelope(own, 200);
  ExpectTaskShape(own.Json()["data"]);
  EXPECT_EQ(own.Json()["data"].value("task_id", ""), id) << own.Describe();
  EXPECT_EQ(own.Json()["data"].value("type", ""), "upload") << own.Describe();

  const auto admin = AdminGet("/tasks/" + id + "/status");
  ExpectSuccessEnvelope(admin, 200);
  EXPECT_EQ(admin.Json()["data"].value("task_id", ""), id) << admin.Describe();

  // someone else's task, an unknown one and a malformed id all look the same: not found
  ExpectErrorEnvelope(TaskStatus(other, id), 404, "not_found");
  std::string unknown = id;
  unknown[0] = unknown[0] == 'a' ? 'b' : 'a';
  unknown[35] = unknown[35] == 'a' ? 'b' : 'a';
  for (const std::string& bad :
       {unknown, std::string("00000000-0000-4000-8000-000000000000"), std::string("not-a-uuid"), std::string("12345"),
        id + "0", id.substr(0, 35), "g" + id.substr(1)}) {
    SCOPED_TRACE("id " + bad);
    ExpectErrorEnvelope(TaskStatus(owner, bad), 404, "not_found");
  }

  // no key at all
  ExpectErrorEnvelope(Client().Request("GET", "/tasks/" + id + "/status"), 401, "missing_api_key");
  ExpectErrorEnvelope(Client().Request("GET", "/tasks"), 401, "missing_api_key");
  EXPECT_EQ(WaitForTask(owner, id, 60s).value("state", ""), "succeeded");
}

TEST_F(Tasks, ListIsTheCallersNewestFirstWithFilterAndPaging) {
  const auto user = RegisterUser("task-list");
  const auto stranger = RegisterUser("task-stranger");
  const auto ids = QueueUploads(user, 3);
  ASSERT_EQ(ids.size(), 3u);
  const std::vector<std::string> newest_first(ids.rbegin(), ids.rend());

  const auto all = Call("GET", "/tasks", user);
  ExpectSuccessEnvelope(all, 200);
  EXPECT_EQ(TaskIds(all), newest_first) << all.Describe();
  EXPECT_EQ(all.Header("x-total-count").value_or(""), "3") << all.Describe();
  const auto none = Call("GET", "/tasks", stranger);
  ExpectSuccessEnvelope(none, 200);
  EXPECT_EQ(TaskIds(none).size(), 0u) << none.Describe();
  EXPECT_EQ(none.Header("x-total-count").value_or(""), "0") << none.Describe();

  for (const auto& id : ids) ASSERT_EQ(WaitForTask(user, id, 60s).value("state", ""), "succeeded") << id;
  const auto succeeded = Call("GET", "/tasks?state=succeeded", user);
  ExpectSuccessEnvelope(succeeded, 200);
  EXPECT_EQ(TaskIds(succeeded), newest_first) << succeeded.Describe();
  EXPECT_EQ(succeeded.Header("x-total-count").value_or(""), "3") << succeeded.Describe();
  for (const std::string state : {"queued", "running", "failed"}) {
    const auto r = Call("GET", "/tasks?state=" + state, user);
    ExpectSuccessEnvelope(r, 200);
    EXPECT_EQ(TaskIds(r).size(), 0u) << "state=" << state << ": " << r.Describe();
    EXPECT_EQ(r.Header("x-total-count").value_or(""), "0") << "state=" << state << ": " << r.Describe();
  }
  // "dead" is the queue's internal name for a failed task: not part of the API
  for (const std::string bad : {"state=bogus", "state=dead", "limit=0", "page=0", "limit=abc"}) {
    ExpectErrorEnvelope(Call("GET", "/tasks?" + bad, user), 400, "invalid_query");
  }

  // paging as GET /files: limit=1 over 3 tasks -> 3 pages, Link first/next/last
  for (int page = 1; page <= 3; ++page) {
    SCOPED_TRACE("page " + std::to_string(page));
    const auto r = Call("GET", "/tasks?limit=1&page=" + std::to_string(page), user);
    ExpectSuccessEnvelope(r, 200);
    EXPECT_EQ(TaskIds(r), std::vector<std::string>{newest_first[static_cast<std::size_t>(page - 1)]}) << r.Describe();
    EXPECT_EQ(r.Header("x-total-count").value_or(""), "3") << r.Describe();
    const std::string link = r.Header("link").value_or("");
    EXPECT_NE(link.find("limit=1"), std::string::npos) << "Link: " << link;
    EXPECT_NE(link.find("page=3>; rel=\"last\""), std::string::npos) << "Link: " << link;
    if (page < 3) {
      EXPECT_NE(link.find("page=" + std::to_string(page + 1) + ">; rel=\"next\""), std::string::npos) << link;
    } else {
      EXPECT_EQ(link.find("rel=\"next\""), std::string::npos) << "next on the last page: " << link;
    }
  }
}

}  // namespace
}  // namespace gw::e2e
