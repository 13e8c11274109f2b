#include "persistence/key_change_listener.hpp"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <pqxx/pqxx>
#include <thread>

#include "persistence/pg_account_repository.hpp"

namespace gw::persistence {
namespace {

constexpr std::chrono::milliseconds kFirstBackoff{50};
constexpr std::chrono::milliseconds kMaxBackoff{1000};
// How long one wait for notifications may block: bounds how long Stop takes.
constexpr long kPollMicroseconds = 200'000;

class Receiver final : public pqxx::notification_receiver {
 public:
  Receiver(pqxx::connection_base& connection, domain::KeyCache& cache)
      : pqxx::notification_receiver(connection, kKeyChangesChannel), cache_(cache) {}

  void operator()(const std::string& payload, int /*backend_pid*/) override {
    try {
      cache_.ForgetUser(std::stoll(payload));
    } catch (const std::exception&) {
      cache_.ForgetAll();  // an unreadable payload still means "something changed"
    }
  }

 private:
  domain::KeyCache& cache_;
};

}  // namespace

struct KeyChangeListener::Impl {
  Impl(std::string dsn, domain::KeyCache& cache) : dsn(std::move(dsn)), cache(cache) {}

  void Loop() {
    auto backoff = kFirstBackoff;
    while (!stopping) {
      try {
        ListenUntilLost();
        backoff = kFirstBackoff;  // the connection worked; a new failure starts a new backoff
      } catch (const std::exception&) {
        // Cannot connect or the connection failed: retry below. Nothing to report to callers;
        // the request path notices a dead database on its own.
      }
      listening = false;
      if (!SleepUnlessStopped(backoff)) break;
      backoff = std::min(backoff * 2, kMaxBackoff);
    }
  }

  void ListenUntilLost() {
    pqxx::connection connection(dsn);
    Receiver receiver(connection, cache);  // issues LISTEN
    const int backend_pid = connection.backendpid();
    // Changes made while we were not listening were missed; forget everything once LISTEN is
    // in place (after it, nothing can be missed).
    cache.ForgetAll();
    listening = true;
    while (!stopping) {
      // libpqxx 6.4 may reopen a broken connection on its own; a new backend means we were
      // deaf for a while, so treat it as a loss too.
      if (!connection.is_open() || connection.backendpid() != backend_pid) return;
      connection.await_notification(0, kPollMicroseconds);
    }
  }

  /// Returns false when Stop was requested.
  bool SleepUnlessStopped(std::chrono::milliseconds duration) {
    std::unique_lock lock(mutex);
    return !wake.wait_for(lock, duration, [this] { return stopping.load(); });
  }

  const std::string dsn;
  domain::KeyCache& cache;
  std::atomic<bool> stopping{false};
  std::atomic<bool> listening{false};
  std::mutex mutex;
  std::condition_variable wake;
  std::thread thread;
};

KeyChangeListener::KeyChangeListener(std::string dsn, domain::KeyCache& cache)
    : impl_(std::make_unique<Impl>(std::move(dsn), cache)) {
  impl_->thread = std::thread([impl = impl_.get()] { impl->Loop(); });
}

KeyChangeListener::~KeyChangeListener() { Stop(); }

bool KeyChangeListener::Listening() const { return impl_->listening; }

void KeyChangeListener::Stop() {
  {
    std::lock_guard lock(impl_->mutex);
    impl_->stopping = true;
  }
  impl_->wake.notify_all();
  if (impl_->thread.joinable()) impl_->thread.join();
}

}  // namespace gw::persistence
