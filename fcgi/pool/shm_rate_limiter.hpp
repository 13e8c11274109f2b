#pragma once
/// @file The rate-limit store of one host: GCRA states in shared memory, exact across every
/// process of the worker pool.
///
/// A fixed open-addressing table of slots {key hash, TAT word}. The TAT word packs the time in
/// microseconds of CLOCK_MONOTONIC (system wide, so every process agrees) with a 16-bit tag of
/// the key, and each decision is one compare-and-swap on it: two processes spending the same
/// key's budget at the same moment cannot both take the last unit. A slot whose bucket is full
/// again may be taken over by another key (forgetting a full bucket loses nothing), so the table
/// needs only as many slots as keys active within one refill time.

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>

#include "domain/rate_limit.hpp"
#include "fcgi/pool/shared_region.hpp"

namespace gw::pool {

class ShmRateLimiter final : public domain::RateLimitStore {
 public:
  /// Maps the table; construct it before forking the workers. `slots` is rounded up to a power
  /// of two. `on_table_full` is called when a request is let through because no slot was free.
  explicit ShmRateLimiter(std::size_t slots = 65536, std::function<void()> on_table_full = {});

  domain::RateDecision Acquire(std::string_view key, const domain::RateLimit& limit, std::int64_t cost) override;

  /// For tests: the same decision at a given time (nanoseconds of CLOCK_MONOTONIC).
  domain::RateDecision AcquireAt(std::string_view key, const domain::RateLimit& limit, std::int64_t cost,
                                 std::int64_t now_ns);

 private:
  struct Slot {
    std::atomic<std::uint64_t> key;
    std::atomic<std::uint64_t> tat;  //!< tag << 48 | TAT in microseconds
  };
  static_assert(std::atomic<std::uint64_t>::is_always_lock_free);

  Slot* Find(std::uint64_t hash, std::int64_t now_us);

  std::size_t mask_;
  SharedRegion region_;
  Slot* slots_;
  std::function<void()> on_table_full_;
};

}  // namespace gw::pool
