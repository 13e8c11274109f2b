#include "domain/dag_pb.hpp"

#include <limits>
#include <string_view>

#include "domain/error.hpp"
#include "domain/varint.hpp"

namespace gw::domain {
namespace {

// Tag bytes (field << 3 | wire type). Wire types: 0 varint, 2 length-delimited, 5 fixed32.
constexpr std::uint64_t kPbNodeData = 0x0a;
constexpr std::uint64_t kPbNodeLinks = 0x12;
constexpr std::uint64_t kPbLinkHash = 0x0a;
constexpr std::uint64_t kPbLinkName = 0x12;
constexpr std::uint64_t kPbLinkTsize = 0x18;
constexpr std::uint64_t kUnixTimeSeconds = 0x08;
constexpr std::uint64_t kUnixTimeNanos = 0x15;
constexpr int kFsBlocksizes = 4;
constexpr std::uint32_t kMaxNanos = 999'999'999;
constexpr std::size_t kMaxProtobufVarintBytes = 10;  // 64 bits; the 10th byte holds one bit

/// What a failed decode is reported as: the part being decoded names the message and reason.
struct Part {
  std::string_view message;  // "Malformed dag-pb block"
  std::string_view reason;   // "malformed_dag_pb"
};
constexpr Part kDagPb{"Malformed dag-pb block", "malformed_dag_pb"};
constexpr Part kUnixFs{"Malformed UnixFS data", "malformed_unixfs"};

[[noreturn]] void Fail(const Part& part, std::string_view why) {
  throw Error(ErrorCode::kBadRequest, std::string(part.message) + ": " + std::string(why),
              {{"reason", std::string(part.reason)}});
}

/// Reads protobuf fields from the front of a byte span, refusing anything non-canonical.
class Reader {
 public:
  Reader(std::span<const std::uint8_t> in, const Part& part) : in_(in), part_(part) {}
  bool Done() const { return in_.empty(); }

  /// A minimal varint of at most 64 bits (protobuf allows padded ones; one byte form only here).
  std::uint64_t Varint() {
    std::uint64_t value = 0;
    for (std::size_t i = 0; i < in_.size() && i < kMaxProtobufVarintBytes; ++i) {
      const std::uint8_t byte = in_[i];
      if (i == kMaxProtobufVarintBytes - 1 && byte > 1) Fail(part_, "varint longer than 64 bits");
      value |= static_cast<std::uint64_t>(byte & 0x7f) << (7 * i);
      if ((byte & 0x80) == 0) {
        if (byte == 0 && i > 0) Fail(part_, "varint not minimally encoded");
        in_ = in_.subspan(i + 1);
        return value;
      }
    }
    Fail(part_, in_.size() < kMaxProtobufVarintBytes ? "truncated varint" : "varint longer than 64 bits");
  }

  /// The bytes of a length-delimited field; the length must lie within what is left.
  std::span<const std::uint8_t> Bytes() {
    const std::uint64_t length = Varint();
    if (length > in_.size()) Fail(part_, "field length beyond the end of the block");
    const auto out = in_.first(static_cast<std::size_t>(length));
    in_ = in_.subspan(static_cast<std::size_t>(length));
    return out;
  }

  std::uint32_t Fixed32() {
    if (in_.size() < 4) Fail(part_, "truncated fixed32");
    const std::uint32_t value = static_cast<std::uint32_t>(in_[0]) | static_cast<std::uint32_t>(in_[1]) << 8 |
                                static_cast<std::uint32_t>(in_[2]) << 16 | static_cast<std::uint32_t>(in_[3]) << 24;
    in_ = in_.subspan(4);
    return value;
  }

