#include "filebase_double.hpp"

#include <curl/curl.h>
#include <gtest/gtest.h>

#include <sstream>
#include <stdexcept>

namespace gw::test {
namespace {

// curl_global_init belongs in main (ipfs-gateway's does it); the tests' main is gtest's.
class CurlGlobal final : public ::testing::Environment {
 public:
  void SetUp() override { ASSERT_EQ(curl_global_init(CURL_GLOBAL_DEFAULT), CURLE_OK); }
  void TearDown() override { curl_global_cleanup(); }
};
[[maybe_unused]] ::testing::Environment* const kCurlGlobal = ::testing::AddGlobalTestEnvironment(new CurlGlobal);

}  // namespace

FilebaseDouble::FilebaseDouble(const std::string& profile) {
  const std::string log = dir_.Path() + "/double.log";
  process_ = std::make_unique<ChildProcess>(
      std::vector<std::string>{GW_TEST_NODE,      std::string(GW_FILEBASE_DIR) + "/double.mjs",
                               "--port",          "0",
                               "--control-port",  "0",
                               "--dir",           dir_.Path() + "/data",
                               "--region",        kRegion,
                               "--bucket",        kBucket,
                               "--access-key",    kAccessKey,
                               "--secret-key",    kSecretKey,
                               "--pinning-token", kPinningToken,
                               "--profile",       profile},
      log);
  const auto line = process_->ReadLine(std::chrono::seconds(30));
  std::istringstream words(line.value_or(""));
  std::string ready;
  words >> ready >> port_ >> control_port_;
  if (ready != "ready" || port_ <= 0 || control_port_ <= 0) {
    throw std::runtime_error("the Filebase double did not start (first line: '" + line.value_or("<none>") +
                             "'); run `npm ci` in tests/filebase? Its log:\n" + Log());
  }
}

FilebaseDouble::~FilebaseDouble() { process_->Stop(); }

persistence::S3Config FilebaseDouble::Config() const {
  return {"http://127.0.0.1:" + std::to_string(port_), kRegion, kBucket, kAccessKey, kSecretKey};
}

nlohmann::json FilebaseDouble::Control(const std::string& method, const std::string& path, const std::string& body) {
  persistence::HttpRequest request;
  request.method = method;
  request.url = "http://127.0.0.1:" + std::to_string(control_port_) + path;
  request.body = body;
  if (!body.empty()) request.headers.push_back("Content-Type: application/json");
  const auto response = control_.Perform(request);
  if (response.status != 200) {
    throw std::runtime_error("double control " + method + " " + path + ": HTTP " + std::to_string(response.status) +
                             " " + response.body);
  }
  return nlohmann::json::parse(response.body);
}

void FilebaseDouble::SetFault(const std::string& mode, std::optional<int> count, const std::string& target) {
  nlohmann::json spec{{"mode", mode}, {"target", target}};
  if (count) spec["count"] = *count;
  Control("POST", "/fault", spec.dump());
}

nlohmann::json FilebaseDouble::Requests() { return Control("GET", "/requests").at("requests"); }

void FilebaseDouble::ClearRequests() { Control("POST", "/requests/clear", "{}"); }

std::string FilebaseDouble::Log() const { return ReadFileText(dir_.Path() + "/double.log"); }

}  // namespace gw::test
