#include "fcgi/process/request_loop.hpp"

#include <pthread.h>
#include <signal.h>

#include <nlohmann/json.hpp>

#include <atomic>
#include <memory>
#include <thread>
#include <vector>

#include "fcgi/http/logging.hpp"
#include "fcgi/process/connection_reactor.hpp"

namespace gw::fcgi {
namespace {

using web::LogEvent;
using web::LogLevel;

struct RequestThread {
  std::thread thread;
  std::atomic<bool> done{false};
};

// One request per turn: the thread is busy only while a request is being read, handled and
// answered; between requests its connection waits in the epoll set, not in a thread.
void ServeLoop(ConnectionReactor& reactor, const MakeServeRequest& make_server, spdlog::logger& log) {
  ServeRequest serve;
  try {
    serve = make_server();
  } catch (const std::exception& error) {
    // An exception must not escape a thread (std::terminate): this thread serves nothing and
    // the others, sharing the same connections, go on; the log says why.
    LogEvent(log, LogLevel::kError, {{"type", "thread_setup_failed"}, {"error", error.what()}});
    return;
  }
  while (Connection* connection = reactor.Next()) {
    FCGX_Request& raw = connection->request;
    // FCGX_Accept_r begins by finishing "the previous request": with keepConnection it keeps the
    // connection (it then takes the flag from this request's FCGI_KEEP_CONN). detached: when
    // libfcgi closes it, a plain close() instead of shutdown() and up to 2 s waiting for EOF.
    raw.keepConnection = 1;
    raw.detached = 1;
    if (FCGX_Accept_r(&raw) >= 0) {  // < 0: the peer closed it (libfcgi closed it too)
      try {
        serve(raw);
      } catch (...) {
        // the server's own errors are answered inside it; nothing left to tell anyone
      }
      FCGX_Finish_r(&raw);  // STDOUT's end and END_REQUEST; closes unless FCGI_KEEP_CONN
    }
    reactor.Done(connection);
  }
}

bool AllDone(const std::vector<std::unique_ptr<RequestThread>>& threads) {
  for (const auto& thread : threads) {
    if (!thread->done.load()) return false;
  }
  return true;
}

}  // namespace

int RunRequestLoop(int listen_fd, const RequestLoopOptions& options, const MakeServeRequest& make_server,
                   spdlog::logger& log) {
  // The stop signals are blocked in every thread and taken by sigwait below.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGTERM);
  sigaddset(&stop_signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);
  signal(SIGPIPE, SIG_IGN);  // a peer that went away must not kill the process

  FCGX_Init();
  auto reactor = std::make_unique<ConnectionReactor>(listen_fd);
  std::vector<std::unique_ptr<RequestThread>> threads;
  for (int i = 0; i < options.threads; ++i) {
    auto thread = std::make_unique<RequestThread>();
    RequestThread* raw_thread = thread.get();
    ConnectionReactor* raw_reactor = reactor.get();
    thread->thread = std::thread([&make_server, &log, raw_thread, raw_reactor] {
      ServeLoop(*raw_reactor, make_server, log);
      raw_thread->done.store(true);
    });
    threads.push_back(std::move(thread));
  }
  LogEvent(log, LogLevel::kInfo, {{"type", "worker_started"}, {"threads", options.threads}});

  int signal_number = 0;
  sigwait(&stop_signals, &signal_number);
  LogEvent(log, LogLevel::kInfo,
           {{"type", "worker_draining"}, {"signal", signal_number}, {"connections", reactor->OpenConnections()}});
  // New connections wait in the shared backlog for the other workers (and this one's
  // replacement). The connections nginx keeps are served on until nginx closes them: only the
  // peer can close a kept connection without racing a request it is writing into it (a POST
  // lost that way is a 502 nginx does not retry). nginx closes each within its upstream
  // keepalive_time / keepalive_timeout (nginx/nginx.conf.in), so that bounds the drain.
  reactor->StopAccepting();
  const auto deadline = std::chrono::steady_clock::now() + options.drain_timeout;
  while (reactor->OpenConnections() > 0 && !AllDone(threads) && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  const int left_open = reactor->OpenConnections();
  reactor->Stop();
  // idle threads leave epoll_wait at once; a thread still in a request at the deadline is left
  const auto grace = std::chrono::steady_clock::now() + std::chrono::seconds(1);
  while (!AllDone(threads) && std::chrono::steady_clock::now() < grace) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  int exit_code = 0;
  for (auto& thread : threads) {
    if (thread->done.load()) {
      thread->thread.join();
    } else {
      thread->thread.detach();  // still busy past the drain timeout; the process exits anyway
      exit_code = 1;
    }
  }
  // A detached thread still uses the reactor: it goes with the process, not before.
  if (exit_code != 0) static_cast<void>(reactor.release());
  LogEvent(log, LogLevel::kInfo,
           {{"type", "worker_stopped"}, {"clean", exit_code == 0}, {"connections_closed", left_open}});
  return exit_code;
}

}  // namespace gw::fcgi
