#pragma once
/// @file One worker process: T request threads serving the FastCGI connections of one shared
/// epoll set (fcgi/process/request_loop.hpp), each with its own ThreadState.

#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>

#include "fcgi/http/context.hpp"
#include "fcgi/http/router.hpp"

namespace spdlog {
class logger;
}

namespace gw::fcgi {

/// What one request thread owns for its whole life (its database connection and the
/// repositories bound to it). Built inside the thread, after fork.
class ThreadState {
 public:
  virtual ~ThreadState() = default;
  virtual web::Context& Context() = 0;
};

using ThreadStateFactory = std::function<std::unique_ptr<ThreadState>()>;

struct WorkerOptions {
  int threads = 8;
  std::size_t max_body = 1024 * 1024;
  std::chrono::seconds drain_timeout{30};
};

/// Serves until SIGTERM or SIGINT, then stops accepting, answers what comes on the connections
/// nginx still holds until it closes them (at most drain_timeout) and returns 0. Every request runs inside its own try:
/// a failing request is answered with a 500 and never takes the process down.
int RunWorkerProcess(int listen_fd, const WorkerOptions& options, const web::Handler& application,
                     const ThreadStateFactory& make_thread_state, spdlog::logger& log);

}  // namespace gw::fcgi
