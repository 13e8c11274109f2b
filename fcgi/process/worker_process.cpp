#include "fcgi/process/worker_process.hpp"

#include <fcgiapp.h>
#include <pthread.h>
#include <signal.h>

#include <nlohmann/json.hpp>

#include <atomic>
#include <cerrno>
#include <thread>
#include <vector>

#include "domain/error.hpp"
#include "fcgi/http/error_table.hpp"
#include "fcgi/http/logging.hpp"
#include "fcgi/process/fcgi_transport.hpp"

namespace gw::fcgi {
namespace {

using web::LogEvent;
using web::LogLevel;

// SIGUSR1 exists only to interrupt a thread blocked in accept() during shutdown: the handler is
// installed without SA_RESTART, so accept() returns EINTR and the thread sees `stopping`.
void InterruptAccept(int) {}

struct AcceptSlot {
  std::thread thread;
  std::atomic<bool> in_accept{false};
  std::atomic<bool> done{false};
};

void HandleOne(FCGX_Request& raw, const WorkerOptions& options, const web::Handler& application, ThreadState& state,
               spdlog::logger& log) {
  web::Request request;
  web::Response response;
  try {
    ReadRequest(raw, options.max_body, request);
    response = application(request, state.Context());
  } catch (const domain::Error& error) {  // only ReadRequest throws these past the application
    LogEvent(log, LogLevel::kWarn, {{"type", "rejected"}, {"request_id", request.request_id}, {"error", error.what()}});
    response = web::ErrorResponse(error, request.request_id);
  } catch (const std::exception& error) {
    LogEvent(log, LogLevel::kError, {{"type", "error"}, {"request_id", request.request_id}, {"error", error.what()}});
    response = web::ErrorResponse(domain::Error(domain::ErrorCode::kInternal), request.request_id);
  } catch (...) {
    LogEvent(log, LogLevel::kError, {{"type", "error"}, {"request_id", request.request_id}, {"error", "unknown"}});
    response = web::ErrorResponse(domain::Error(domain::ErrorCode::kInternal), request.request_id);
  }
  WriteResponse(raw, request, response);
}

void ServeLoop(int listen_fd, const WorkerOptions& options, const web::Handler& application,
               const ThreadStateFactory& make_thread_state, spdlog::logger& log, const std::atomic<bool>& stopping,
               AcceptSlot& slot) {
  std::unique_ptr<ThreadState> state;
  try {
    state = make_thread_state();
  } catch (const std::exception& error) {
    // An exception must not escape a thread (std::terminate): this thread serves nothing and
    // the others go on; the log says why.
    LogEvent(log, LogLevel::kError, {{"type", "thread_setup_failed"}, {"error", error.what()}});
    return;
  }
  FCGX_Request raw;
  FCGX_InitRequest(&raw, listen_fd, FCGI_FAIL_ACCEPT_ON_INTR);
  while (!stopping.load()) {
    slot.in_accept.store(true);
    const int rc = FCGX_Accept_r(&raw);
    slot.in_accept.store(false);
    if (rc < 0) {
      if (stopping.load() || rc == -EINTR) continue;
      LogEvent(log, LogLevel::kError, {{"type", "accept_failed"}, {"errno", -rc}});
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
      continue;
    }
    try {
      HandleOne(raw, options, application, *state, log);
    } catch (...) {
      // Writing the response failed (client went away): nothing left to tell anyone.
    }
    FCGX_Finish_r(&raw);
  }
  FCGX_Free(&raw, 0);
}

}  // namespace

int RunWorkerProcess(int listen_fd, const WorkerOptions& options, const web::Handler& application,
                     const ThreadStateFactory& make_thread_state, spdlog::logger& log) {
  // The stop signals are blocked in every thread and taken by sigwait below; SIGUSR1 stays
  // deliverable so that it can interrupt accept() in the request threads.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGTERM);
  sigaddset(&stop_signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);
  struct sigaction wake {};
  wake.sa_handler = InterruptAccept;
  sigemptyset(&wake.sa_mask);
  sigaction(SIGUSR1, &wake, nullptr);
  signal(SIGPIPE, SIG_IGN);  // a client that went away must not kill the process

  FCGX_Init();
  std::atomic<bool> stopping{false};
  std::vector<std::unique_ptr<AcceptSlot>> slots;
  for (int i = 0; i < options.threads; ++i) {
    auto slot = std::make_unique<AcceptSlot>();
    AcceptSlot* raw_slot = slot.get();
    slot->thread = std::thread([&, raw_slot] {
      ServeLoop(listen_fd, options, application, make_thread_state, log, stopping, *raw_slot);
      raw_slot->done.store(true);
    });
    slots.push_back(std::move(slot));
  }
  LogEvent(log, LogLevel::kInfo, {{"type", "worker_started"}, {"threads", options.threads}});

  int signal_number = 0;
  sigwait(&stop_signals, &signal_number);
  LogEvent(log, LogLevel::kInfo, {{"type", "worker_draining"}, {"signal", signal_number}});
  stopping.store(true);
  FCGX_ShutdownPending();

  // Threads blocked in accept() are woken repeatedly (a thread may enter accept() just after a
  // wake-up); threads busy with a request finish it and then see `stopping`.
  const auto deadline = std::chrono::steady_clock::now() + options.drain_timeout;
  auto all_done = [&] {
    for (const auto& slot : slots) {
      if (!slot->done.load()) return false;
    }
    return true;
  };
  while (!all_done() && std::chrono::steady_clock::now() < deadline) {
    for (const auto& slot : slots) {
      if (!slot->done.load() && slot->in_accept.load()) pthread_kill(slot->thread.native_handle(), SIGUSR1);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  int exit_code = 0;
  for (auto& slot : slots) {
    if (slot->done.load()) {
      slot->thread.join();
    } else {
      slot->thread.detach();  // still busy past the drain timeout; the process exits anyway
      exit_code = 1;
    }
  }
  LogEvent(log, LogLevel::kInfo, {{"type", "worker_stopped"}, {"clean", exit_code == 0}});
  return exit_code;
}

}  // namespace gw::fcgi
