#pragma once
/// @file HTTP header values for serving stored files.

#include <cstdint>
#include <string>
#include <string_view>

namespace gw::web {

/// RFC 6266 Content-Disposition with an ASCII fallback `filename` (non-ASCII, quotes and
/// backslashes replaced by '_') and the exact name as RFC 5987 `filename*=UTF-8''...`.
std::string ContentDisposition(std::string_view disposition, std::string_view filename);

/// True when an If-None-Match header value matches the strong ETag "<cid>": "*", or a list
/// containing "<cid>" or W/"<cid>" (weak comparison, as RFC 9110 prescribes for this header).
bool IfNoneMatchMatches(std::string_view header, std::string_view cid);

/// What nginx's range filter will make of a `Range` header on a file of `size` bytes, decided
/// the way nginx 1.22 decides it (ngx_http_range_parse): kIgnored (no "bytes=" range, or ranges
/// nginx answers with the whole file), kSatisfiable (206), kUnsatisfiable (416). The worker
/// answers the 416 itself, as the JSON envelope: nginx's own 416 would carry the file's
/// Content-Disposition, ETag and immutable Cache-Control, which its header filters add before
/// the range filter turns the answer into an error.
enum class RangeVerdict { kIgnored, kSatisfiable, kUnsatisfiable };
RangeVerdict CheckRange(std::string_view header, std::uint64_t size);

/// The cache policy of content-addressed bytes: they can never change under their CID, but only
/// their holder may read them, so only the client's own cache may keep them ("private"): a CDN
/// or shared proxy does not key its cache on X-API-Key and would hand them to anyone.
inline constexpr std::string_view kImmutableCacheControl = "private, max-age=29030400, immutable";

}  // namespace gw::web
