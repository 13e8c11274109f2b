#include "persistence/filebase_pinning.hpp"

#include <nlohmann/json.hpp>

#include "domain/error.hpp"
#include "domain/remote_failure.hpp"
#include "persistence/curl_http.hpp"
#include "persistence/s3_url.hpp"

namespace gw::persistence {
namespace {

using domain::Error;
using domain::ErrorCode;
using domain::RemoteCallFailed;
using domain::RemoteFailure;

// Every status a pin request can have: the service lists only `pinned` ones unless asked.
constexpr const char* kAnyStatus = "queued,pinning,pinned,failed";

// The service's error body is {"error":{"reason":"...","details":"..."}}.
RemoteFailure FailureOf(const HttpResponse& response) {
  RemoteFailure failure{RemoteFailure::Kind::kHttp, static_cast<int>(response.status), {}, {}};
  const auto json = nlohmann::json::parse(response.body, nullptr, false);
  if (json.is_object() && json.contains("error") && json["error"].is_object()) {
    failure.code = json["error"].value("reason", "");
    failure.message = json["error"].value("details", "");
  }
  return failure;
}

PinRequest ReadPinStatus(const nlohmann::json& json) {
  if (!json.is_object() || !json.contains("requestid") || !json["requestid"].is_string() || !json.contains("status") ||
      !json["status"].is_string()) {
    throw Error(ErrorCode::kStorageError, {}, {}, "pinning service: a PinStatus without requestid or status");
  }
  PinRequest request;
  request.requestid = json["requestid"].get<std::string>();
  request.status = json["status"].get<std::string>();
  if (json.contains("pin") && json["pin"].is_object() && json["pin"].contains("cid") &&
      json["pin"]["cid"].is_string()) {
    request.cid = json["pin"]["cid"].get<std::string>();
  }
  return request;
}

// The service's answer about one pin request must be about the CID asked for (the Pinning
// Service API's PinStatus always carries pin.cid): a status of another CID's pin is never taken
// as this one's (OWASP API10, docs/security.md).
PinRequest ExpectPinOf(PinRequest request, const std::string& cid, std::string_view operation) {
  if (request.cid != cid) {
    throw Error(ErrorCode::kStorageError, {}, {{"cid", cid}},
                "pinning service: " + std::string(operation) + " answered about " +
                    (request.cid.empty() ? std::string("no CID") : request.cid) + " for a pin of " + cid);
  }
  return request;
}

nlohmann::json ParseBody(const HttpResponse& response, std::string_view operation) {
  auto json = nlohmann::json::parse(response.body, nullptr, false);
  if (json.is_discarded()) {
    throw Error(ErrorCode::kStorageError, {}, {}, "pinning service: " + std::string(operation) + " answered no JSON");
  }
  return json;
}

}  // namespace

PinningClient::PinningClient(CurlHttp& http, std::string base_url, std::string token, domain::CircuitBreaker& breaker,
                             const domain::BackoffRetry& retry, PinningOptions options, Sleep sleep)
    : http_(http),
      base_url_(std::move(base_url)),
      token_(std::move(token)),
      breaker_(breaker),
      retry_(retry),
      options_(options),
      sleep_(std::move(sleep)) {}

void PinningClient::Pin(const std::string& cid, const std::string& name) {
  for (const auto& request : Find(cid)) {
    if (request.status == "failed") continue;
    if (AwaitPinned(request)) return;
  }
  // None, or only failed ones: ask (once more, when the first new request fails too).
  for (int round = 0; round < 2; ++round) {
    if (AwaitPinned(Add(cid, name))) return;
  }
  throw Error(ErrorCode::kStorageError, {}, {}, "pinning service: pinning " + cid + " failed twice");
}

void PinningClient::Unpin(const std::string& cid) {
  for (const auto& request : Find(cid)) Remove(request.requestid);
}

std::vector<PinRequest> PinningClient::Find(const std::string& cid) {
  const HttpResponse response = retry_.Run(breaker_, "pinning list", [&](int) {
    auto got = http_.Perform({"GET",
                              base_url_ + "/pins?cid=" + SigV4Encode(cid, false) +
                                  "&status=" + SigV4Encode(kAnyStatus, false) + "&limit=1000",
                              {"Authorization: Bearer " + token_, "Accept: application/json"},
                              {},
                              std::nullopt,
                              std::nullopt});
    if (got.status != 200) throw RemoteCallFailed(FailureOf(got));
    return got;
  });
  const auto json = ParseBody(response, "GET /pins");
  std::vector<PinRequest> found;
  if (json.contains("results") && json["results"].is_array()) {
    for (const auto& item : json["results"]) {
      // only the CID asked for: a service that ignored the filter must not make Unpin remove
      // (or Pin wait on) the pins of other CIDs
      auto request = ReadPinStatus(item);
      if (request.cid == cid) found.push_back(std::move(request));
    }
  }
  return found;
}

PinRequest PinningClient::Add(const std::string& cid, const std::string& name) {
  const std::string body = nlohmann::json{{"cid", cid}, {"name", name}}.dump();
  const HttpResponse response = retry_.Run(breaker_, "pinning add", [&](int) {
    auto got = http_.Perform(
        {"POST",
         base_url_ + "/pins",
         {"Authorization: Bearer " + token_, "Content-Type: application/json", "Accept: application/json"},
         body,
         std::nullopt,
         std::nullopt});
    if (got.status != 202 && got.status != 200) throw RemoteCallFailed(FailureOf(got));
    return got;
  });
  return ExpectPinOf(ReadPinStatus(ParseBody(response, "POST /pins")), cid, "POST /pins");
}

PinRequest PinningClient::Get(const std::string& requestid) {
  const HttpResponse response = retry_.Run(breaker_, "pinning status", [&](int) {
    auto got = http_.Perform({"GET",
                              base_url_ + "/pins/" + SigV4Encode(requestid, false),
                              {"Authorization: Bearer " + token_, "Accept: application/json"},
                              {},
                              std::nullopt,
                              std::nullopt});
    if (got.status != 200) throw RemoteCallFailed(FailureOf(got));
    return got;
  });
  return ReadPinStatus(ParseBody(response, "GET /pins/{requestid}"));
}

void PinningClient::Remove(const std::string& requestid) {
  retry_.Run(breaker_, "pinning remove", [&](int) {
    const auto got = http_.Perform({"DELETE",
                                    base_url_ + "/pins/" + SigV4Encode(requestid, false),
                                    {"Authorization: Bearer " + token_, "Accept: application/json"},
                                    {},
                                    std::nullopt,
                                    std::nullopt});
    // 404: already gone (another attempt of this job removed it): the wanted end state.
    if (got.status != 202 && got.status != 200 && got.status != 404) throw RemoteCallFailed(FailureOf(got));
  });
}

bool PinningClient::AwaitPinned(PinRequest request) {
  const std::string cid = request.cid;
  const auto deadline = std::chrono::steady_clock::now() + options_.max_wait;
  while (request.status != "pinned" && request.status != "failed") {
    if (std::chrono::steady_clock::now() >= deadline) {
      throw Error(ErrorCode::kStorageUnavailable, "The pinning service has not finished pinning yet", {},
                  "pinning service: request " + request.requestid + " still " + request.status);
    }
    sleep_(options_.poll_interval);
    request = ExpectPinOf(Get(request.requestid), cid, "GET /pins/{requestid}");
  }
  return request.status == "pinned";
}

}  // namespace gw::persistence
