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

  /// An account's stored status as read at one moment, with the usage this process had
  /// flushed by then (see UsageCounter::Flushed), so that later flushes can be added to it.
  struct StatusSnapshot {
    AccountStatus status;
    std::int64_t flushed_at_read = 0;
  };

  /// `status_ttl` bounds how stale a cached status may be: only other processes' request counts
  /// can change it without an invalidation, and they flush once a second anyway.
  KeyCache(std::chrono::milliseconds ttl, std::size_t max_entries,
           std::chrono::milliseconds status_ttl = std::chrono::seconds(1))
      : ttl_(ttl), status_ttl_(status_ttl), max_entries_(max_entries) {}

  std::optional<KeyLookup> Find(std::string_view key_hash, Clock::time_point now = Clock::now()) const;
  void Store(std::string_view key_hash, const KeyLookup& lookup, Clock::time_point now = Clock::now());
  std::optional<StatusSnapshot> FindStatus(UserId user_id, Clock::time_point now = Clock::now()) const;
  void StoreStatus(UserId user_id, const StatusSnapshot& snapshot, Clock::time_point now = Clock::now());
  /// Forgets the user's keys and status (renewal, revocation, reactivation).
  void ForgetUser(UserId user_id);
  void ForgetAll();
  std::size_t Size() const;

 private:
  struct Entry {
    KeyLookup lookup;
    Clock::time_point expires_at;
  };
  struct StatusEntry {
    StatusSnapshot snapshot;
    Clock::time_point expires_at;
  };
  const std::chrono::milliseconds ttl_;
  const std::chrono::milliseconds status_ttl_;
  const std::size_t max_entries_;
  mutable std::shared_mutex mutex_;
  std::unordered_map<std::string, Entry> entries_;
  std::unordered_map<UserId, StatusEntry> statuses_;
};

}  // namespace gw::domain
