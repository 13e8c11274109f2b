// Fuzz target: the strict dag-pb / UnixFS decoder (domain/dag_pb.*) that CAR import will use on
// blocks from strangers. A bad block is refused with kBadRequest only; whatever decodes is
// canonical, so it re-encodes to exactly the input (the same CID), and the decoded values obey
// the limits the decoder promises.
#include <algorithm>

#include "domain/dag_pb.hpp"
#include "tests/fuzz/fuzz_check.hpp"

namespace {

using gw::domain::ErrorCode;

bool SameBytes(const std::vector<std::uint8_t>& a, std::span<const std::uint8_t> b) {
  return std::equal(a.begin(), a.end(), b.begin(), b.end());
}

void CheckUnixFs(const gw::domain::UnixFsData& fs) {
  GW_FUZZ_CHECK(fs.type <= gw::domain::UnixFsType::kHamtShard);
  if (fs.mtime && fs.mtime->fractional_nanoseconds) {
    GW_FUZZ_CHECK(*fs.mtime->fractional_nanoseconds >= 1 && *fs.mtime->fractional_nanoseconds <= 999'999'999);
  }
  GW_FUZZ_CHECK(!fs.blocksizes_packed || !fs.blocksizes.empty());
  GW_FUZZ_CHECK(gw::domain::DecodeUnixFsData(gw::domain::EncodeUnixFsData(fs)) == fs);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::span<const std::uint8_t> block(data, size);

  gw::domain::PbNode node;
  if (!gw::fuzz::Refused(ErrorCode::kBadRequest, [&] { node = gw::domain::DecodePbNode(block); })) {
    GW_FUZZ_CHECK(SameBytes(gw::domain::EncodePbNode(node), block));
    for (const auto& link : node.links) GW_FUZZ_CHECK(!link.hash.multihash.empty());
  }

  // the same bytes as a UnixFS Data message (what PBNode.Data holds)
  gw::domain::UnixFsData fs;
  if (!gw::fuzz::Refused(ErrorCode::kBadRequest, [&] { fs = gw::domain::DecodeUnixFsData(block); })) {
    GW_FUZZ_CHECK(SameBytes(gw::domain::EncodeUnixFsData(fs), block));
    CheckUnixFs(fs);
  }

  gw::domain::UnixFsNode unixfs;
  if (!gw::fuzz::Refused(ErrorCode::kBadRequest, [&] { unixfs = gw::domain::DecodeUnixFsNode(block); })) {
    GW_FUZZ_CHECK(unixfs.node.data.has_value());
    GW_FUZZ_CHECK(gw::domain::EncodeUnixFsData(unixfs.unixfs) == *unixfs.node.data);
    if (unixfs.unixfs.type == gw::domain::UnixFsType::kFile) {
      GW_FUZZ_CHECK(unixfs.unixfs.blocksizes.size() == unixfs.node.links.size() && unixfs.unixfs.filesize);
    }
  }
  return 0;
}
