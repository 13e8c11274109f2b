#include "domain/key_cache.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <string>

namespace gw::domain {
namespace {

using namespace std::chrono_literals;
using Clock = KeyCache::Clock;

KeyLookup User(UserId id) { return KeyLookup{id, "user" + std::to_string(id) + "@example.com", false, true, true}; }

const Clock::time_point kT0 = Clock::time_point{} + 1000h;

TEST(KeyCache, FindsAStoredLookupBeforeItsTtl) {
  KeyCache cache(10s, 100);
  cache.Store("hash-a", User(1), kT0);
  const auto found = cache.Find("hash-a", kT0 + 9999ms);
  ASSERT_TRUE(found.has_value());
  EXPECT_EQ(found->user_id, 1);
  EXPECT_EQ(found->email, "user1@example.com");
}

TEST(KeyCache, ForgetsALookupOnceItsTtlHasPassed) {
  KeyCache cache(10s, 100);
  cache.Store("hash-a", User(1), kT0);
  EXPECT_FALSE(cache.Find("hash-a", kT0 + 10s).has_value());
  EXPECT_FALSE(cache.Find("hash-a", kT0 + 1h).has_value());
}

TEST(KeyCache, ZeroTtlCachesNothing) {
  KeyCache cache(0ms, 100);
  cache.Store("hash-a", User(1), kT0);
  EXPECT_FALSE(cache.Find("hash-a", kT0).has_value());
}

TEST(KeyCache, StoringAgainRefreshesTheEntry) {
  KeyCache cache(10s, 100);
  cache.Store("hash-a", User(1), kT0);
  KeyLookup revoked = User(1);
  revoked.account_active = false;
  cache.Store("hash-a", revoked, kT0 + 5s);
  const auto found = cache.Find("hash-a", kT0 + 12s);
  ASSERT_TRUE(found.has_value());
  EXPECT_FALSE(found->account_active);
  EXPECT_EQ(cache.Size(), 1u);
}

TEST(KeyCache, UnknownHashIsNotFound) {
  KeyCache cache(10s, 100);
  cache.Store("hash-a", User(1), kT0);
  EXPECT_FALSE(cache.Find("hash-b", kT0).has_value());
}

TEST(KeyCache, ForgetUserRemovesOnlyThatUsersKeys) {
  KeyCache cache(10s, 100);
  cache.Store("hash-a1", User(1), kT0);
  cache.Store("hash-a2", User(1), kT0);
  cache.Store("hash-b", User(2), kT0);
  cache.ForgetUser(1);
  EXPECT_FALSE(cache.Find("hash-a1", kT0).has_value());
  EXPECT_FALSE(cache.Find("hash-a2", kT0).has_value());
  EXPECT_TRUE(cache.Find("hash-b", kT0).has_value());
  EXPECT_EQ(cache.Size(), 1u);
}

TEST(KeyCache, ForgetAllEmptiesTheCache) {
  KeyCache cache(10s, 100);
  cache.Store("hash-a", User(1), kT0);
  cache.Store("hash-b", User(2), kT0);
  cache.ForgetAll();
  EXPECT_EQ(cache.Size(), 0u);
  EXPECT_FALSE(cache.Find("hash-b", kT0).has_value());
}

TEST(KeyCache, NeverHoldsMoreThanMaxEntries) {
  KeyCache cache(10s, 3);
  for (int i = 0; i < 50; ++i) {
    cache.Store("hash-" + std::to_string(i), User(i), kT0);
    EXPECT_LE(cache.Size(), 3u);
  }
  // The newest entry always survives.
  EXPECT_TRUE(cache.Find("hash-49", kT0).has_value());
}

}  // namespace
}  // namespace gw::domain
