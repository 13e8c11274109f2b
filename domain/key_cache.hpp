#pragma once
/// @file Per-process cache of API key lookups.
///
/// Authentication must not cost a database round trip per request, yet a revocation must reach
/// every worker within a second. The cache holds lookups for a bounded time (the TTL is only a
/// safety net); the real invalidation is event driven: persistence/ listens for the database's
/// NOTIFY on key changes and calls ForgetUser, and calls ForgetAll whenever that listener had to
/// reconnect (it may have missed events).

#include <chrono>
#include <cstddef>
#include <mutex>
#include <optional>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <unordered_map>

#include "domain/account.hpp"

namespace gw::domain {

class KeyCache {
 public:
  using Clock = std::chrono::steady_clock;

  KeyCache(std::chrono::milliseconds ttl, std::size_t max_entries) : ttl_(ttl), max_entries_(max_entries) {}

  std::optional<KeyLookup> Find(std::string_view key_hash, Clock::time_point now = Clock::now()) const;
  void Store(std::string_view key_hash, const KeyLookup& lookup, Clock::time_point now = Clock::now());
  void ForgetUser(UserId user_id);
  void ForgetAll();
  std::size_t Size() const;

 private:
  struct Entry {
    KeyLookup lookup;
    Clock::time_point expires_at;
  };
  const std::chrono::milliseconds ttl_;
  const std::size_t max_entries_;
  mutable std::shared_mutex mutex_;
  std::unordered_map<std::string, Entry> entries_;
};

}  // namespace gw::domain
