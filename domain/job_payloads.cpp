#include "domain/job_payloads.hpp"

#include <nlohmann/json.hpp>

#include <type_traits>

#include "domain/error.hpp"

namespace gw::domain {
namespace {

nlohmann::json ParseObject(std::string_view json, std::string_view type) {
  auto parsed = nlohmann::json::parse(json, nullptr, /*allow_exceptions=*/false);
  if (!parsed.is_object()) {
    throw Error(ErrorCode::kBadRequest, {}, {}, "malformed " + std::string(type) + " job payload");
  }
  return parsed;
}

template <typename T>
T Field(const nlohmann::json& object, const char* name, std::string_view type) {
  const auto it = object.find(name);
  if (it == object.end()) {
    throw Error(ErrorCode::kBadRequest, {}, {}, std::string(type) + " job payload lacks '" + name + "'");
  }
  // nlohmann would turn -1 into 2^64-1 and 1.5 into 1: a range must be a whole number >= 0.
  if constexpr (std::is_unsigned_v<T>) {
    if (!it->is_number_unsigned()) {
      throw Error(ErrorCode::kBadRequest, {}, {}, std::string(type) + " job payload has a bad '" + name + "'");
    }
  }
  try {
    return it->get<T>();
  } catch (const nlohmann::json::exception&) {
    throw Error(ErrorCode::kBadRequest, {}, {}, std::string(type) + " job payload has a bad '" + name + "'");
  }
}

}  // namespace

std::string EncodeUploadJob(const UploadJobPayload& payload) {
  return nlohmann::json{{"spool", payload.spool},           {"offset", payload.offset},
                        {"length", payload.length},         {"filename", payload.filename},
                        {"request_id", payload.request_id}, {"client_address", payload.client_address}}
      .dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

UploadJobPayload DecodeUploadJob(std::string_view json) {
  const auto object = ParseObject(json, kUploadJob);
  UploadJobPayload payload;
  payload.spool = Field<std::string>(object, "spool", kUploadJob);
  payload.offset = Field<std::uint64_t>(object, "offset", kUploadJob);
  payload.length = Field<std::uint64_t>(object, "length", kUploadJob);
  payload.filename = Field<std::string>(object, "filename", kUploadJob);
  payload.request_id = Field<std::string>(object, "request_id", kUploadJob);
  payload.client_address = Field<std::string>(object, "client_address", kUploadJob);
  // The spool name becomes a path: only the names UploadSpool::Keep makes are accepted.
  if (payload.spool.empty() || payload.spool.find('/') != std::string::npos || payload.spool[0] == '.') {
    throw Error(ErrorCode::kBadRequest, {}, {}, "upload job payload has a bad spool name");
  }
  return payload;
}

std::string EncodePinJob(const PinJobPayload& payload) {
  return nlohmann::json{
      {"cid", payload.cid}, {"request_id", payload.request_id}, {"client_address", payload.client_address}}
      .dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

PinJobPayload DecodePinJob(std::string_view json) {
  const auto object = ParseObject(json, kPinJob);
  return {Field<std::string>(object, "cid", kPinJob), Field<std::string>(object, "request_id", kPinJob),
          Field<std::string>(object, "client_address", kPinJob)};
}

AuditContext JobAuditContext(std::string request_id, std::string client_address, UserId owner) {
  return {std::move(request_id), std::move(client_address), owner};
}

}  // namespace gw::domain
