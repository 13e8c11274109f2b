#pragma once
/// @file The supervisor: owns the FastCGI socket, pre-forks the workers (FastCGI workers and
/// job workers), replaces any that die.

#include <chrono>
#include <functional>
#include <string>
#include <vector>

namespace spdlog {
class logger;
}

namespace gw::fcgi {

struct SupervisorOptions {
  std::string socket_path;
  std::string run_dir;  //!< <group>-<slot>.pid files are kept here
  std::chrono::seconds drain_timeout{30};
};

/// `count` children that each run `run(listen_fd, slot)`, slot = 0..count-1. Their pid files
/// are <run_dir>/<name>-<slot>.pid.
struct ChildGroup {
  std::string name;  //!< e.g. "worker", "job-worker"
  int count = 0;
  std::function<int(int listen_fd, int slot)> run;
};

/// Runs every group's children. A child that exits while the
/// supervisor is not stopping is replaced at once (after a one-second pause if it died within a
/// second of starting, so a crash loop does not spin). SIGTERM/SIGINT: children drain and exit,
/// then the supervisor removes the socket and returns. SIGHUP: every worker is replaced
/// gracefully; the socket stays open meanwhile, so connections wait in its backlog.
int RunSupervisor(const SupervisorOptions& options, const std::vector<ChildGroup>& groups, spdlog::logger& log);

}  // namespace gw::fcgi
