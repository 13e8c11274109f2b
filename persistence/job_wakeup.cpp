#include "persistence/job_wakeup.hpp"

#include <pqxx/pqxx>
#include <thread>

#include "persistence/pg_job_queue.hpp"

namespace gw::persistence {
namespace {

using Clock = std::chrono::steady_clock;

class Receiver final : public pqxx::notification_receiver {
 public:
  Receiver(pqxx::connection_base& connection, bool& notified)
      : pqxx::notification_receiver(connection, kJobsChannel), notified_(notified) {}

  void operator()(const std::string& /*payload*/, int /*backend_pid*/) override { notified_ = true; }

 private:
  bool& notified_;
};

}  // namespace

struct JobWakeup::Impl {
  explicit Impl(std::string dsn) : dsn(std::move(dsn)) {}

  /// (Re)connects when needed; returns true when it did, i.e. when we may have missed events.
  bool EnsureListening() {
    // libpqxx 6.4 may reopen a broken connection on its own (without our LISTEN being
    // missed or not); a new backend means we were deaf for a while, so start over.
    if (connection && connection->is_open() && connection->backendpid() == backend_pid) return false;
    Drop();
    auto fresh = std::make_unique<pqxx::connection>(dsn);
    receiver = std::make_unique<Receiver>(*fresh, notified);  // issues LISTEN
    backend_pid = fresh->backendpid();
    connection = std::move(fresh);
    return true;
  }

  void Drop() noexcept {
    receiver.reset();  // before its connection
    connection.reset();
    backend_pid = 0;
  }

  const std::string dsn;
  std::unique_ptr<pqxx::connection> connection;
  std::unique_ptr<Receiver> receiver;
  int backend_pid = 0;
  bool notified = false;
};

JobWakeup::JobWakeup(std::string dsn) : impl_(std::make_unique<Impl>(std::move(dsn))) {
  try {
    impl_->EnsureListening();
  } catch (const std::exception&) {
    impl_->Drop();  // the database may come up later; Wait retries
  }
}

JobWakeup::~JobWakeup() = default;

bool JobWakeup::Listening() const { return impl_->connection != nullptr && impl_->connection->is_open(); }

bool JobWakeup::Wait(std::chrono::milliseconds timeout) {
  const auto deadline = Clock::now() + timeout;
  try {
    if (impl_->EnsureListening()) return true;
    impl_->notified = false;
    impl_->connection->get_notifs();  // those that arrived since the last Wait
    while (!impl_->notified) {
      const auto left = std::chrono::duration_cast<std::chrono::microseconds>(deadline - Clock::now()).count();
      if (left <= 0) return false;
      impl_->connection->await_notification(static_cast<long>(left / 1'000'000), static_cast<long>(left % 1'000'000));
      // await_notification also returns early without a notification (e.g. on a lost
      // connection): check it, or a dead socket would make this loop spin.
      if (!impl_->connection->is_open() || impl_->connection->backendpid() != impl_->backend_pid) {
        impl_->Drop();
        return true;  // reconnect on the next Wait; the caller claims meanwhile anyway
      }
    }
    return true;
  } catch (const std::exception&) {
    impl_->Drop();
    std::this_thread::sleep_until(deadline);  // the database is down: do not spin
    return false;
  }
}

}  // namespace gw::persistence
