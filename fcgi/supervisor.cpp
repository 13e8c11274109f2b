#include "fcgi/supervisor.hpp"

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

#include "fcgi/logging.hpp"

namespace gw::fcgi {
namespace {

using Clock = std::chrono::steady_clock;
using web::LogEvent;
using web::LogLevel;

constexpr int kListenBacklog = 1024;

struct WorkerSlot {
  const ChildGroup* group = nullptr;
  int index = 0;  //!< within its group
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

pid_t Spawn(const SupervisorOptions& options, int listen_fd, const WorkerSlot& slot, spdlog::logger& log) {
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
      rc = slot.group->run(listen_fd, slot.index);
    } catch (const std::exception& error) {
      std::fprintf(stderr, "%s %d failed: %s\n", slot.group->name.c_str(), slot.index, error.what());
    }
    _exit(rc);
  }
  if (pid < 0) {
    LogEvent(log, LogLevel::kError, {{"type", "fork_failed"}, {"group", slot.group->name}, {"slot", slot.index}});
    return -1;
  }
  WritePidFile(PidFile(options, slot), pid);
  LogEvent(log, LogLevel::kInfo,
           {{"type", "worker_spawned"}, {"group", slot.group->name}, {"slot", slot.index}, {"worker_pid", pid}});
  return pid;
}

}  // namespace

int RunSupervisor(const SupervisorOptions& options, const std::vector<ChildGroup>& groups, spdlog::logger& log) {
  struct stat existing {};
  if (stat(options.socket_path.c_str(), &existing) == 0 && S_ISSOCK(existing.st_mode)) {
    unlink(options.socket_path.c_str());  // left by a supervisor that was killed
  }
  const int listen_fd = FCGX_OpenSocket(options.socket_path.c_str(), kListenBacklog);
  if (listen_fd < 0) {
    LogEvent(log, LogLevel::kError, {{"type", "listen_failed"}, {"socket", options.socket_path}});
    std::fprintf(stderr, "cannot listen on %s\n", options.socket_path.c_str());
    return 1;
  }
  chmod(options.socket_path.c_str(), 0660);

  sigset_t handled;
  sigemptyset(&handled);
  for (const int sig : {SIGCHLD, SIGTERM, SIGINT, SIGHUP}) sigaddset(&handled, sig);
  sigprocmask(SIG_BLOCK, &handled, nullptr);

  std::vector<WorkerSlot> slots;
  nlohmann::json counts = nlohmann::json::object();
  for (const auto& group : groups) {
    counts[group.name] = group.count;
    for (int i = 0; i < group.count; ++i) slots.push_back(WorkerSlot{&group, i});
  }
  for (auto& slot : slots) {
    slot.pid = Spawn(options, listen_fd, slot, log);
    slot.started_at = Clock::now();
  }
  LogEvent(log, LogLevel::kInfo, {{"type", "supervisor_started"}, {"children", counts},
                                  {"socket", options.socket_path}});

  bool stopping = false;
  Clock::time_point kill_deadline{};
  while (true) {
    const timespec tick{0, 100'000'000};
    const int sig = sigtimedwait(&handled, nullptr, &tick);
    if ((sig == SIGTERM || sig == SIGINT) && !stopping) {
      stopping = true;
      kill_deadline = Clock::now() + options.drain_timeout + std::chrono::seconds(5);
      LogEvent(log, LogLevel::kInfo, {{"type", "supervisor_stopping"}, {"signal", sig}});
      for (const auto& slot : slots) {
        if (slot.pid > 0) kill(slot.pid, SIGTERM);
      }
    } else if (sig == SIGHUP && !stopping) {
      LogEvent(log, LogLevel::kInfo, {{"type", "supervisor_reloading"}});
      for (const auto& slot : slots) {
        if (slot.pid > 0) kill(slot.pid, SIGTERM);
      }
    }

    int status = 0;
    pid_t exited = 0;
    while ((exited = waitpid(-1, &status, WNOHANG)) > 0) {
      for (std::size_t i = 0; i < slots.size(); ++i) {
        if (slots[i].pid != exited) continue;
        slots[i].pid = -1;
        const bool crashed = WIFSIGNALED(status) || (WIFEXITED(status) && WEXITSTATUS(status) != 0);
        LogEvent(log, crashed && !stopping ? LogLevel::kWarn : LogLevel::kInfo,
                 {{"type", "worker_exited"}, {"group", slots[i].group->name}, {"slot", slots[i].index},
                  {"worker_pid", exited},
                  {"signal", WIFSIGNALED(status) ? WTERMSIG(status) : 0},
                  {"exit_code", WIFEXITED(status) ? WEXITSTATUS(status) : -1}});
        if (!stopping) {
          const bool crash_loop = crashed && Clock::now() - slots[i].started_at < std::chrono::seconds(1);
          slots[i].restart_at = Clock::now() + (crash_loop ? std::chrono::seconds(1) : std::chrono::seconds(0));
        }
      }
    }

    const auto now = Clock::now();
    if (!stopping) {
      for (std::size_t i = 0; i < slots.size(); ++i) {
        if (slots[i].pid < 0 && slots[i].restart_at && *slots[i].restart_at <= now) {
          slots[i].restart_at.reset();
          slots[i].pid = Spawn(options, listen_fd, slots[i], log);
          slots[i].started_at = now;
        }
      }
      continue;
    }
    bool any_alive = false;
    for (const auto& slot : slots) any_alive = any_alive || slot.pid > 0;
    if (!any_alive) break;
    if (now > kill_deadline) {
      for (const auto& slot : slots) {
        if (slot.pid > 0) kill(slot.pid, SIGKILL);
      }
    }
  }

  close(listen_fd);
  unlink(options.socket_path.c_str());
  for (const auto& slot : slots) unlink(PidFile(options, slot).c_str());
  LogEvent(log, LogLevel::kInfo, {{"type", "supervisor_stopped"}});
  return 0;
}

}  // namespace gw::fcgi
