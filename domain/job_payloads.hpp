#pragma once
/// @file The job types the service runs and what each one's payload (jobs.payload) holds.
///
/// A payload carries everything a job needs besides its owner (jobs.user_id), including the
/// request id and client address of the request that created it, so the audit rows a job
/// writes tell which request they belong to. Decoding a malformed payload throws
/// Error(kBadRequest): no retry can cure it, so the job is buried (see JobRunner).

#include <cstdint>
#include <string>
#include <string_view>

#include "domain/account.hpp"

namespace gw::domain {

/// The public names of the job types (GET /tasks shows them as `type`).
inline constexpr std::string_view kUploadJob = "upload";
inline constexpr std::string_view kPinJob = "pin";
inline constexpr std::string_view kUnpinJob = "unpin";

/// A large upload kept in the spool: bytes [offset, offset + length) of spool file `spool`.
struct UploadJobPayload {
  std::string spool;
  std::uint64_t offset = 0;
  std::uint64_t length = 0;
  std::string filename;  //!< as the client sent it
  std::string request_id;
  std::string client_address;
};

/// A pin or unpin of a content the owner holds.
struct PinJobPayload {
  std::string cid;  //!< canonical CIDv1
  std::string request_id;
  std::string client_address;
};

std::string EncodeUploadJob(const UploadJobPayload& payload);
UploadJobPayload DecodeUploadJob(std::string_view json);
std::string EncodePinJob(const PinJobPayload& payload);
PinJobPayload DecodePinJob(std::string_view json);

/// The audit context of a job's own actions: the creating request's id and address, the
/// job's owner as the actor.
AuditContext JobAuditContext(std::string request_id, std::string client_address, UserId owner);

}  // namespace gw::domain
