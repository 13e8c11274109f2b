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

/// What the supervisor tells the rest of the program about its children (metrics, process
/// titles). Each child has a process slot, 0..N-1 over all groups, that its replacement reuses.
struct SupervisorHooks {
  std::function<void(int process_slot, const ChildGroup& group, int pid)> started;
  /// `replaced`: the supervisor will start another in its place (it is not stopping).
  std::function<void(int process_slot, const ChildGroup& group, bool replaced)> exited;
  /// Runs in the new child right after fork, before group.run.
  std::function<void(int process_slot, const ChildGroup& group, int index)> in_child;
};

/// Runs every group's children. A child that exits while the
/// supervisor is not stopping is replaced at once (after a one-second pause if it died within a
/// second of starting, so a crash loop does not spin). SIGTERM/SIGINT: children drain and exit,
/// then the supervisor removes the socket and returns. SIGHUP: every worker is replaced
/// gracefully; the socket stays open meanwhile, so connections wait in its backlog.
int RunSupervisor(const SupervisorOptions& options, const std::vector<ChildGroup>& groups, spdlog::logger& log,
                  const SupervisorHooks& hooks = {});

}  // namespace gw::fcgi
