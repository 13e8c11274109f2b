#pragma once
/// @file A client of the IPFS Pinning Service API (Filebase's at https://api.filebase.io/v1/ipfs):
/// pin a CID, follow the pin request until it is pinned, remove pins of a CID.
///
/// Every request carries `Authorization: Bearer <token>` and goes through the pinning API's own
/// circuit breaker and BackoffRetry, like the S3 client: callers see domain::Error only
/// (kStorageUnavailable, kStorageAuthFailed, kStorageError). Thread-safe.

#include <chrono>
#include <functional>
#include <string>
#include <vector>

#include "domain/backoff_retry.hpp"
#include "domain/circuit_breaker.hpp"

namespace gw::persistence {

class CurlHttp;

/// One pin request as the service reports it (PinStatus).
struct PinRequest {
  std::string requestid;
  std::string status;  //!< queued, pinning, pinned or failed
  std::string cid;
};

struct PinningOptions {
  std::chrono::milliseconds poll_interval{500};  //!< as Kubo's own client polls
  std::chrono::milliseconds max_wait{120'000};   //!< then kStorageUnavailable: a job retries later
};

class PinningClient {
 public:
  using Sleep = std::function<void(std::chrono::milliseconds)>;

  /// `base_url` without the trailing `/pins`. `http`, `breaker` and `retry` must outlive it.
  PinningClient(CurlHttp& http, std::string base_url, std::string token, domain::CircuitBreaker& breaker,
                const domain::BackoffRetry& retry, PinningOptions options, Sleep sleep);

  /// Makes the service pin `cid` and waits until it has: an existing request for the CID is
  /// followed rather than duplicated, so running it twice is harmless. A request that ends
  /// `failed` is replaced by a new one once; failing again is kStorageError.
  void Pin(const std::string& cid, const std::string& name);
  /// Deletes every pin request of `cid` (any status); none is not an error.
  void Unpin(const std::string& cid);

  /// The pin requests of `cid` in any status, newest first.
  std::vector<PinRequest> Find(const std::string& cid);

 private:
  PinRequest Add(const std::string& cid, const std::string& name);
  PinRequest Get(const std::string& requestid);
  void Remove(const std::string& requestid);
  /// Polls until pinned (true) or failed (false); kStorageUnavailable past max_wait.
  bool AwaitPinned(PinRequest request);

  CurlHttp& http_;
  std::string base_url_;
  std::string token_;
  domain::CircuitBreaker& breaker_;
  const domain::BackoffRetry& retry_;
  PinningOptions options_;
  Sleep sleep_;
};

}  // namespace gw::persistence
