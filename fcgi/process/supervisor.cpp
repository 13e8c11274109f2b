#include "fcgi/process/supervisor.hpp"

#include <fcgiapp.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include <cstdio>
#include <fstream>
#include <optional>
#include <vector>

#include "fcgi/http/logging.hpp"
#include "fcgi/process/child_exit.hpp"

namespace gw::fcgi {
namespace {

using Clock = std::chrono::steady_clock;
using web::LogEvent;
using web::LogLevel;

constexpr int kListenBacklog = 1024;

struct WorkerSlot {
  const ChildGroup* group = nullptr;
  int index = 0;         //!< within its group
  int process_slot = 0;  //!< over all groups (SupervisorHooks)
  pid_t pid = -1;
  Clock::time_point started_at{};
  std::optional<Clock::time_point> restart_at;
};

std::string PidFile(const SupervisorOptions& options, const WorkerSlot& slot) {
  return options.run_dir + "/" + slot.group->name + "-" + std::to_string(slot.index) + ".pid";
}

void WritePidFile(const std::string& path, pid_t pid) {
  const std::string temporary = path + ".tmp";
  {
    std::ofstream out(temporary, std::ios::trunc);
    out << pid << "\n";
  }
  std::rename(temporary.c_str(), path.c_str());
}

pid_t Spawn(const SupervisorOptions& options, int listen_fd, const WorkerSlot& slot, const SupervisorHooks& hooks,
            spdlog::logger& log) {
  const pid_t parent = getpid();
  const pid_t pid = fork();
  if (pid == 0) {
    // A worker must not outlive its supervisor (e.g. after kill -9 of the supervisor).
    prctl(PR_SET_PDEATHSIG, SIGTERM);
    if (getppid() != parent) _exit(0);
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, nullptr);
    signal(SIGCHLD, SIG_DFL);
    signal(SIGHUP, SIG_DFL);
    int rc = 1;
    try {
      if (hooks.in_child) hooks.in_child(slot.process_slot, *slot.group, slot.index);
      rc = slot.group->run(listen_fd, slot.index);
    } catch (const std::exception& error) {
      std::fprintf(stderr, "%s %d failed: %s\n", slot.group->name.c_str(), slot.index, error.what());
    }
    ExitChild(rc);
  }
  if (pid < 0) {
    LogEvent(log, LogLevel::kError, {{"type", "fork_failed"}, {"group", slot.group->name}, {"slot", slot.index}});
    return -1;
  }
  WritePidFile(PidFile(options, slot), pid);
  if (hooks.started) hooks.started(slot.process_slot, *slot.group, pid);
  LogEvent(log, LogLevel::kInfo,
           {{"type", "worker_spawned"}, {"group", slot.group->name}, {"slot", slot.index}, {"worker_pid", pid}});
  return pid;
}

// The socket every worker accepts on; created before the first fork so that connections wait in
// its backlog while a worker is being replaced.
int OpenListenSocket(const std::string& path, spdlog::logger& log) {
  struct stat existing {};
  if (stat(path.c_str(), &existing) == 0 && S_ISSOCK(existing.st_mode)) {
    unlink(path.c_str());  // left by a supervisor that was killed
  }
  const int listen_fd = FCGX_OpenSocket(path.c_str(), kListenBacklog);
  if (listen_fd < 0) {
    LogEvent(log, LogLevel::kError, {{"type", "listen_failed"}, {"socket", path}});
    std::fprintf(stderr, "cannot listen on %s\n", path.c_str());
    return -1;
  }
  chmod(path.c_str(), 0660);
  return listen_fd;
}

// The supervisor's state between ticks: every child slot and whether it is shutting down.
class Supervision {
 public:
  Supervision(const SupervisorOptions& options, const std::vector<ChildGroup>& groups, int listen_fd,
              const SupervisorHooks& hooks, spdlog::logger& log)
      : options_(options), groups_(groups), listen_fd_(listen_fd), hooks_(hooks), log_(log) {
    for (const auto& group : groups) {
      for (int i = 0; i < group.count; ++i) {
        slots_.push_back(WorkerSlot{&group, i, static_cast<int>(slots_.size())});
      }
    }
  }

  void StartAll() {
    for (auto& slot : slots_) Start(slot);
  }

  // SIGTERM/SIGINT: begin draining (once). SIGHUP: replace every child gracefully.
  void OnSignal(int sig) {
    if (stopping_) return;
    if (sig == SIGTERM || sig == SIGINT) {
      stopping_ = true;
      kill_deadline_ = Clock::now() + options_.drain_timeout + std::chrono::seconds(5);
      LogEvent(log_, LogLevel::kInfo, {{"type", "supervisor_stopping"}, {"signal", sig}});
      SignalAll(SIGTERM);
    } else if (sig == SIGHUP) {
      LogEvent(log_, LogLevel::kInfo, {{"type", "supervisor_reloading"}});
      SignalAll(SIGTERM);
    }
  }

