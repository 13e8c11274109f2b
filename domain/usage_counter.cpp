#include "domain/usage_counter.hpp"

namespace gw::domain {

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
  const auto it = pending_.find(user_id);
  return it == pending_.end() ? 0 : it->second;
}

void UsageCounter::Confirm(const std::vector<Delta>& deltas) {
  std::lock_guard lock(mutex_);
  for (const auto& delta : deltas) flushed_[delta.user_id] += delta.count;
}

std::int64_t UsageCounter::Flushed(UserId user_id) const {
  std::lock_guard lock(mutex_);
  const auto it = flushed_.find(user_id);
  return it == flushed_.end() ? 0 : it->second;
}

}  // namespace gw::domain
