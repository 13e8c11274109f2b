// Rate-limit and metrics settings (see config.hpp).
#include "fcgi/config.hpp"
#include "fcgi/http/client_address.hpp"

namespace gw::web {
namespace {

bool ReadSwitch(const EnvLookup& env, std::string_view name, bool fallback) {
  const auto value = env(name);
  if (!value || value->empty()) return fallback;
  if (*value == "on" || *value == "true" || *value == "1") return true;
  if (*value == "off" || *value == "false" || *value == "0") return false;
  throw ConfigError(std::string(name) + " must be on or off, got '" + *value + "'");
}

std::vector<std::string> ReadNetworks(const EnvLookup& env, std::string_view name) {
  std::vector<std::string> networks;
  const auto value = env(name);
  if (!value) return networks;
  std::size_t start = 0;
  while (start <= value->size()) {
    const auto comma = value->find(',', start);
    const auto end = comma == std::string::npos ? value->size() : comma;
    std::string item = value->substr(start, end - start);
    item.erase(0, item.find_first_not_of(" \t"));
    item.erase(item.find_last_not_of(" \t") + 1);
    if (!item.empty()) {
      if (!Network::Parse(item)) {
        throw ConfigError(std::string(name) + ": '" + item + "' is not an IP address or network (e.g. 10.0.0.0/8)");
      }
      networks.push_back(item);
    }
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return networks;
}

}  // namespace

void LoadLimitsAndMetricsConfig(const EnvLookup& env, Config& config) {
  RateLimitConfig& limits = config.rate_limits;
  limits.enabled = ReadSwitch(env, "GW_RATE_LIMITS", limits.enabled);
  limits.per_address_per_minute =
      static_cast<std::int64_t>(ReadUnsigned(env, "GW_RATE_LIMIT_ADDRESS_PER_MINUTE",
                                             static_cast<std::uint64_t>(limits.per_address_per_minute), 1, 1'000'000));
  limits.per_address_burst = static_cast<std::int64_t>(ReadUnsigned(
      env, "GW_RATE_LIMIT_ADDRESS_BURST", static_cast<std::uint64_t>(limits.per_address_burst), 1, 1'000'000));
  limits.trusted_proxies = ReadNetworks(env, "GW_TRUSTED_PROXIES");
  limits.table_slots = ReadUnsigned(env, "GW_RATE_LIMIT_TABLE_SLOTS", limits.table_slots, 1024, 1u << 24);
  config.metrics_enabled = ReadSwitch(env, "GW_METRICS", config.metrics_enabled);
}

}  // namespace gw::web
