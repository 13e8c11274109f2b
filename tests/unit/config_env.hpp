// A fake environment for the configuration tests: LoadConfig reads it through an EnvLookup.
#pragma once

#include <map>
#include <string>

#include "fcgi/config.hpp"

namespace gw::web {

using Env = std::map<std::string, std::string, std::less<>>;

inline const std::string kPepper(40, 'p');

inline EnvLookup Lookup(Env env) {
  return [env = std::move(env)](std::string_view name) -> std::optional<std::string> {
    const auto it = env.find(name);
    if (it == env.end()) return std::nullopt;
    return it->second;
  };
}

inline Env Minimal() { return Env{{"DATABASE_URL", "postgresql://gw@localhost/gw"}, {"GW_KEY_PEPPER", kPepper}}; }

inline Env With(Env env, std::string name, std::string value) {
  env[std::move(name)] = std::move(value);
  return env;
}

inline Env Without(Env env, const std::string& name) {
  env.erase(name);
  return env;
}

/// The message of the ConfigError LoadConfig throws, or "<no error>".
inline std::string ConfigErrorOf(const Env& env, bool need_server = false) {
  try {
    LoadConfig(Lookup(env), 4, need_server);
    return "<no error>";
  } catch (const ConfigError& error) {
    return error.what();
  }
}

}  // namespace gw::web
