#pragma once
/// @file The request threads of a worker process: one shared epoll set (ConnectionReactor), T
/// threads taking one request at a time from whichever connection has one, and the drain on
/// SIGTERM/SIGINT.

#include <fcgiapp.h>

#include <chrono>
#include <functional>

namespace spdlog {
class logger;
}

namespace gw::fcgi {

/// Reads the request libfcgi has accepted on `raw` and writes its answer (FCGX_Finish_r is the
/// loop's). Must not throw.
using ServeRequest = std::function<void(FCGX_Request& raw)>;
/// Called once inside each request thread (after fork); returns that thread's server, or throws
/// when the thread cannot serve (then it serves nothing and the others go on).
using MakeServeRequest = std::function<ServeRequest()>;

struct RequestLoopOptions {
  int threads = 8;
  std::chrono::milliseconds drain_timeout{30'000};
};

/// Serves FastCGI on `listen_fd` until SIGTERM or SIGINT. Then it accepts no new connection,
/// goes on answering requests on the connections it holds until their peer (nginx) closes them
/// and none is in flight, at most drain_timeout, closes what is left and returns 0 (1 when a
/// request was still running at the deadline).
int RunRequestLoop(int listen_fd, const RequestLoopOptions& options, const MakeServeRequest& make_server,
                   spdlog::logger& log);

}  // namespace gw::fcgi
