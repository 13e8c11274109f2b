#include "domain/cid_profile.hpp"

namespace gw::domain {

std::string_view CidProfileName(CidProfile profile) {
  switch (profile) {
    case CidProfile::kKuboAddCidV1: return "kubo-add-cidv1";
    case CidProfile::kUnixFsV1_2025: return "unixfs-v1-2025";
    case CidProfile::kUnixFsV0_2015: return "unixfs-v0-2015";
  }
  return "kubo-add-cidv1";  // unreachable: the switch covers the closed set (-Wswitch checks it)
}

std::optional<CidProfile> ParseCidProfile(std::string_view name) {
  for (const CidProfile profile : kCidProfiles) {
    if (CidProfileName(profile) == name) return profile;
  }
  return std::nullopt;
}

std::string CidProfileNames() {
  std::string names;
  for (const CidProfile profile : kCidProfiles) {
    if (!names.empty()) names += ", ";
    names += CidProfileName(profile);
  }
  return names;
}

ImportParams ImportParamsOf(CidProfile profile) {
  switch (profile) {
    case CidProfile::kKuboAddCidV1: return ImportParams{};
    case CidProfile::kUnixFsV1_2025: return ImportParams::UnixFsV1_2025();
    case CidProfile::kUnixFsV0_2015: return ImportParams::UnixFsV0_2015();
  }
  return ImportParams{};  // unreachable, as above
}

}  // namespace gw::domain
