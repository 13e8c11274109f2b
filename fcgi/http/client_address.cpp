#include "fcgi/http/client_address.hpp"

#include <arpa/inet.h>

#include <charconv>
#include <cstring>

namespace gw::web {
namespace {

// The address's 16 bytes (IPv4 as ::ffff:a.b.c.d, so that v4 networks match mapped addresses).
std::optional<std::array<unsigned char, 16>> ParseAddress(std::string_view text, bool& v6) {
  // inet_pton reads up to a NUL: "10.0.0.1\0junk" must not pass for 10.0.0.1
  if (text.empty() || text.size() > 45 || text.find('\0') != std::string_view::npos) return std::nullopt;
  const std::string address(text);
  std::array<unsigned char, 16> bytes{};
  in_addr v4{};
  if (inet_pton(AF_INET, address.c_str(), &v4) == 1) {
    bytes[10] = bytes[11] = 0xff;
    std::memcpy(&bytes[12], &v4, 4);
    v6 = false;
    return bytes;
  }
  if (inet_pton(AF_INET6, address.c_str(), bytes.data()) == 1) {
    v6 = true;
    return bytes;
  }
  return std::nullopt;
}

std::string_view Trim(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  return text;
}

}  // namespace

std::optional<Network> Network::Parse(std::string_view cidr) {
  cidr = Trim(cidr);
  const auto slash = cidr.find('/');
  Network network;
  const auto bytes = ParseAddress(cidr.substr(0, slash), network.v6_);
  if (!bytes) return std::nullopt;
  network.bytes_ = *bytes;
  const int max_prefix = network.v6_ ? 128 : 32;
  int prefix = max_prefix;
  if (slash != std::string_view::npos) {
    const std::string_view digits = cidr.substr(slash + 1);
    const auto [end, error] = std::from_chars(digits.data(), digits.data() + digits.size(), prefix);
    if (error != std::errc() || end != digits.data() + digits.size() || prefix < 0 || prefix > max_prefix) {
      return std::nullopt;
    }
  }
  network.prefix_ = network.v6_ ? prefix : prefix + 96;  // v4 lives in the last 32 bits
  return network;
}

bool Network::Contains(std::string_view address) const {
  bool v6 = false;
  const auto bytes = ParseAddress(Trim(address), v6);
  if (!bytes) return false;
  int bits = prefix_;
  for (std::size_t i = 0; i < bytes->size() && bits > 0; ++i, bits -= 8) {
    const unsigned mask = bits >= 8 ? 0xffu : (0xffu << (8 - bits)) & 0xffu;
    if (((*bytes)[i] & mask) != (bytes_[i] & mask)) return false;
  }
  return true;
}

bool ClientAddressResolver::Trusted(std::string_view address) const {
  for (const auto& network : trusted_) {
    if (network.Contains(address)) return true;
  }
  return false;
}

std::string ClientAddressResolver::Resolve(std::string_view remote_addr, std::string_view forwarded_for) const {
  if (trusted_.empty() || forwarded_for.empty() || !Trusted(remote_addr)) return std::string(remote_addr);
  // Right to left: each trusted proxy appended the address it saw; the first hop that is not
  // a trusted proxy is the client. Something that is no address ends the walk at the last
  // trusted hop: it was written by whoever is left of the proxies, not by one of them.
  std::string_view closest = remote_addr;
  while (!forwarded_for.empty()) {
    const auto comma = forwarded_for.rfind(',');
    const std::string_view hop =
        Trim(comma == std::string_view::npos ? forwarded_for : forwarded_for.substr(comma + 1));
    forwarded_for = comma == std::string_view::npos ? std::string_view{} : forwarded_for.substr(0, comma);
    bool v6 = false;
    if (!ParseAddress(hop, v6)) break;
    if (!Trusted(hop)) return std::string(hop);
    closest = hop;
  }
  return std::string(closest);
}

}  // namespace gw::web
