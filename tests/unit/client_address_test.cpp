#include "fcgi/http/client_address.hpp"

#include <gtest/gtest.h>

namespace gw::web {
namespace {

std::vector<Network> Networks(std::initializer_list<const char*> cidrs) {
  std::vector<Network> networks;
  for (const char* cidr : cidrs) networks.push_back(*Network::Parse(cidr));
  return networks;
}

TEST(Network, ParsesAddressesAndPrefixes) {
  EXPECT_TRUE(Network::Parse("10.0.0.0/8"));
  EXPECT_TRUE(Network::Parse("192.0.2.7"));
  EXPECT_TRUE(Network::Parse("2001:db8::/32"));
  EXPECT_TRUE(Network::Parse("::1"));
  EXPECT_FALSE(Network::Parse("10.0.0.0/33"));
  EXPECT_FALSE(Network::Parse("10.0.0/8"));
  EXPECT_FALSE(Network::Parse("example.com"));
  EXPECT_FALSE(Network::Parse("10.0.0.0/x"));
  EXPECT_FALSE(Network::Parse(""));
}

TEST(Network, MatchesByPrefix) {
  const auto ten = *Network::Parse("10.0.0.0/8");
  EXPECT_TRUE(ten.Contains("10.255.1.2"));
  EXPECT_FALSE(ten.Contains("11.0.0.1"));
  const auto odd = *Network::Parse("192.168.4.0/22");
  EXPECT_TRUE(odd.Contains("192.168.7.255"));
  EXPECT_FALSE(odd.Contains("192.168.8.0"));
  const auto v6 = *Network::Parse("2001:db8::/32");
  EXPECT_TRUE(v6.Contains("2001:db8:1::5"));
  EXPECT_FALSE(v6.Contains("2001:db9::5"));
  EXPECT_FALSE(v6.Contains("10.0.0.1"));
  EXPECT_FALSE(ten.Contains("not an address"));
}

TEST(ClientAddressResolver, WithoutTrustedProxiesTheHeaderIsIgnored) {
  const ClientAddressResolver resolver({});
  EXPECT_EQ(resolver.Resolve("203.0.113.9", "198.51.100.1"), "203.0.113.9");
}

TEST(ClientAddressResolver, AnUntrustedPeerCannotChooseItsAddress) {
  const ClientAddressResolver resolver(Networks({"10.0.0.0/8"}));
  EXPECT_EQ(resolver.Resolve("203.0.113.9", "198.51.100.1"), "203.0.113.9");
}

TEST(ClientAddressResolver, TakesTheLastUntrustedHop) {
  const ClientAddressResolver resolver(Networks({"10.0.0.0/8"}));
  // The client wrote a fake first entry; the proxies appended what they saw.
  EXPECT_EQ(resolver.Resolve("10.0.0.2", "1.2.3.4, 198.51.100.7, 10.0.0.1"), "198.51.100.7");
  EXPECT_EQ(resolver.Resolve("10.0.0.2", "198.51.100.7"), "198.51.100.7");
  EXPECT_EQ(resolver.Resolve("10.0.0.2", " 2001:db8::9 "), "2001:db8::9");
}

TEST(ClientAddressResolver, AllTrustedOrGarbageStopsAtTheLastTrustedHop) {
  const ClientAddressResolver resolver(Networks({"10.0.0.0/8"}));
  EXPECT_EQ(resolver.Resolve("10.0.0.2", "10.0.0.1"), "10.0.0.1");
  EXPECT_EQ(resolver.Resolve("10.0.0.2", "garbage, 10.0.0.1"), "10.0.0.1");
  EXPECT_EQ(resolver.Resolve("10.0.0.2", "unknown"), "10.0.0.2");
  EXPECT_EQ(resolver.Resolve("10.0.0.2", ""), "10.0.0.2");
}

// Found by tests/fuzz/request_headers_fuzz.cpp: inet_pton stops at a NUL, so "::1\0junk" passed
// for ::1 and the resolver returned the whole text, junk included, as the client address.
TEST(ClientAddressResolver, AnAddressWithANulIsNoAddress) {
  using namespace std::string_literals;
  EXPECT_FALSE(Network::Parse("10.0.0.1\0/8"s));
  EXPECT_FALSE(Network::Parse("::1"s).value().Contains("::1\0junk"s));
  const ClientAddressResolver resolver(Networks({"::1/128"}));
  // the exact values of the fuzzer's input: the peer and a hop carry a NUL and more after it
  EXPECT_EQ(resolver.Resolve("::1\0:01:db8::1,::1"s, "2001:db8::d"s), "::1\0:01:db8::1,::1"s);  // peer untrusted
  EXPECT_EQ(resolver.Resolve("::1"s, "2001:db8::d\0:01:db8::1,::1"s), "::1"s);  // the NUL hop ends the walk
}

}  // namespace
}  // namespace gw::web
