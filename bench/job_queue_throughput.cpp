/// @file Job queue throughput: empty jobs claimed and completed per second by 1 and 4 workers,
/// and the wakeup latency: from an enqueue's commit to JobWakeup::Wait returning (the timing
/// tests/integration/job_wakeup_pgtest.cpp does not assert).
///
/// A standalone program, not a Google Benchmark (bench/CMakeLists.txt links every *_bench.cpp
/// into micro_bench, hence the name). Usage: job_queue_throughput <admin DSN> [jobs]
/// The DSN must be allowed to CREATE DATABASE (like GW_TEST_DATABASE_URL); the program works in
/// a throwaway database, migrated from GW_MIGRATIONS_DIR (default: ./migrations), and drops it.

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <future>
#include <iostream>
#include <pqxx/pqxx>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "persistence/job_wakeup.hpp"
#include "persistence/migrator.hpp"
#include "persistence/pg_job_queue.hpp"

namespace {

using namespace std::chrono_literals;
using gw::persistence::PgConnection;
using gw::persistence::PgJobQueue;

std::string WithDatabase(const std::string& dsn, const std::string& database) {
  const auto scheme = dsn.find("://");
  if (scheme == std::string::npos) return dsn + " dbname=" + database;
  const auto query = dsn.find('?', scheme + 3);
  const auto path = dsn.find('/', scheme + 3);
  const auto end = query == std::string::npos ? dsn.size() : query;
  if (path == std::string::npos || path > end) return dsn.substr(0, end) + "/" + database + dsn.substr(end);
  return dsn.substr(0, path) + "/" + database + dsn.substr(end);
}

void EnqueueAll(const std::string& dsn, int jobs) {
  PgConnection connection(dsn, PgJobQueue::EnqueueStatements());
  connection.Run([&](pqxx::connection_base& c) {
    pqxx::work txn(c);
    for (int i = 0; i < jobs; ++i) PgJobQueue::Enqueue(txn, "noop", std::nullopt, "{}", 3);
    txn.commit();
  });
}

/// Claims and completes until the queue is empty; returns jobs per second.
double Drain(const std::string& dsn, int workers, int jobs) {
  EnqueueAll(dsn, jobs);
  std::vector<std::thread> threads;
  std::vector<int> done(static_cast<std::size_t>(workers), 0);
  const auto started = std::chrono::steady_clock::now();
  for (int w = 0; w < workers; ++w) {
    threads.emplace_back([&, w] {
      PgJobQueue queue(dsn);
      const std::string me = "bench-" + std::to_string(w);
      while (auto job = queue.Claim(me, 30s)) {
        if (queue.Complete(job->id, me, std::nullopt)) ++done[static_cast<std::size_t>(w)];
      }
    });
  }
  for (auto& thread : threads) thread.join();
  const std::chrono::duration<double> took = std::chrono::steady_clock::now() - started;
  int total = 0;
  for (const int n : done) total += n;
  if (total != jobs) std::cerr << "warning: completed " << total << " of " << jobs << "\n";
  return total / took.count();
}

/// Median and worst of `samples` wakeups: a producer commits an enqueue on its connection
/// while a JobWakeup waits on another; from the commit's return to Wait's return.
void WakeupLatency(const std::string& dsn, int samples) {
  gw::persistence::JobWakeup wakeup(dsn);
  PgJobQueue producer(dsn);
  std::vector<double> ms;
  for (int i = 0; i < samples; ++i) {
    while (wakeup.Wait(0ms)) {
    }
    auto committed = std::async(std::launch::async, [&] {
      std::this_thread::sleep_for(20ms);  // let Wait block first
      producer.Enqueue("wake", std::nullopt, "{}", 1);
      return std::chrono::steady_clock::now();
    });
    const bool woken = wakeup.Wait(5s);
    const auto returned = std::chrono::steady_clock::now();
    const auto at = committed.get();
    if (!woken) {
      std::cerr << "warning: no wakeup within 5 s\n";
      continue;
    }
    ms.push_back(std::chrono::duration<double, std::milli>(returned - at).count());
  }
  if (ms.empty()) return;
  std::sort(ms.begin(), ms.end());
  std::cout << "wakeup latency, commit to Wait returning (" << ms.size() << " samples): median " << ms[ms.size() / 2]
            << " ms, worst " << ms.back() << " ms\n";
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::cerr << "usage: " << argv[0] << " <admin DSN> [jobs per run, default 5000]\n";
    return 2;
  }
  const std::string admin = argv[1];
  const int jobs = argc > 2 ? std::atoi(argv[2]) : 5000;
  const char* migrations = std::getenv("GW_MIGRATIONS_DIR");
  int status = 0;
  const std::string name = "gw_queue_bench_" + std::to_string(std::random_device{}());
  try {
    {
      pqxx::connection c(admin);
      pqxx::nontransaction(c).exec("CREATE DATABASE " + c.quote_name(name));
    }
    const auto dsn = WithDatabase(admin, name);
    gw::persistence::ApplyMigrations(dsn, migrations != nullptr ? migrations : "migrations");
    for (const int workers : {1, 4}) {
      std::cout << workers << " worker(s): " << static_cast<long>(Drain(dsn, workers, jobs))
                << " jobs/s claimed+completed (" << jobs << " jobs)\n";
    }
    WakeupLatency(dsn, 50);
  } catch (const std::exception& e) {
    std::cerr << "failed: " << e.what() << "\n";
    status = 1;
  }
  try {
    pqxx::connection c(admin);
    pqxx::nontransaction(c).exec("DROP DATABASE IF EXISTS " + c.quote_name(name) + " WITH (FORCE)");
  } catch (const std::exception& e) {
    std::cerr << "could not drop " << name << ": " << e.what() << "\n";
    return 1;
  }
  return status;
}
