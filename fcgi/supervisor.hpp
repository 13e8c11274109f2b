#pragma once
/// @file The supervisor: owns the FastCGI socket, pre-forks the workers, replaces any that die.

#include <chrono>
#include <functional>
#include <string>

namespace spdlog {
class logger;
}

namespace gw::fcgi {

struct SupervisorOptions {
  std::string socket_path;
  int workers = 2;
  std::string run_dir;  //!< worker-<slot>.pid files are kept here
  std::chrono::seconds drain_timeout{30};
};

/// Runs `run_worker(listen_fd, slot)` in `workers` child processes. A child that exits while the
/// supervisor is not stopping is replaced at once (after a one-second pause if it died within a
/// second of starting, so a crash loop does not spin). SIGTERM/SIGINT: children drain and exit,
/// then the supervisor removes the socket and returns. SIGHUP: every worker is replaced
/// gracefully; the socket stays open meanwhile, so connections wait in its backlog.
int RunSupervisor(const SupervisorOptions& options, const std::function<int(int listen_fd, int slot)>& run_worker,
                  spdlog::logger& log);

}  // namespace gw::fcgi
