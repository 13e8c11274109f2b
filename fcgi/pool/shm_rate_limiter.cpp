#include "fcgi/pool/shm_rate_limiter.hpp"

#include <bit>
#include <chrono>
#include <functional>
#include <string_view>

namespace gw::pool {
namespace {

constexpr int kTagShift = 48;
constexpr std::uint64_t kTimeMask = (std::uint64_t{1} << kTagShift) - 1;
// How far a key may sit from its home slot. Past it, a full bucket (or, failing that, nobody)
// gives up its slot; a longer chain only makes every lookup slower.
constexpr std::size_t kMaxProbes = 32;

std::uint64_t HashOf(std::string_view key) {
  // std::hash of a string is the same in every process of one binary (no per-process seed).
  std::uint64_t hash = std::hash<std::string_view>{}(key);
  hash ^= hash >> 33;  // spread the bits the tag and the slot index are taken from
  hash *= 0xff51afd7ed558ccdULL;
  hash ^= hash >> 33;
  return hash == 0 ? 1 : hash;  // 0 marks an empty slot
}

std::uint64_t TagOf(std::uint64_t hash) { return (hash >> kTagShift) << kTagShift; }

std::int64_t MonotonicNanos() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

}  // namespace

ShmRateLimiter::ShmRateLimiter(std::size_t slots, std::function<void()> on_table_full)
    : mask_(std::bit_ceil(slots < 2 ? std::size_t{2} : slots) - 1),
      region_((mask_ + 1) * sizeof(Slot)),
      slots_(static_cast<Slot*>(region_.Data())),
      on_table_full_(std::move(on_table_full)) {
  for (std::size_t i = 0; i <= mask_; ++i) new (&slots_[i]) Slot{};
}

domain::RateDecision ShmRateLimiter::Acquire(std::string_view key, const domain::RateLimit& limit, std::int64_t cost) {
  return AcquireAt(key, limit, cost, MonotonicNanos());
}

ShmRateLimiter::Slot* ShmRateLimiter::Find(std::uint64_t hash, std::int64_t now_us) {
  Slot* reusable = nullptr;
  for (std::size_t probe = 0; probe < kMaxProbes; ++probe) {
    Slot& slot = slots_[(hash + probe) & mask_];
    std::uint64_t owner = slot.key.load(std::memory_order_acquire);
    if (owner == hash) return &slot;
    if (owner == 0) {
      // Claim it; when another process claimed it first, it is ours only if it took it for us.
      if (slot.key.compare_exchange_strong(owner, hash, std::memory_order_acq_rel) || owner == hash) return &slot;
      continue;
    }
    const auto tat_us = static_cast<std::int64_t>(slot.tat.load(std::memory_order_relaxed) & kTimeMask);
    if (reusable == nullptr && tat_us <= now_us) reusable = &slot;  // its bucket is full again
  }
  if (reusable != nullptr) {
    std::uint64_t owner = reusable->key.load(std::memory_order_acquire);
    if (reusable->key.compare_exchange_strong(owner, hash, std::memory_order_acq_rel) || owner == hash) {
      return reusable;
    }
  }
  return nullptr;
}

domain::RateDecision ShmRateLimiter::AcquireAt(std::string_view key, const domain::RateLimit& limit, std::int64_t cost,
                                               std::int64_t now_ns) {
  if (limit.Unlimited()) return {true, limit.burst, {}, {}};
  const std::uint64_t hash = HashOf(key);
  const std::uint64_t tag = TagOf(hash);
  Slot* slot = Find(hash, now_ns / 1000);
  if (slot == nullptr) {
    // Every slot near this key's home belongs to a key still spending its budget: let the
    // request through rather than refuse a caller for others' traffic, and say so.
    if (on_table_full_) on_table_full_();
    return {true, 0, {}, {}};
  }
  std::uint64_t word = slot->tat.load(std::memory_order_acquire);
  while (true) {
    // Another key's tag means the slot changed hands: this key starts with a full bucket.
    const std::int64_t tat_ns = (word & ~kTimeMask) == tag ? static_cast<std::int64_t>(word & kTimeMask) * 1000 : 0;
    const domain::GcraStep step = domain::Gcra(limit, tat_ns, now_ns, cost);
    if (!step.decision.allowed) return step.decision;
    // Rounded up to the microsecond: a rounding error may only ever be in the limit's favour.
    const auto new_tat_us = static_cast<std::uint64_t>((step.new_tat_ns + 999) / 1000);
    if (slot->tat.compare_exchange_weak(word, tag | (new_tat_us & kTimeMask), std::memory_order_acq_rel)) {
      return step.decision;
    }
  }
}

}  // namespace gw::pool
