#pragma once
/// @file UsageFlusher: adds the process's pending request counts to users.usage_count and to
/// the users' rows of today (UTC) in usage_daily.
///
/// Runs on its own thread with its own connection, once per interval, in one statement. A
/// failed flush gives the deltas back to the counter, so counts are delayed, never lost.

#include <chrono>
#include <memory>
#include <string>

#include "domain/usage_counter.hpp"

namespace gw::persistence {

class UsageFlusher {
 public:
  /// Starts the flushing thread at once; `counter` must outlive this object.
  UsageFlusher(std::string dsn, domain::UsageCounter& counter,
               std::chrono::milliseconds interval = std::chrono::seconds(1));
  /// Stops (and flushes) if Stop was not called.
  ~UsageFlusher();
  UsageFlusher(const UsageFlusher&) = delete;
  UsageFlusher& operator=(const UsageFlusher&) = delete;

  /// Ends the thread after one last flush; counts that still cannot be written stay in the
  /// counter. Idempotent.
  void Stop();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace gw::persistence