  // Collects every child that exited and, unless stopping, schedules its replacement.
  void ReapExited() {
    int status = 0;
    pid_t exited = 0;
    while ((exited = waitpid(-1, &status, WNOHANG)) > 0) {
      for (auto& slot : slots_) {
        if (slot.pid == exited) OnExited(slot, exited, status);
      }
    }
  }

  void RestartDue() {
    const auto now = Clock::now();
    for (auto& slot : slots_) {
      if (slot.pid < 0 && slot.restart_at && *slot.restart_at <= now) {
        slot.restart_at.reset();
        Start(slot);
      }
    }
  }

  // While stopping: true once every child is gone; children still alive past the drain
  // deadline are killed.
  bool DrainedOrKill() {
    bool any_alive = false;
    for (const auto& slot : slots_) any_alive = any_alive || slot.pid > 0;
    if (!any_alive) return true;
    if (Clock::now() > kill_deadline_) SignalAll(SIGKILL);
    return false;
  }

  bool stopping() const { return stopping_; }

  void RemovePidFiles() const {
    for (const auto& slot : slots_) unlink(PidFile(options_, slot).c_str());
  }

  nlohmann::json Counts() const {
    nlohmann::json counts = nlohmann::json::object();
    for (const auto& group : groups_) counts[group.name] = group.count;
    return counts;
  }

 private:
  void Start(WorkerSlot& slot) {
    slot.pid = Spawn(options_, listen_fd_, slot, hooks_, log_);
    slot.started_at = Clock::now();
  }

  void SignalAll(int sig) const {
    for (const auto& slot : slots_) {
      if (slot.pid > 0) kill(slot.pid, sig);
    }
  }

  void OnExited(WorkerSlot& slot, pid_t pid, int status) {
    slot.pid = -1;
    const bool crashed = WIFSIGNALED(status) || (WIFEXITED(status) && WEXITSTATUS(status) != 0);
    LogEvent(log_, crashed && !stopping_ ? LogLevel::kWarn : LogLevel::kInfo,
             {{"type", "worker_exited"},
              {"group", slot.group->name},
              {"slot", slot.index},
              {"worker_pid", pid},
              {"signal", WIFSIGNALED(status) ? WTERMSIG(status) : 0},
              {"exit_code", WIFEXITED(status) ? WEXITSTATUS(status) : -1}});
    if (hooks_.exited) hooks_.exited(slot.process_slot, *slot.group, !stopping_);
    if (stopping_) return;
    // A child that dies within a second of starting waits a second, so a crash loop does not spin.
    const bool crash_loop = crashed && Clock::now() - slot.started_at < std::chrono::seconds(1);
    slot.restart_at = Clock::now() + (crash_loop ? std::chrono::seconds(1) : std::chrono::seconds(0));
  }

  const SupervisorOptions& options_;
  const std::vector<ChildGroup>& groups_;
  const int listen_fd_;
  const SupervisorHooks& hooks_;
  spdlog::logger& log_;
  std::vector<WorkerSlot> slots_;
  bool stopping_ = false;
  Clock::time_point kill_deadline_{};
};

}  // namespace

int RunSupervisor(const SupervisorOptions& options, const std::vector<ChildGroup>& groups, spdlog::logger& log,
                  const SupervisorHooks& hooks) {
  const int listen_fd = OpenListenSocket(options.socket_path, log);
  if (listen_fd < 0) return 1;

  // Signals are taken synchronously (sigtimedwait), never in a handler; children unblock them.
  sigset_t handled;
  sigemptyset(&handled);
  for (const int sig : {SIGCHLD, SIGTERM, SIGINT, SIGHUP}) sigaddset(&handled, sig);
  sigprocmask(SIG_BLOCK, &handled, nullptr);

  Supervision supervision(options, groups, listen_fd, hooks, log);
  supervision.StartAll();
  LogEvent(log, LogLevel::kInfo,
           {{"type", "supervisor_started"}, {"children", supervision.Counts()}, {"socket", options.socket_path}});

  while (true) {
    const timespec tick{0, 100'000'000};
    const int sig = sigtimedwait(&handled, nullptr, &tick);
    if (sig > 0) supervision.OnSignal(sig);
    supervision.ReapExited();
    if (!supervision.stopping()) {
      supervision.RestartDue();
    } else if (supervision.DrainedOrKill()) {
      break;
    }
  }

  close(listen_fd);
  unlink(options.socket_path.c_str());
  supervision.RemovePidFiles();
  LogEvent(log, LogLevel::kInfo, {{"type", "supervisor_stopped"}});
  return 0;
}

}  // namespace gw::fcgi
