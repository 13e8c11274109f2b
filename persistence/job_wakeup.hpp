#pragma once
/// @file JobWakeup: lets an idle job worker sleep until a job is enqueued.
///
/// PgJobQueue::Enqueue NOTIFYs kJobsChannel when its transaction commits; JobWakeup LISTENs on
/// its own connection. It only shortens the wait: a worker claims again after every Wait,
/// notified or not, so a lost notification delays a job by at most the timeout (jobs whose
/// retry becomes due are found that way too; they send no notification).

#include <chrono>
#include <memory>
#include <string>

namespace gw::persistence {

class JobWakeup {
 public:
  /// Connects and LISTENs at once; when that fails, the first Wait tries again.
  explicit JobWakeup(std::string dsn);
  ~JobWakeup();
  JobWakeup(const JobWakeup&) = delete;
  JobWakeup& operator=(const JobWakeup&) = delete;

  /// Blocks until a notification arrives (true) or `timeout` passes (false). Also true right
  /// after a reconnect, since notifications sent while not listening were missed. Never
  /// throws: while the database is down it sleeps out the timeout and returns false.
  /// Not thread-safe: one JobWakeup per waiting thread.
  bool Wait(std::chrono::milliseconds timeout);
  /// True while LISTEN is in place (for tests and readiness checks).
  bool Listening() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace gw::persistence
