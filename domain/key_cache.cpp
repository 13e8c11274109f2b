#include "domain/key_cache.hpp"

namespace gw::domain {

std::optional<KeyLookup> KeyCache::Find(std::string_view key_hash, Clock::time_point now) const {
  std::shared_lock lock(mutex_);
  const auto it = entries_.find(std::string(key_hash));
  if (it == entries_.end() || it->second.expires_at <= now) return std::nullopt;
  return it->second.lookup;
}

void KeyCache::Store(std::string_view key_hash, const KeyLookup& lookup, Clock::time_point now) {
  std::unique_lock lock(mutex_);
  // A full cache is simply emptied: keys are few per user, so this only happens under a flood of
  // distinct valid keys, where an LRU would not do better.
  if (entries_.size() >= max_entries_) entries_.clear();
  entries_.insert_or_assign(std::string(key_hash), Entry{lookup, now + ttl_});
}

std::optional<KeyCache::StatusSnapshot> KeyCache::FindStatus(UserId user_id, Clock::time_point now) const {
  std::shared_lock lock(mutex_);
  const auto it = statuses_.find(user_id);
  if (it == statuses_.end() || it->second.expires_at <= now) return std::nullopt;
  return it->second.snapshot;
}

void KeyCache::StoreStatus(UserId user_id, const StatusSnapshot& snapshot, Clock::time_point now) {
  std::unique_lock lock(mutex_);
  if (statuses_.size() >= max_entries_) statuses_.clear();
  statuses_.insert_or_assign(user_id, StatusEntry{snapshot, now + status_ttl_});
}

void KeyCache::ForgetUser(UserId user_id) {
  std::unique_lock lock(mutex_);
  std::erase_if(entries_, [user_id](const auto& item) { return item.second.lookup.user_id == user_id; });
  statuses_.erase(user_id);
}

void KeyCache::ForgetAll() {
  std::unique_lock lock(mutex_);
  entries_.clear();
  statuses_.clear();
}

std::size_t KeyCache::Size() const {
  std::shared_lock lock(mutex_);
  return entries_.size();
}

}  // namespace gw::domain
