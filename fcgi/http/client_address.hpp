#pragma once
/// @file Who the client is: nginx's REMOTE_ADDR, or, when that is a trusted proxy, the last
/// address in X-Forwarded-For that no trusted proxy added.
///
/// Only proxies the operator lists are believed: anybody can send an X-Forwarded-For header,
/// but an untrusted peer's header is ignored, and of a trusted chain only the hop each trusted
/// proxy saw is taken (read from the right), so a client cannot choose its own rate-limit key.

#include <array>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace gw::web {

/// An IPv4 or IPv6 network, e.g. "10.0.0.0/8", "::1/128", or one address.
class Network {
 public:
  /// nullopt when `cidr` is not an address with an optional /prefix.
  static std::optional<Network> Parse(std::string_view cidr);
  bool Contains(std::string_view address) const;

 private:
  bool v6_ = false;
  std::array<unsigned char, 16> bytes_{};
  int prefix_ = 0;
};

/// Resolves the client address for one request.
class ClientAddressResolver {
 public:
  explicit ClientAddressResolver(std::vector<Network> trusted_proxies) : trusted_(std::move(trusted_proxies)) {}
  std::string Resolve(std::string_view remote_addr, std::string_view forwarded_for) const;

 private:
  bool Trusted(std::string_view address) const;
  std::vector<Network> trusted_;
};

}  // namespace gw::web
