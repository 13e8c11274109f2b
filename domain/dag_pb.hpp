#pragma once
/// @file Strict decoding (and re-encoding) of dag-pb blocks (codec 0x70) and of the UnixFS Data
/// message they carry (ipfs-specs.md §1.4-1.6), for reading DAGs that someone else built: a CAR
/// upload, a block fetched from a peer. The importer (unixfs_importer.hpp) writes these blocks.
///
/// Blocks come from strangers, so decoding is total and strict: every malformed block throws
/// Error(kBadRequest) with reason "malformed_dag_pb" (or "malformed_unixfs") and nothing else.
/// Only the canonical byte form is accepted (the ipld dag-pb spec, as js-dag-pb enforces it):
/// PBNode Links before Data, PBLink fields in order Hash, Name, Tsize; UnixFS fields in
/// field-number order; no unknown field or wire type, no duplicate field, minimal varints of at
/// most 64 bits, every length within the block. What decodes therefore encodes back to exactly
/// the same bytes (so to the same CID): Encode* below are the inverse of Decode*.
/// Deliberately refused: the old Data-before-Links order that Go's lax decoder still reads.

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "domain/cid.hpp"

namespace gw::domain {

/// The largest block we decode: bitswap's 2 MiB block limit (Kubo's largest chunk, 2 MiB - 256,
/// plus its dag-pb wrapper fits).
inline constexpr std::size_t kMaxDagPbBlockBytes = 2 * 1024 * 1024;

struct PbLink {
  Cid hash;                            //!< a CID this service supports (Cid::FromBytes)
  std::optional<std::string> name;     //!< bytes as sent (file chunk links carry an empty one)
  std::optional<std::uint64_t> tsize;  //!< bytes of the child's whole sub-DAG (a hint only)
  friend bool operator==(const PbLink&, const PbLink&) = default;
};

struct PbNode {
  std::vector<PbLink> links;
  std::optional<std::vector<std::uint8_t>> data;
  /// Data was written before the Links: canonical dag-pb writes Links first, but old blocks with
  /// Data first exist and the spec says decoders take both. Kept so that such a block re-encodes
  /// to its own bytes (its CID); Links on both sides of Data are refused.
  bool data_before_links = false;
  friend bool operator==(const PbNode&, const PbNode&) = default;
};

enum class UnixFsType : std::uint8_t {
  kRaw = 0,
  kDirectory = 1,
  kFile = 2,
  kMetadata = 3,
  kSymlink = 4,
  kHamtShard = 5
};

struct UnixTime {
  std::int64_t seconds = 0;
  std::optional<std::uint32_t> fractional_nanoseconds;  //!< 1 .. 999999999 when present
  friend bool operator==(const UnixTime&, const UnixTime&) = default;
};

struct UnixFsData {
  UnixFsType type = UnixFsType::kFile;
  std::optional<std::vector<std::uint8_t>> data;
  std::optional<std::uint64_t> filesize;
  std::vector<std::uint64_t> blocksizes;  //!< one per link of a File node
  /// blocksizes came as one packed field (0x22) rather than one 0x20 field each, as Go and JS
  /// write them; readers must accept both, and re-encoding keeps the form read.
  bool blocksizes_packed = false;
  std::optional<std::uint64_t> hash_type;
  std::optional<std::uint64_t> fanout;
  std::optional<std::uint32_t> mode;
  std::optional<UnixTime> mtime;
  friend bool operator==(const UnixFsData&, const UnixFsData&) = default;
};

/// A dag-pb block read as UnixFS: the node and its Data, with the cross-checks a reader relies
/// on (File/Raw: one blocksize per link, filesize = len(Data) + sum(blocksizes)).
struct UnixFsNode {
  PbNode node;
  UnixFsData unixfs;
};

/// Throws Error(kBadRequest, reason malformed_dag_pb) on anything but a canonical PBNode.
PbNode DecodePbNode(std::span<const std::uint8_t> block);
/// Throws Error(kBadRequest, reason malformed_unixfs) on anything but a canonical UnixFS Data.
UnixFsData DecodeUnixFsData(std::span<const std::uint8_t> bytes);
/// Both, plus the cross-checks of UnixFsNode; a node without Data is not UnixFS.
UnixFsNode DecodeUnixFsNode(std::span<const std::uint8_t> block);

std::vector<std::uint8_t> EncodePbNode(const PbNode& node);
std::vector<std::uint8_t> EncodeUnixFsData(const UnixFsData& data);

}  // namespace gw::domain
