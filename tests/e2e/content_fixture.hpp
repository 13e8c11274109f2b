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
  }

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

  std::string store_dir_;
};

}  // namespace gw::e2e
