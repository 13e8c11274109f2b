#pragma once
/// @file HTTP header values for serving stored files.

#include <string>
#include <string_view>

namespace gw::web {

/// RFC 6266 Content-Disposition with an ASCII fallback `filename` (non-ASCII, quotes and
/// backslashes replaced by '_') and the exact name as RFC 5987 `filename*=UTF-8''...`.
std::string ContentDisposition(std::string_view disposition, std::string_view filename);

/// True when an If-None-Match header value matches the strong ETag "<cid>": "*", or a list
/// containing "<cid>" or W/"<cid>" (weak comparison, as RFC 9110 prescribes for this header).
bool IfNoneMatchMatches(std::string_view header, std::string_view cid);

/// The cache policy of content-addressed bytes: they can never change under their CID, but only
/// their holder may read them, so only the client's own cache may keep them ("private"): a CDN
/// or shared proxy does not key its cache on X-API-Key and would hand them to anyone.
inline constexpr std::string_view kImmutableCacheControl = "private, max-age=29030400, immutable";

/// The headers a retrieval's X-Accel-Redirect answer carries Content-Disposition and
/// Cache-Control in, for nginx's internal content locations to add to the file's 200/206/HEAD
/// answers (and only to those: not to nginx's own errors, such as a 416).
inline constexpr std::string_view kDownloadDispositionHeader = "X-Gw-Content-Disposition";
inline constexpr std::string_view kDownloadCacheControlHeader = "X-Gw-Cache-Control";

}  // namespace gw::web
