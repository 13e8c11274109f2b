#include "domain/usage_counter.hpp"

namespace gw::domain {
namespace {

std::int64_t CountOf(const std::unordered_map<UserId, std::int64_t>& counts, UserId user_id) {
  const auto it = counts.find(user_id);
  return it == counts.end() ? 0 : it->second;
}

}  // namespace

void UsageCounter::Add(UserId user_id, std::int64_t count) {
  std::lock_guard lock(mutex_);
  pending_[user_id] += count;
}

std::vector<UsageCounter::Delta> UsageCounter::TakeAll() {
  std::unordered_map<UserId, std::int64_t> taken;
  {
    std::lock_guard lock(mutex_);
    taken.swap(pending_);
  }
  std::vector<Delta> deltas;
  deltas.reserve(taken.size());
  for (const auto& [user_id, count] : taken) deltas.push_back({user_id, count});
  return deltas;
}

void UsageCounter::Restore(const std::vector<Delta>& deltas) {
  std::lock_guard lock(mutex_);
  for (const auto& delta : deltas) pending_[delta.user_id] += delta.count;
}

std::int64_t UsageCounter::Pending(UserId user_id) const {
  std::lock_guard lock(mutex_);
  return CountOf(pending_, user_id);
}

void UsageCounter::Confirm(const std::vector<Delta>& deltas) {
  std::lock_guard lock(mutex_);
  for (const auto& delta : deltas) flushed_[delta.user_id] += delta.count;
}

std::int64_t UsageCounter::Flushed(UserId user_id) const {
  std::lock_guard lock(mutex_);
  return CountOf(flushed_, user_id);
}

}  // namespace gw::domain
