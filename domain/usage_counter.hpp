#pragma once
/// @file Per-process request counts per user, flushed to PostgreSQL in batches.
///
/// An `UPDATE users SET usage_count = usage_count + 1` per request serialises every worker on a
/// hot row and caps the service at a few thousand requests per second. Counting in memory and
/// adding the deltas once a second keeps the count exact after each flush; a failed flush gives
/// its deltas back so nothing is lost, and shutdown flushes one last time.

#include <cstdint>
#include <mutex>
#include <unordered_map>
#include <vector>

#include "domain/account.hpp"

namespace gw::domain {

class UsageCounter {
 public:
  struct Delta {
    UserId user_id;
    std::int64_t count;
  };

  void Add(UserId user_id, std::int64_t count = 1);
  /// Takes every pending delta, leaving the counter empty.
  std::vector<Delta> TakeAll();
  /// Puts deltas back after a failed flush.
  void Restore(const std::vector<Delta>& deltas);
  /// Counts not yet flushed for one user (added to the stored count when reporting).
  std::int64_t Pending(UserId user_id) const;
  /// Records deltas the database has committed (called by the flusher after a flush).
  void Confirm(const std::vector<Delta>& deltas);
  /// Everything this process has flushed for one user since it started (never decreases):
  /// lets a cached stored count be brought up to date without reading it again.
  std::int64_t Flushed(UserId user_id) const;

 private:
  mutable std::mutex mutex_;
  std::unordered_map<UserId, std::int64_t> pending_;
  std::unordered_map<UserId, std::int64_t> flushed_;
};

}  // namespace gw::domain
