// The project's Filebase double (tests/filebase/double.mjs) for one test: started on free
// ports in a temporary directory, stopped by the destructor. Faults and the request log go
// through its control API.
#pragma once

#include <nlohmann/json.hpp>

#include <memory>
#include <optional>
#include <string>

#include "child_process.hpp"
#include "persistence/curl_http.hpp"
#include "persistence/s3_config.hpp"

namespace gw::test {

class FilebaseDouble {
 public:
  static constexpr const char* kAccessKey = "GWTESTACCESSKEY";
  static constexpr const char* kSecretKey = "gw/test+secret=key";
  static constexpr const char* kBucket = "gw-test";
  static constexpr const char* kRegion = "us-east-1";

  static constexpr const char* kPinningToken = "gw-test-pinning-token";

  /// Reports CIDs under `profile` (a CID profile name). Throws std::runtime_error (with the
  /// double's log) when it is not ready within 30 s.
  explicit FilebaseDouble(const std::string& profile = "kubo-add-cidv1");
  ~FilebaseDouble();

  /// Endpoint, region, bucket and the keys the double accepts.
  persistence::S3Config Config() const;
  /// Its Pinning Service API base URL (kPinningToken is the token it accepts).
  std::string PinningUrl() const { return "http://127.0.0.1:" + std::to_string(port_) + "/pinning"; }
  /// POST /fault {"mode": mode[, "count": count][, "target": target]} (target: s3, pinning, all).
  void SetFault(const std::string& mode, std::optional<int> count = std::nullopt, const std::string& target = "s3");
  /// GET /requests: the S3 and pinning requests it received, oldest first.
  nlohmann::json Requests();
  void ClearRequests();
  /// Its stderr so far (for failure messages).
  std::string Log() const;

 private:
  nlohmann::json Control(const std::string& method, const std::string& path, const std::string& body = {});

  TempDir dir_;
  std::unique_ptr<ChildProcess> process_;
  int port_ = 0;
  int control_port_ = 0;
  persistence::CurlHttp control_{{std::chrono::seconds(2), std::chrono::seconds(10)}};
};

}  // namespace gw::test
