#pragma once
/// @file KeyChangeListener: makes every process forget cached key lookups of changed users.
///
/// ReplaceKey and SetAccountActive NOTIFY gw_key_changes with the user id when they commit.
/// This listener, on its own thread and connection, calls KeyCache::ForgetUser for each one, so
/// a revocation reaches every worker process well within a second. After any connection loss it
/// reconnects (backoff up to 1 s) and calls ForgetAll, because events may have been missed.

#include <memory>
#include <string>

#include "domain/key_cache.hpp"

namespace gw::persistence {

class KeyChangeListener {
 public:
  /// Starts the listening thread at once; `cache` must outlive this object. The first connect
  /// (like every later one) ends with ForgetAll, so nothing cached before listening survives.
  KeyChangeListener(std::string dsn, domain::KeyCache& cache);
  ~KeyChangeListener();
  KeyChangeListener(const KeyChangeListener&) = delete;
  KeyChangeListener& operator=(const KeyChangeListener&) = delete;

  /// True once LISTEN is in place (for tests and readiness checks).
  bool Listening() const;
  /// Ends the thread within about 200 ms. Idempotent.
  void Stop();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace gw::persistence
