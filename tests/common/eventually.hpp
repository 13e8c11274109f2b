#pragma once
/// @file Waiting on observable state in tests, instead of fixed sleeps.
///
/// The deadline is a hang guard, not a timing target: it is generous on purpose (a loaded CI
/// machine must never make a correct program fail), and a test that needs a bound on latency
/// belongs in bench/. Callers attach a message that says what never happened.

#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <mutex>
#include <thread>

namespace gw::test {

/// The default hang guard of Eventually: long enough for any loaded machine.
inline constexpr std::chrono::milliseconds kHangGuard{20000};

/// Polls `condition` every `interval` until it holds (true) or `deadline` has passed (false).
template <typename Condition>
bool Eventually(Condition condition, std::chrono::milliseconds deadline = kHangGuard,
                std::chrono::milliseconds interval = std::chrono::milliseconds(5)) {
  const auto until = std::chrono::steady_clock::now() + deadline;
  while (true) {
    if (condition()) return true;
    if (std::chrono::steady_clock::now() >= until) return false;
    std::this_thread::sleep_for(interval);
  }
}

/// Runs `action` on a thread of its own and waits for it to return. When it has not returned
/// within `deadline`, the test cannot go on (the action still uses the test's objects): the
/// process says why on stderr and aborts, a clear failure instead of a hang until ctest's timeout.
template <typename Action>
void FinishesWithin(const char* what, Action action, std::chrono::milliseconds deadline = kHangGuard) {
  struct State {
    std::mutex mutex;
    std::condition_variable done_cv;
    bool done = false;
  };
  auto state = std::make_shared<State>();
  std::thread worker([state, &action] {
    action();
    std::lock_guard lock(state->mutex);
    state->done = true;
    state->done_cv.notify_all();
  });
  std::unique_lock lock(state->mutex);
  if (!state->done_cv.wait_for(lock, deadline, [&] { return state->done; })) {
    std::fprintf(stderr, "FAILED: %s did not return within %lld ms; aborting\n", what,
                 static_cast<long long>(deadline.count()));
    std::abort();
  }
  lock.unlock();
  worker.join();
}

}  // namespace gw::test
