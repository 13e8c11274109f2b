// The base fixture of the content e2e tests: uploads, retrievals and envelope accessors on top of
// E2eTest (which fails every test without a live stack).
#pragma once

#include <string>

#include "content_support.hpp"
#include "e2e_support.hpp"

namespace gw::e2e {

class ContentTest : public E2eTest {
 protected:
  void SetUp() override {
    E2eTest::SetUp();
    store_dir_ = GetEnvOrEmpty("GW_TEST_STORE_DIR");
    database_url_ = GetEnvOrEmpty("GW_TEST_APP_DATABASE_URL");
  }

  /// What the database says, not the API: one value selected through psql (PsqlValue).
  std::string Sql(const std::string& query) const { return PsqlValue(database_url_, query); }
  /// `user`'s files row of `cid`: "live", "deleted" or "" (none), read from the database.
  std::string FileRow(const Account& user, const std::string& cid) const {
    return Sql("SELECT CASE WHEN deleted_at IS NULL THEN 'live' ELSE 'deleted' END FROM files WHERE cid = " +
               SqlLiteral(cid) + " AND user_id = (SELECT id FROM users WHERE email = " + SqlLiteral(user.email) + ")");
  }
  /// How many files rows `user` has, deleted ones included.
  std::string FileRowCount(const Account& user) const {
    return Sql("SELECT count(*) FROM files WHERE user_id = (SELECT id FROM users WHERE email = " +
               SqlLiteral(user.email) + ")");
  }
  /// With the embedded store: whether `cid`'s bytes are a file under GW_TEST_STORE_DIR/files.
  /// (The Filebase stack keeps them in its bucket; callers check the disk on the embedded one.)
  bool OnDisk(const std::string& cid) const { return std::filesystem::is_regular_file(StorePathOf(store_dir_, cid)); }

  HttpResponse UploadRaw(const Account& user, const std::string& bytes, const std::string& filename = "blob.bin") {
    return Client().Request("POST", "/upload?filename=" + HttpsClient::Escape(filename),
                            {{"X-API-Key", user.api_key}, {"Content-Type", "application/octet-stream"}}, bytes);
  }

  /// Multipart upload; `disposition_tail` follows `form-data; name="file"`, e.g. `; filename="a"`.
  HttpResponse UploadMultipart(const Account& user, const std::string& bytes, const std::string& disposition_tail) {
    const std::string boundary = "gw-e2e-" + RandomHex(24);
    std::string body;
    for (const auto& part : MultipartBody(boundary, disposition_tail, BodyPart{bytes})) body += part.bytes;
    return Client().Request(
        "POST", "/upload", {{"X-API-Key", user.api_key}, {"Content-Type", "multipart/form-data; boundary=" + boundary}},
        body);
  }

  /// data.cid of a 201 upload response ("" and a test failure otherwise).
  static std::string CidOf(const HttpResponse& response) {
    const auto json = response.Json();
    if (response.status != 201 || !json.is_object() || !json.contains("data") || !json["data"].is_object() ||
        !json["data"].contains("cid") || !json["data"]["cid"].is_string()) {
      ADD_FAILURE() << "upload failed: " << response.Describe();
      return "";
    }
    return json["data"]["cid"].get<std::string>();
  }

  /// Uploads raw bytes and returns the CID (fails the test on anything but 201).
  std::string Store(const Account& user, const std::string& bytes, const std::string& filename = "blob.bin") {
    return CidOf(UploadRaw(user, bytes, filename));
  }

  HttpResponse Call(const std::string& method, const std::string& path, const Account& user, HeaderList headers = {}) {
    headers.emplace_back("X-API-Key", user.api_key);
    return Client().Request(method, path, headers);
  }

  HttpResponse Retrieve(const Account& user, const std::string& cid, HeaderList headers = {}) {
    return Call("GET", "/retrieve/" + cid, user, std::move(headers));
  }

  /// POST /pin/<cid> (or /unpin/) to its end: the data of the 200 with the embedded store; with
  /// a backend that pins remotely the 202's task is followed until it succeeded, and its result
  /// is returned. Fails the test (and returns null) otherwise.
  nlohmann::json ChangePin(const Account& user, const std::string& cid, bool pinned) {
    const auto response = Call("POST", (pinned ? "/pin/" : "/unpin/") + cid, user);
    if (response.status == 200) {
      ExpectSuccessEnvelope(response, 200);
      return response.Json()["data"];
    }
    if (response.status != 202 || !env_.filebase) {
      ADD_FAILURE() << (pinned ? "pin " : "unpin ") << cid << ": " << response.Describe();
      return {};
    }
    const std::string id = response.Json()["data"].value("task_id", "");
    nlohmann::json task;
    const bool done = PollUntil(std::chrono::seconds(60), [&] {
      const auto status = Call("GET", "/tasks/" + id + "/status", user);
      task = status.Json().is_object() ? status.Json().value("data", nlohmann::json()) : nlohmann::json();
      const std::string state = task.is_object() ? task.value("state", "") : "";
      return state == "succeeded" || state == "failed";
    });
    if (!done || task.value("state", "") != "succeeded") {
      ADD_FAILURE() << (pinned ? "pin " : "unpin ") << cid << " task " << id << " did not succeed: " << task.dump();
      return {};
    }
    return task.value("result", nlohmann::json());
  }

  /// On the Filebase stack: the object keys of every successful object PUT the double saw (the
  /// path after the bucket; a multipart upload counts once, by its completion).
  std::vector<std::string> FilebaseObjectsPut() {
    HttpsClient control(env_.filebase_control_url, env_.ca_file);
    control.SetRecorded(false);  // the double's control API, not the gateway's
    HttpResponse response;
    nlohmann::json json;
    // An answer's status is recorded as its last byte leaves: read until every entry has one.
    PollUntil(kHangGuard, [&] {
      response = control.Request("GET", "/requests");
      json = response.Json();
      if (!json.is_object() || !json.contains("requests")) return false;
      for (const auto& r : json["requests"]) {
        if (!r["status"].is_number()) return false;
      }
      return true;
    });
    std::vector<std::string> keys;
    if (response.status != 200 || !json.is_object() || !json.contains("requests")) {
      ADD_FAILURE() << "the Filebase double's request log: " << response.Describe();
      return keys;
    }
    for (const auto& r : json["requests"]) {
      if (r.value("kind", "") != "s3" || !r["status"].is_number() || r["status"].get<int>() != 200) continue;
      const std::string query = r["query"].is_string() ? r["query"].get<std::string>() : std::string();
      const bool single_put = r.value("method", "") == "PUT" && query.empty();
      const bool completed = r.value("method", "") == "POST" && query.find("uploadId=") != std::string::npos;
      if (!single_put && !completed) continue;
      const std::string path = r.value("path", "");
      const auto slash = path.find('/', 1);  // "/<bucket>/<key>"
      if (slash != std::string::npos) keys.push_back(path.substr(slash + 1));
    }
    return keys;
  }

  std::string store_dir_;
  std::string database_url_;
};

}  // namespace gw::e2e
