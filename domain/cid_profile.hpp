#pragma once
/// @file Named CID profiles: the import settings a deployment gives every upload (GW_CID_PROFILE).
///
/// The same bytes get different CIDs under different import settings (ipfs-specs.md §1.12), so a
/// deployment picks one profile by a stable name and keeps it: changing it changes the CIDs of new
/// uploads only. The set is closed; each name is what operators write in the configuration.

#include <array>
#include <optional>
#include <string>
#include <string_view>

#include "domain/unixfs_importer.hpp"

namespace gw::domain {

enum class CidProfile {
  kKuboAddCidV1,   //!< `kubo-add-cidv1`: `ipfs add --cid-version=1` (CIDv1, 256 KiB, 174 links, raw leaves)
  kUnixFsV1_2025,  //!< `unixfs-v1-2025` (IPIP-499): CIDv1, 1 MiB chunks, 1024 links, raw leaves
  kUnixFsV0_2015,  //!< `unixfs-v0-2015` (IPIP-499, Kubo's plain `ipfs add`): CIDv0, 256 KiB, 174 links, dag-pb leaves
};

/// Every profile, the default first.
inline constexpr std::array<CidProfile, 3> kCidProfiles = {CidProfile::kKuboAddCidV1, CidProfile::kUnixFsV1_2025,
                                                           CidProfile::kUnixFsV0_2015};

/// The stable name, e.g. "unixfs-v0-2015".
std::string_view CidProfileName(CidProfile profile);
/// The profile with exactly this name (case-sensitive, as configuration values are), or nullopt.
std::optional<CidProfile> ParseCidProfile(std::string_view name);
/// "kubo-add-cidv1, unixfs-v1-2025, unixfs-v0-2015": for messages that list the valid names.
std::string CidProfileNames();
/// The importer settings of the profile.
ImportParams ImportParamsOf(CidProfile profile);

}  // namespace gw::domain
