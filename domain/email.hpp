#pragma once
/// @file Email validation and normalisation for account identifiers.

#include <optional>
#include <string>
#include <string_view>

namespace gw::domain {

/// Returns the canonical form of `raw` (trimmed, lower-cased) if it is an address we accept,
/// otherwise std::nullopt. We accept the dot-atom subset of RFC 5322 that mail providers
/// actually hand out: no quoted local parts, no IP-literal domains, a dotted domain whose labels
/// are letters, digits and inner hyphens. Non-ASCII is refused rather than half-supported.
std::optional<std::string> NormalizeEmail(std::string_view raw);

/// Same as NormalizeEmail but throws a kValidationFailed Error naming `field` when invalid.
std::string RequireValidEmail(std::string_view raw, std::string_view field = "email");

}  // namespace gw::domain
