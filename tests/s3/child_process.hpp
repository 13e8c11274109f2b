// A child process for tests: started with posix_spawn, stdout on a pipe, stderr to a file,
// stopped with SIGTERM (then SIGKILL) by its destructor. Every wait is bounded.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "tests/common/temp_dir.hpp"

namespace gw::test {

class ChildProcess {
 public:
  /// Starts argv[0] (looked up in PATH) with the caller's environment; its stderr goes to
  /// `stderr_path`. Throws std::runtime_error when it cannot be started.
  ChildProcess(const std::vector<std::string>& argv, const std::string& stderr_path);
  ~ChildProcess();
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  /// The next line of its stdout, without the newline; nullopt at end of output or timeout.
  std::optional<std::string> ReadLine(std::chrono::milliseconds timeout);
  /// Everything it writes to stdout until it exits (or the timeout ends, then nullopt).
  std::optional<std::string> ReadAll(std::chrono::milliseconds timeout);
  /// Waits for the exit; its status as waitpid gives it, or nullopt on timeout.
  std::optional<int> Wait(std::chrono::milliseconds timeout);
  /// SIGTERM, then SIGKILL when it has not exited after `grace`.
  void Stop(std::chrono::milliseconds grace = std::chrono::seconds(5));

 private:
  bool Fill(std::chrono::steady_clock::time_point deadline);  // false: EOF or timeout

  pid_t pid_ = -1;
  int stdout_fd_ = -1;
  std::string buffered_;
  bool eof_ = false;
};

/// Runs argv to completion and returns its stdout; throws std::runtime_error (with its stderr)
/// when it fails or outlasts `timeout`.
std::string RunAndCapture(const std::vector<std::string>& argv, std::chrono::milliseconds timeout);

/// The whole content of a file ("" when it cannot be read).
std::string ReadFileText(const std::string& path);

}  // namespace gw::test
