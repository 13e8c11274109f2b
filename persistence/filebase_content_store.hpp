#pragma once
/// @file domain::ContentStore on Filebase: objects in an IPFS bucket (S3 API), keyed by CID,
/// pinned through the Pinning Service API, served by nginx from presigned URLs.
///
/// Stage reads the bytes once, computing the CID under the deployment's CID profile and the
/// MIME type; nothing is sent yet. Commit (inside the database transaction that records the
/// upload, like the local store's rename) sends the object unless the bucket already has it,
/// and checks that the CID Filebase reports for it (x-amz-meta-cid) is the one computed here:
/// the CID users get must be the one the IPFS network serves. A mismatch deletes the object and
/// fails with kStorageCidMismatch, so no `files` row is written.
///
/// The profile Filebase imports with cannot be read from its API; it is learned by uploading a
/// probe object whose CID differs under every profile (FilebaseProfileProbe). Until a probe has
/// succeeded (Filebase unreachable at start) uploads answer kStorageUnavailable, and each later
/// upload tries again, at most every kProbeInterval.

#include <chrono>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "domain/cid_profile.hpp"
#include "domain/content.hpp"
#include "persistence/filebase_pinning.hpp"
#include "persistence/s3_client.hpp"

namespace gw::persistence {

/// Learns Filebase's CID profile from a probe object.
class FilebaseProfileProbe {
 public:
  /// Where the probe object lives in the bucket (it is public on IPFS, like every object).
  static constexpr const char* kKey = "ipfs-gateway-cid-probe";

  /// `configured`: the profile the deployment names (GW_CID_PROFILE), or nullopt for `auto`.
  /// `scratch_dir` holds the probe file while it is sent.
  FilebaseProfileProbe(S3Client& s3, std::string scratch_dir, std::optional<domain::CidProfile> configured);

  /// Sends the probe and returns the profile whose CID Filebase reported. Throws
  /// kStorageCidMismatch naming the reported CID when it is not the configured profile's, or no
  /// profile's; the S3 client's errors (kStorageUnavailable, ...) when Filebase cannot be asked.
  domain::CidProfile Detect();

 private:
  S3Client& s3_;
  std::string scratch_dir_;
  std::optional<domain::CidProfile> configured_;
};

struct FilebaseStoreOptions {
  std::string internal_prefix = "/_filebase/";  //!< nginx's internal proxy location
  std::chrono::seconds presign_expiry{300};     //!< lifetime of a retrieval URL
  std::chrono::seconds probe_interval{5};       //!< between probes while the profile is unknown
};

class FilebaseContentStore final : public domain::ContentStore {
 public:
  /// `profile`: known already (the supervisor's probe at start), or nullopt: learned by `probe`
  /// on first use. Every reference must outlive the store.
  FilebaseContentStore(S3Client& s3, PinningClient& pinning, FilebaseProfileProbe& probe,
                       std::optional<domain::CidProfile> profile, FilebaseStoreOptions options);

  std::unique_ptr<domain::StagedContent> Stage(const std::string& source_path, std::uint64_t offset,
                                               std::uint64_t length, const domain::StageProgress& progress) override;
  using domain::ContentStore::Stage;
  /// Unpins the CID and deletes its object; either missing is not an error.
  void Remove(const std::string& cid) override;
  /// internal_prefix + cid + "?" + the query of a presigned GET URL of the object.
  std::string InternalUri(const std::string& cid) const override;
  bool PinsRemotely() const override { return true; }
  void ApplyPin(const std::string& cid, bool pinned) override;

  /// Sends the object of staged bytes unless the bucket has it, and checks the reported CID.
  void Store(const domain::ImportedContent& content, const FileRange& source);

 private:
  domain::CidProfile Profile();

  S3Client& s3_;
  PinningClient& pinning_;
  FilebaseProfileProbe& probe_;
  FilebaseStoreOptions options_;
  std::mutex profile_mutex_;
  std::optional<domain::CidProfile> profile_;
  bool probing_ = false;
  std::chrono::steady_clock::time_point last_probe_{};
};

}  // namespace gw::persistence