 private:
  std::span<const std::uint8_t> in_;
  const Part& part_;
};

std::vector<std::uint8_t> ToVector(std::span<const std::uint8_t> bytes) { return {bytes.begin(), bytes.end()}; }

PbLink DecodeLink(std::span<const std::uint8_t> bytes) {
  Reader reader(bytes, kDagPb);
  std::optional<Cid> hash;
  PbLink link;
  std::uint64_t last = 0;  // tags rise strictly: Hash, Name, Tsize, each at most once
  while (!reader.Done()) {
    const std::uint64_t tag = reader.Varint();
    if (tag != kPbLinkHash && tag != kPbLinkName && tag != kPbLinkTsize) Fail(kDagPb, "unknown PBLink field");
    if (tag <= last) Fail(kDagPb, "PBLink fields out of order or repeated");
    last = tag;
    if (tag == kPbLinkHash) {
      const auto cid = reader.Bytes();
      try {
        hash = Cid::FromBytes(cid);
      } catch (const Error& error) {
        Fail(kDagPb, "link Hash is not a supported CID (" + error.PublicMessage() + ")");
      }
    } else if (tag == kPbLinkName) {
      const auto name = reader.Bytes();
      link.name = std::string(name.begin(), name.end());
    } else {
      link.tsize = reader.Varint();
    }
  }
  if (!hash) Fail(kDagPb, "link without Hash");
  link.hash = std::move(*hash);
  return link;
}

UnixTime DecodeUnixTime(std::span<const std::uint8_t> bytes) {
  Reader reader(bytes, kUnixFs);
  if (reader.Done() || reader.Varint() != kUnixTimeSeconds) Fail(kUnixFs, "mtime without Seconds first");
  UnixTime time;
  time.seconds = static_cast<std::int64_t>(reader.Varint());  // int64: two's complement on the wire
  if (!reader.Done()) {
    if (reader.Varint() != kUnixTimeNanos) Fail(kUnixFs, "unknown or repeated mtime field");
    const std::uint32_t nanos = reader.Fixed32();
    if (nanos == 0 || nanos > kMaxNanos) Fail(kUnixFs, "mtime FractionalNanoseconds outside 1..999999999");
    time.fractional_nanoseconds = nanos;
  }
  if (!reader.Done()) Fail(kUnixFs, "unknown or repeated mtime field");
  return time;
}

void CheckUnixFsNode(const PbNode& node, const UnixFsData& fs) {
  const bool file = fs.type == UnixFsType::kFile || fs.type == UnixFsType::kRaw;
  if (!file && !fs.blocksizes.empty()) Fail(kUnixFs, "blocksizes on a node that is not a file");
  if (file && fs.blocksizes.size() != node.links.size()) Fail(kUnixFs, "not one blocksize per link");
  if (fs.type != UnixFsType::kFile) return;
  if (!fs.filesize) Fail(kUnixFs, "File without filesize");
  std::uint64_t total = fs.data ? fs.data->size() : 0;
  for (const std::uint64_t size : fs.blocksizes) {
    if (size > std::numeric_limits<std::uint64_t>::max() - total) Fail(kUnixFs, "blocksizes overflow");
    total += size;
  }
  if (total != *fs.filesize) Fail(kUnixFs, "filesize is not the length of Data plus the blocksizes");
}

void AppendBytes(std::vector<std::uint8_t>& out, std::uint64_t tag, std::span<const std::uint8_t> bytes) {
  AppendVarint(out, tag);
  AppendVarint(out, bytes.size());
  out.insert(out.end(), bytes.begin(), bytes.end());
}

void AppendField(std::vector<std::uint8_t>& out, std::uint64_t tag, std::uint64_t value) {
  AppendVarint(out, tag);
  AppendVarint(out, value);
}

}  // namespace

PbNode DecodePbNode(std::span<const std::uint8_t> block) {
  if (block.size() > kMaxDagPbBlockBytes) Fail(kDagPb, "block larger than 2 MiB");
  Reader reader(block, kDagPb);
  PbNode node;
  while (!reader.Done()) {
    const std::uint64_t tag = reader.Varint();
    if (tag == kPbNodeLinks) {
      // Data first (old blocks) is fine, Links on both sides of it is not
      if (node.data && node.links.empty()) node.data_before_links = true;
      if (node.data && !node.data_before_links) Fail(kDagPb, "Links on both sides of Data");
      node.links.push_back(DecodeLink(reader.Bytes()));
    } else if (tag == kPbNodeData) {
      if (node.data) Fail(kDagPb, "Data repeated");
      node.data = ToVector(reader.Bytes());
    } else {
      Fail(kDagPb, "unknown PBNode field or wire type");
    }
  }
  return node;
}

UnixFsData DecodeUnixFsData(std::span<const std::uint8_t> bytes) {
  Reader reader(bytes, kUnixFs);
  UnixFsData fs;
  int last = 0;  // field numbers rise; only blocksizes repeat, in one form
  while (!reader.Done()) {
    const std::uint64_t tag = reader.Varint();
    const std::uint64_t wire = tag & 7;
    static constexpr int kWire[] = {-1, 0, 2, 0, 0, 0, 0, 0, 2};  // wire type by field 1..8
    const int field = (tag >> 3) <= 8 ? static_cast<int>(tag >> 3) : 0;
    const bool packed = field == kFsBlocksizes && wire == 2;
    if (field == 0 || (static_cast<int>(wire) != kWire[field] && !packed)) {
      Fail(kUnixFs, "unknown field or wire type");
    }
    if (last == 0 && field != 1) Fail(kUnixFs, "Type missing");  // proto2 `required`, field 1 comes first
    if (field < last || (field == last && (field != kFsBlocksizes || packed || fs.blocksizes_packed))) {
      Fail(kUnixFs, "fields out of order or repeated");
    }
    last = field;
    switch (field) {
      case 1: {
        const std::uint64_t type = reader.Varint();
        if (type > static_cast<std::uint64_t>(UnixFsType::kHamtShard)) Fail(kUnixFs, "unknown Type");
        fs.type = static_cast<UnixFsType>(type);
        break;
      }
      case 2: fs.data = ToVector(reader.Bytes()); break;
      case 3: fs.filesize = reader.Varint(); break;
      case 4:
        if (packed) {
          Reader values(reader.Bytes(), kUnixFs);
          if (values.Done()) Fail(kUnixFs, "empty packed blocksizes");
          while (!values.Done()) fs.blocksizes.push_back(values.Varint());
          fs.blocksizes_packed = true;
        } else {
          fs.blocksizes.push_back(reader.Varint());
        }
        break;
      case 5: fs.hash_type = reader.Varint(); break;
      case 6: fs.fanout = reader.Varint(); break;
      case 7: {
        const std::uint64_t mode = reader.Varint();
        if (mode > std::numeric_limits<std::uint32_t>::max()) Fail(kUnixFs, "mode larger than 32 bits");
        fs.mode = static_cast<std::uint32_t>(mode);
        break;
      }
      default: fs.mtime = DecodeUnixTime(reader.Bytes()); break;
    }
  }
  if (last == 0) Fail(kUnixFs, "Type missing");
  return fs;
}

UnixFsNode DecodeUnixFsNode(std::span<const std::uint8_t> block) {
  UnixFsNode out{DecodePbNode(block), {}};
  if (!out.node.data) Fail(kUnixFs, "dag-pb node without Data");
  out.unixfs = DecodeUnixFsData(*out.node.data);
  CheckUnixFsNode(out.node, out.unixfs);
  return out;
}

std::vector<std::uint8_t> EncodePbNode(const PbNode& node) {
  std::vector<std::uint8_t> out;
  std::vector<std::uint8_t> link;
  if (node.data && node.data_before_links) AppendBytes(out, kPbNodeData, *node.data);
  for (const PbLink& each : node.links) {
    link.clear();
    AppendBytes(link, kPbLinkHash, each.hash.Bytes());
    if (each.name) {
      AppendBytes(link, kPbLinkName,
                  std::span(reinterpret_cast<const std::uint8_t*>(each.name->data()), each.name->size()));
    }
    if (each.tsize) AppendField(link, kPbLinkTsize, *each.tsize);
    AppendBytes(out, kPbNodeLinks, link);
  }
  if (node.data && !node.data_before_links) AppendBytes(out, kPbNodeData, *node.data);
  return out;
}

std::vector<std::uint8_t> EncodeUnixFsData(const UnixFsData& fs) {
  std::vector<std::uint8_t> out;
  AppendField(out, 0x08, static_cast<std::uint64_t>(fs.type));
  if (fs.data) AppendBytes(out, 0x12, *fs.data);
  if (fs.filesize) AppendField(out, 0x18, *fs.filesize);
  if (fs.blocksizes_packed && !fs.blocksizes.empty()) {
    std::vector<std::uint8_t> packed;
    for (const std::uint64_t size : fs.blocksizes) AppendVarint(packed, size);
    AppendBytes(out, 0x22, packed);
  } else {
    for (const std::uint64_t size : fs.blocksizes) AppendField(out, 0x20, size);
  }
  if (fs.hash_type) AppendField(out, 0x28, *fs.hash_type);
  if (fs.fanout) AppendField(out, 0x30, *fs.fanout);
  if (fs.mode) AppendField(out, 0x38, *fs.mode);
  if (fs.mtime) {
    std::vector<std::uint8_t> time;
    AppendField(time, kUnixTimeSeconds, static_cast<std::uint64_t>(fs.mtime->seconds));
    if (fs.mtime->fractional_nanoseconds) {
      AppendVarint(time, kUnixTimeNanos);
      for (int shift = 0; shift < 32; shift += 8) {
        time.push_back(static_cast<std::uint8_t>(*fs.mtime->fractional_nanoseconds >> shift));
      }
    }
    AppendBytes(out, 0x42, time);
  }
  return out;
}

}  // namespace gw::domain
