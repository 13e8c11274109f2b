#include "persistence/usage_flusher.hpp"

#include <algorithm>
#include <condition_variable>
#include <mutex>
#include <pqxx/pqxx>
#include <thread>

#include "domain/error.hpp"
#include "persistence/pg_connection.hpp"

namespace gw::persistence {
namespace {

constexpr const char* kAddUsage = "usage_add";
constexpr const char* kAddDaily = "usage_add_daily";

// Arrays travel as text literals ("{1,2}"): libpqxx 6.4 cannot bind containers.
std::string ArrayLiteral(const std::vector<domain::UsageCounter::Delta>& deltas, bool ids) {
  std::string literal = "{";
  for (const auto& delta : deltas) {
    if (literal.size() > 1) literal += ',';
    literal += std::to_string(ids ? delta.user_id : delta.count);
  }
  return literal + "}";
}

}  // namespace

struct UsageFlusher::Impl {
  Impl(std::string dsn, domain::UsageCounter& counter, std::chrono::milliseconds interval)
      : connection(std::move(dsn),
                   {{kAddUsage,
                     "UPDATE users u SET usage_count = u.usage_count + d.n "
                     "FROM unnest($1::bigint[], $2::bigint[]) AS d(id, n) WHERE u.id = d.id"},
                    // Today's row of each user (UTC; migrations/V006__usage_daily.sql), in id
                    // order like the users rows. The join skips ids without a user, as the
                    // UPDATE does, rather than failing the whole flush on the foreign key.
                    {kAddDaily,
                     "INSERT INTO usage_daily (user_id, day, requests) "
                     "SELECT d.id, (now() AT TIME ZONE 'UTC')::date, d.n "
                     "FROM unnest($1::bigint[], $2::bigint[]) AS d(id, n) JOIN users u ON u.id = d.id ORDER BY d.id "
                     "ON CONFLICT (user_id, day) DO UPDATE SET requests = usage_daily.requests + EXCLUDED.requests"}}),
        counter(counter),
        interval(interval) {}

  /// Returns false when the deltas had to be given back.
  bool Flush() {
    auto deltas = counter.TakeAll();
    if (deltas.empty()) return true;
    // Rows locked in id order: flushers of several processes cannot deadlock each other.
    std::sort(deltas.begin(), deltas.end(), [](const auto& a, const auto& b) { return a.user_id < b.user_id; });
    try {
      connection.Run([&](pqxx::connection_base& c) {
        pqxx::work txn(c);
        const auto ids = ArrayLiteral(deltas, true);
        const auto counts = ArrayLiteral(deltas, false);
        // One transaction: the total and the day's count never disagree.
        txn.exec_prepared(kAddUsage, ids, counts);
        txn.exec_prepared(kAddDaily, ids, counts);
        txn.commit();
      });
      counter.Confirm(deltas);
      return true;
    } catch (const std::exception&) {
      // Retried next tick; the cause (database down) is reported by health checks, not here.
      counter.Restore(deltas);
      return false;
    }
  }

  void Loop() {
    std::unique_lock lock(mutex);
    while (!stopping) {
      wake.wait_for(lock, interval, [this] { return stopping; });
      lock.unlock();
      Flush();
      lock.lock();
    }
  }

  PgConnection connection;
  domain::UsageCounter& counter;
  const std::chrono::milliseconds interval;
  std::mutex mutex;
  std::condition_variable wake;
  bool stopping = false;
  std::thread thread;
};

UsageFlusher::UsageFlusher(std::string dsn, domain::UsageCounter& counter, std::chrono::milliseconds interval)
    : impl_(std::make_unique<Impl>(std::move(dsn), counter, interval)) {
  impl_->thread = std::thread([impl = impl_.get()] { impl->Loop(); });
}

UsageFlusher::~UsageFlusher() { Stop(); }

void UsageFlusher::Stop() {
  {
    std::lock_guard lock(impl_->mutex);
    impl_->stopping = true;
  }
  impl_->wake.notify_all();
  if (impl_->thread.joinable()) impl_->thread.join();
  // Counts added while the thread's last flush ran are written here, on the caller's thread
  // (the connection is free now that the thread has ended).
  impl_->Flush();
}

}  // namespace gw::persistence
