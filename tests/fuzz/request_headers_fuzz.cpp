// Fuzz target: what the app parses out of a request's parameters and headers: query parameters
// and paging (fcgi/http/http_request.*, pagination.*), path decoding, If-None-Match
// (content_headers.*), Range (CheckRange: the worker answers the 416 that nginx would) and the
// client address behind trusted proxies (client_address.*, the X-Forwarded-For walk).
#include <fuzzer/FuzzedDataProvider.h>

#include <string>
#include <vector>

#include "fcgi/http/client_address.hpp"
#include "fcgi/http/content_headers.hpp"
#include "fcgi/http/http_request.hpp"
#include "fcgi/http/http_response.hpp"
#include "fcgi/http/pagination.hpp"
#include "tests/fuzz/fuzz_check.hpp"

namespace {

using gw::domain::ErrorCode;

bool HasLineBreak(std::string_view s) { return s.find_first_of(std::string_view("\r\n\0", 3)) != s.npos; }

void CheckQuery(const std::string& path, const std::string& query, std::int64_t total) {
  gw::web::Request request;
  request.path = path;
  request.query = query;
  for (const char* name : {"page", "limit", "cid", ""}) {
    gw::fuzz::Refused(ErrorCode::kInvalidQuery, [&] { (void)request.QueryParam(name); });
  }
  gw::web::Paging paging;
  if (gw::fuzz::Refused(ErrorCode::kInvalidQuery, [&] { paging = gw::web::ParsePaging(request); })) return;
  GW_FUZZ_CHECK(paging.page >= 1 && paging.page <= 1'000'000);
  GW_FUZZ_CHECK(paging.limit >= 1 && paging.limit <= 100);
  gw::web::Response response;
  gw::web::SetPaginationHeaders(response, request, total, paging.page, paging.limit);
  bool link = false;
  for (const auto& [name, value] : response.headers) {
    if (name == "X-Total-Count") GW_FUZZ_CHECK(value == std::to_string(total));
    if (name != "Link") continue;
    link = true;
    GW_FUZZ_CHECK(value.find("rel=\"first\"") != std::string::npos && value.find("rel=\"last\"") != std::string::npos);
    if (!HasLineBreak(path) && !HasLineBreak(query)) GW_FUZZ_CHECK(!HasLineBreak(value));
  }
  GW_FUZZ_CHECK(link);
}

void CheckClientAddress(const std::vector<std::string>& cidrs, const std::string& remote, const std::string& xff) {
  std::vector<gw::web::Network> trusted;
  for (const auto& cidr : cidrs) {
    if (const auto network = gw::web::Network::Parse(cidr)) {
      // a network contains its own address (the part before the prefix)
      const std::string_view text(cidr);
      const auto slash = text.find('/');
      if (slash == std::string_view::npos) GW_FUZZ_CHECK(network->Contains(text));
      trusted.push_back(*network);
    }
  }
  const gw::web::ClientAddressResolver resolver(trusted);
  const std::string client = resolver.Resolve(remote, xff);
  bool remote_trusted = false;
  for (const auto& network : trusted) remote_trusted = remote_trusted || network.Contains(remote);
  if (!remote_trusted || xff.empty()) {
    GW_FUZZ_CHECK(client == remote);  // an untrusted peer's header is ignored
    return;
  }
  // otherwise the client is the peer or one hop of the header, never made-up text
  GW_FUZZ_CHECK(client == remote || xff.find(client) != std::string::npos);
  GW_FUZZ_CHECK(client.find(',') == std::string::npos);
}

/// CheckRange on any header, then on spellings whose verdict nginx 1.22 gives: one open range
/// from `start` is satisfiable exactly when it starts inside the file (on an empty file "bytes=0-"
/// is no range: the whole, empty, file); a suffix of n > 0 bytes is satisfiable on any file that
/// is not empty and no range on one that is; a value not starting "bytes=" is no range.
void CheckRangeHeader(const std::string& header, std::uint64_t size, std::uint64_t start) {
  using gw::web::CheckRange;
  using gw::web::RangeVerdict;
  const RangeVerdict verdict = CheckRange(header, size);
  if (header.find('=') == std::string::npos) GW_FUZZ_CHECK(verdict == RangeVerdict::kIgnored);
  const RangeVerdict open = CheckRange("bytes=" + std::to_string(start) + "-", size);
  if (start < size) {
    GW_FUZZ_CHECK(open == RangeVerdict::kSatisfiable);
  } else {
    GW_FUZZ_CHECK(open == (start == 0 ? RangeVerdict::kIgnored : RangeVerdict::kUnsatisfiable));
  }
  const RangeVerdict suffix = CheckRange("bytes=-" + std::to_string(start % 4096 + 1), size);
  GW_FUZZ_CHECK(suffix == (size > 0 ? RangeVerdict::kSatisfiable : RangeVerdict::kIgnored));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  FuzzedDataProvider in(data, size);
  const std::string path = in.ConsumeRandomLengthString(256);
  const std::string query = in.ConsumeRandomLengthString(512);
  const std::string if_none_match = in.ConsumeRandomLengthString(256);
  const std::string remote = in.ConsumeRandomLengthString(64);
  const std::string xff = in.ConsumeRandomLengthString(512);
  std::vector<std::string> cidrs;
  for (int i = in.ConsumeIntegralInRange(0, 3); i > 0; --i) cidrs.push_back(in.ConsumeRandomLengthString(64));
  const auto total = in.ConsumeIntegralInRange<std::int64_t>(0, std::int64_t{1} << 40);
  const std::string range = in.ConsumeRandomLengthString(128);
  const auto file_size = in.ConsumeIntegralInRange<std::uint64_t>(0, std::uint64_t{1} << 40);
  const auto range_start = in.ConsumeIntegralInRange<std::uint64_t>(0, std::uint64_t{1} << 41);
  const std::string cid = in.ConsumeRemainingBytesAsString();

  CheckQuery(path, query, total);

  std::string decoded;
  if (!gw::fuzz::Refused(ErrorCode::kBadRequest, [&] { decoded = gw::web::DecodePath(path); })) {
    GW_FUZZ_CHECK(decoded.size() <= path.size());
  }

  const bool match = gw::web::IfNoneMatchMatches(if_none_match, cid);
  if (match && if_none_match.find('*') == std::string::npos) {
    GW_FUZZ_CHECK(if_none_match.find('"' + cid + '"') != std::string::npos);
  }
  if (cid.find('"') == std::string::npos) {
    GW_FUZZ_CHECK(gw::web::IfNoneMatchMatches('"' + cid + '"', cid));
    GW_FUZZ_CHECK(gw::web::IfNoneMatchMatches("W/\"" + cid + "\", " + if_none_match, cid));
  }

  CheckClientAddress(cidrs, remote, xff);
  CheckRangeHeader(range, file_size, range_start);
  return 0;
}
