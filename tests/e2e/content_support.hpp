// Header-only helpers for the content e2e tests: CID text forms, a view of the content store,
// running the node reference tools; with test_sha256.hpp and stream_client.hpp.
#pragma once

#include <cctype>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "e2e_support.hpp"
#include "https_client.hpp"
#include "stream_client.hpp"
#include "test_sha256.hpp"

namespace gw::e2e {

// ---- CID text forms -------------------------------------------------------------------------

/// The bytes of a base32 (RFC 4648 lower-case, no padding) CIDv1 string "b...".
inline std::vector<std::uint8_t> CidBytesFromBase32(const std::string& cid) {
  std::vector<std::uint8_t> out;
  std::uint32_t buffer = 0;
  int bits = 0;
  for (std::size_t i = 1; i < cid.size(); ++i) {
    const char c = cid[i];
    const int v = c >= 'a' && c <= 'z' ? c - 'a' : c >= '2' && c <= '7' ? c - '2' + 26 : -1;
    if (v < 0) throw std::runtime_error("not base32: " + cid);
    buffer = (buffer << 5) | static_cast<std::uint32_t>(v);
    bits += 5;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<std::uint8_t>(buffer >> bits));
    }
  }
  return out;
}

inline std::string Base58(const std::vector<std::uint8_t>& bytes) {
  static constexpr char kAlphabet[] = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";
  std::vector<std::uint8_t> digits;  // base-58 digits, least significant first
  for (const std::uint8_t byte : bytes) {
    std::uint32_t carry = byte;
    for (auto& d : digits) {
      carry += std::uint32_t{d} << 8;
      d = static_cast<std::uint8_t>(carry % 58);
      carry /= 58;
    }
    while (carry > 0) {
      digits.push_back(static_cast<std::uint8_t>(carry % 58));
      carry /= 58;
    }
  }
  std::string out;
  for (std::size_t i = 0; i < bytes.size() && bytes[i] == 0; ++i) out += '1';
  for (auto it = digits.rbegin(); it != digits.rend(); ++it) out += kAlphabet[*it];
  return out;
}

/// "z..." base58btc form of a base32 CIDv1.
inline std::string CidBase58(const std::string& cid_b32) {
  std::string out(1, 'z');
  out += Base58(CidBytesFromBase32(cid_b32));
  return out;
}
/// "B..." upper-case base32 form.
inline std::string CidUpperBase32(const std::string& cid_b32) {
  std::string out = cid_b32;
  for (auto& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}
/// The bytes of a bare base58btc string (a CIDv0 "Qm..."); throws on a character outside the alphabet.
inline std::vector<std::uint8_t> Base58Decode(const std::string& text) {
  static constexpr std::string_view kAlphabet = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";
  std::vector<std::uint8_t> bytes;  // base-256 digits, least significant first
  for (const char c : text) {
    const auto digit = kAlphabet.find(c);
    if (digit == std::string_view::npos) throw std::runtime_error("not base58btc: " + text);
    std::uint32_t carry = static_cast<std::uint32_t>(digit);
    for (auto& b : bytes) {
      carry += std::uint32_t{b} * 58;
      b = static_cast<std::uint8_t>(carry & 0xff);
      carry >>= 8;
    }
    for (; carry > 0; carry >>= 8) bytes.push_back(static_cast<std::uint8_t>(carry & 0xff));
  }
  for (std::size_t i = 0; i < text.size() && text[i] == '1'; ++i) bytes.push_back(0);
  return {bytes.rbegin(), bytes.rend()};
}
/// The base32 CIDv1 string "b..." of binary CID bytes.
inline std::string CidBase32(const std::vector<std::uint8_t>& bytes) {
  static constexpr char kAlphabet[] = "abcdefghijklmnopqrstuvwxyz234567";
  std::string out = "b";
  std::uint32_t buffer = 0;
  int bits = 0;
  for (const std::uint8_t byte : bytes) {
    buffer = (buffer << 8) | byte;
    for (bits += 8; bits >= 5; bits -= 5) out += kAlphabet[(buffer >> (bits - 5)) & 31];
  }
  if (bits > 0) out += kAlphabet[(buffer << (5 - bits)) & 31];
  return out;
}
/// The CIDv1 spelling "bafybei..." of a CIDv0 "Qm..." (bytes 0x01 0x70 then the multihash).
inline std::string CidV1OfV0(const std::string& v0) {
  std::vector<std::uint8_t> bytes = {0x01, 0x70};
  const auto multihash = Base58Decode(v0);
  bytes.insert(bytes.end(), multihash.begin(), multihash.end());
  return CidBase32(bytes);
}
/// CIDv0 "Qm..." of a dag-pb sha2-256 CIDv1 (bytes 0x01 0x70 then the multihash).
inline std::string CidV0(const std::string& cid_b32) {
  const auto bytes = CidBytesFromBase32(cid_b32);
  if (bytes.size() < 2 || bytes[0] != 0x01 || bytes[1] != 0x70) throw std::runtime_error("not dag-pb: " + cid_b32);
  return Base58(std::vector<std::uint8_t>(bytes.begin() + 2, bytes.end()));
}

// ---- the content store ----------------------------------------------------------------------

/// Every entry under <store>/files/ as a relative path ("xx", "xx/<cid>", or anything else).
inline std::vector<std::string> StoreFileEntries(const std::string& store_dir) {
  std::vector<std::string> out;
  const std::filesystem::path root = std::filesystem::path(store_dir) / "files";
  for (const auto& entry : std::filesystem::recursive_directory_iterator(root)) {
    out.push_back(std::filesystem::relative(entry.path(), root).string());
  }
  return out;
}

/// The shard directory of a CID in the store: the last two characters of its base32 CIDv1
/// spelling (a CIDv0 "Qm..." is sharded by its CIDv1 spelling).
inline std::string StoreShardOf(const std::string& cid) {
  const std::string v1 = cid.starts_with("Qm") ? CidV1OfV0(cid) : cid;
  return v1.substr(v1.size() - 2);
}

/// Entries of files/ that are not a two-character shard directory or <xx>/<cid> regular file
/// in its shard (a base32 CIDv1 "b..." or a CIDv0 "Qm...").
inline std::vector<std::string> UnexpectedStoreEntries(const std::string& store_dir) {
  std::vector<std::string> bad;
  const std::filesystem::path root = std::filesystem::path(store_dir) / "files";
  for (const auto& rel : StoreFileEntries(store_dir)) {
    const auto slash = rel.find('/');
    const auto full = root / rel;
    if (slash == std::string::npos) {
      if (rel.size() != 2 || !std::filesystem::is_directory(std::filesystem::symlink_status(full))) bad.push_back(rel);
      continue;
    }
    const std::string shard = rel.substr(0, slash), name = rel.substr(slash + 1);
    bool named = false;
    try {
      named = name.find('/') == std::string::npos &&
              ((name.size() > 2 && name.starts_with('b')) || (name.size() == 46 && name.starts_with("Qm"))) &&
              StoreShardOf(name) == shard;
    } catch (const std::exception&) {  // "Qm" followed by something that is not base58btc
    }
    const bool ok = named && std::filesystem::is_regular_file(std::filesystem::symlink_status(full));
    if (!ok) bad.push_back(rel);
  }
  return bad;
}

inline std::string StorePathOf(const std::string& store_dir, const std::string& cid) {
  return store_dir + "/files/" + StoreShardOf(cid) + "/" + cid;
}

/// The stack's own variable (GW_TEST_FILEBASE_... on the Filebase stack; StackVariable).
inline std::string GetEnvOrEmpty(const char* name) { return StackVariable(name); }

/// Runs a shell command, returning its exit status and everything it printed (stdout+stderr).
inline int RunCommand(const std::string& command, std::string& output) {
  output.clear();
  std::FILE* pipe = ::popen((command + " 2>&1").c_str(), "r");
  if (pipe == nullptr) {
    output = "popen failed";
    return -1;
  }
  char buffer[4096];
  std::size_t n = 0;
  while ((n = std::fread(buffer, 1, sizeof buffer, pipe)) > 0) output.append(buffer, n);
  return ::pclose(pipe);
}

inline std::string ShellQuote(const std::string& s) {
  std::string out = "'";
  for (const char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

/// What psql prints (unaligned, tuples only, trailing newline removed) for one query against
/// `database_url`. Throws with psql's output when it fails.
inline std::string PsqlValue(const std::string& database_url, const std::string& sql) {
  std::string output;
  const std::string command = "psql " + ShellQuote(database_url) + " -XAtc " + ShellQuote(sql);
  if (RunCommand(command, output) != 0) throw std::runtime_error("psql failed for `" + sql + "`:\n" + output);
  while (!output.empty() && (output.back() == '\n' || output.back() == '\r')) output.pop_back();
  return output;
}

/// A single-quoted SQL literal.
inline std::string SqlLiteral(const std::string& s) {
  std::string out = "'";
  for (const char c : s) out += c == '\'' ? std::string("''") : std::string(1, c);
  return out + "'";
}

}  // namespace gw::e2e
