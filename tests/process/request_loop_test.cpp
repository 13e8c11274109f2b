// The worker's FastCGI transport (fcgi/process/request_loop.hpp) in a forked worker process, spoken
// to over its unix socket the way nginx does with fastcgi_keep_conn on: several requests on one
// connection, idle connections that must not pin a thread, and the drain on SIGTERM.
#include "fcgi/process/request_loop.hpp"

#include <fcgiapp.h>
#include <gtest/gtest.h>
#include <poll.h>
#include <signal.h>
#include <spdlog/sinks/null_sink.h>
#include <spdlog/spdlog.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <optional>
#include <string>
#include <thread>

#include "tests/common/eventually.hpp"
#include "tests/common/temp_dir.hpp"

namespace {

using gw::test::Eventually;
using gw::test::kHangGuard;
using namespace std::chrono_literals;

constexpr unsigned char kBeginRequest = 1, kEndRequest = 3, kParams = 4, kStdin = 5, kStdout = 6;
constexpr unsigned char kKeepConn = 1;

// A FastCGI client of one connection, as nginx is one (request id 1, one request at a time).
class FcgiConnection {
 public:
  explicit FcgiConnection(const std::string& socket_path) {
    fd_ = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    std::strncpy(address.sun_path, socket_path.c_str(), sizeof(address.sun_path) - 1);
    if (connect(fd_, reinterpret_cast<sockaddr*>(&address), sizeof(address)) != 0) {
      throw std::runtime_error("connect " + socket_path + ": " + std::strerror(errno));
    }
  }
  ~FcgiConnection() { Close(); }
  FcgiConnection(const FcgiConnection&) = delete;
  FcgiConnection& operator=(const FcgiConnection&) = delete;

  void Close() {
    if (fd_ >= 0) close(fd_);
    fd_ = -1;
  }

  /// One request whose ACTION parameter tells the test server what to do; no body.
  void Send(const std::string& action, bool keep) {
    std::string out;
    Record(out, kBeginRequest, std::string{'\0', '\1', static_cast<char>(keep ? kKeepConn : 0), 0, 0, 0, 0, 0});
    std::string pair;
    pair += static_cast<char>(6);
    pair += static_cast<char>(action.size());
    pair += "ACTION" + action;
    Record(out, kParams, pair);
    Record(out, kParams, "");
    Record(out, kStdin, "");
    if (write(fd_, out.data(), out.size()) != static_cast<ssize_t>(out.size())) throw std::runtime_error("write");
  }

  /// STDOUT of the answer once END_REQUEST came; nullopt when nothing complete came in time or
  /// the connection ended first.
  std::optional<std::string> Answer(std::chrono::milliseconds deadline = kHangGuard) {
    const auto until = std::chrono::steady_clock::now() + deadline;
    std::string stdout_text;
    for (;;) {
      std::string header;
      if (!ReadExactly(8, until, header)) return std::nullopt;
      const auto type = static_cast<unsigned char>(header[1]);
      const std::size_t length = static_cast<unsigned char>(header[4]) * 256u + static_cast<unsigned char>(header[5]);
      const std::size_t padding = static_cast<unsigned char>(header[6]);
      std::string content;
      if (!ReadExactly(length + padding, until, content)) return std::nullopt;
      if (type == kStdout) stdout_text += content.substr(0, length);
      if (type == kEndRequest) return stdout_text;
    }
  }

  /// True once the worker closed the connection (EOF), false when it is still open at the deadline.
  bool ClosedByPeer(std::chrono::milliseconds deadline = kHangGuard) {
    std::string byte;
    return !ReadExactly(1, std::chrono::steady_clock::now() + deadline, byte) && eof_;
  }

 private:
  static void Record(std::string& out, unsigned char type, const std::string& content) {
    const char header[8] = {1,
                            static_cast<char>(type),
                            0,
                            1,
                            static_cast<char>(content.size() >> 8),
                            static_cast<char>(content.size() & 0xff),
                            0,
                            0};
    out.append(header, sizeof(header));
    out += content;
  }

  bool ReadExactly(std::size_t count, std::chrono::steady_clock::time_point until, std::string& into) {
    into.clear();
    while (into.size() < count) {
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(until - std::chrono::steady_clock::now());
      if (left.count() <= 0) return false;
      pollfd readable{fd_, POLLIN, 0};
      if (poll(&readable, 1, static_cast<int>(left.count())) <= 0) continue;
      char buffer[4096];
      const ssize_t n = read(fd_, buffer, std::min(sizeof(buffer), count - into.size()));
      if (n <= 0) {
        eof_ = true;
        return false;
      }
      into.append(buffer, static_cast<std::size_t>(n));
    }
    return true;
  }

  int fd_ = -1;
  bool eof_ = false;
};

// A worker process serving the test's requests: ACTION=slow writes `started` into the directory
// and answers only once `release` exists there; anything else is answered at once.
class RequestLoop : public ::testing::Test {
 protected:
  void Start(int threads, std::chrono::milliseconds drain_timeout) {
    socket_path_ = dir_.Path() + "/fcgi.sock";
    const int listen_fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    std::strncpy(address.sun_path, socket_path_.c_str(), sizeof(address.sun_path) - 1);
    ASSERT_EQ(bind(listen_fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)), 0) << std::strerror(errno);
    ASSERT_EQ(listen(listen_fd, 64), 0);
    worker_ = fork();
    ASSERT_GE(worker_, 0);
    if (worker_ == 0) {
      auto log = std::make_shared<spdlog::logger>("worker", std::make_shared<spdlog::sinks::null_sink_mt>());
      const std::string dir = dir_.Path();
      const gw::fcgi::MakeServeRequest make_server = [dir]() -> gw::fcgi::ServeRequest {
        return [dir](FCGX_Request& raw) {
          const char* action = FCGX_GetParam("ACTION", raw.envp);
          const std::string name = action != nullptr ? action : "";
          if (name == "slow") {
            std::ofstream(dir + "/started") << "started";
            Eventually([&] { return std::filesystem::exists(dir + "/release"); });
          }
          char sink[256];
          while (FCGX_GetStr(sink, sizeof(sink), raw.in) > 0) {
          }
          const std::string answer = "Status: 200 OK\r\nContent-Type: text/plain\r\n\r\nserved " + name;
          FCGX_PutStr(answer.data(), static_cast<int>(answer.size()), raw.out);
        };
      };
      _exit(gw::fcgi::RunRequestLoop(listen_fd, {threads, drain_timeout}, make_server, *log));
    }
    close(listen_fd);
  }

  void TearDown() override {
    if (worker_ > 0 && waitpid(worker_, nullptr, WNOHANG) == 0) {
      kill(worker_, SIGKILL);
      waitpid(worker_, nullptr, 0);
    }
  }

  /// The worker's exit status once it exited by itself (-1: still running at the deadline).
  int ExitStatus(std::chrono::milliseconds deadline = kHangGuard) {
    int status = 0;
    const bool exited = Eventually([&] { return waitpid(worker_, &status, WNOHANG) == worker_; }, deadline);
    if (!exited) return -1;
    worker_ = -1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  }

  void Touch(const std::string& name) { std::ofstream(dir_.Path() + "/" + name) << name; }
  bool Exists(const std::string& name) { return std::filesystem::exists(dir_.Path() + "/" + name); }

  gw::test::TempDir dir_{"gw-request-loop"};
  std::string socket_path_;
  pid_t worker_ = -1;
};

TEST_F(RequestLoop, OneKeptConnectionCarriesRequestAfterRequest) {
  Start(2, 2s);
  FcgiConnection connection(socket_path_);
  for (const std::string action : {"first", "second", "third"}) {
    connection.Send(action, true);
    const auto answer = connection.Answer();
    ASSERT_TRUE(answer.has_value()) << "no answer to the " << action << " request on the kept connection";
    EXPECT_NE(answer->find("served " + action), std::string::npos) << *answer;
  }
}

TEST_F(RequestLoop, ConnectionWithoutKeepConnIsClosedAfterItsAnswer) {
  Start(2, 2s);
  FcgiConnection connection(socket_path_);
  connection.Send("once", false);
  const auto answer = connection.Answer();
  ASSERT_TRUE(answer.has_value());
  EXPECT_NE(answer->find("served once"), std::string::npos) << *answer;
  EXPECT_TRUE(connection.ClosedByPeer()) << "the worker kept a connection nginx did not ask it to keep";
}

// With thread per connection, the only thread would wait on the idle connection for its next
// request and the second connection would never be answered.
TEST_F(RequestLoop, AnIdleKeptConnectionPinsNoThread) {
  Start(1, 2s);
  FcgiConnection idle(socket_path_);
  idle.Send("idle", true);
  ASSERT_TRUE(idle.Answer().has_value());

  FcgiConnection other(socket_path_);
  other.Send("other", true);
  const auto answer = other.Answer();
  ASSERT_TRUE(answer.has_value()) << "one thread, one idle kept connection: the other connection was never served";
  EXPECT_NE(answer->find("served other"), std::string::npos) << *answer;

  idle.Send("again", true);  // and the idle one is still served
  const auto again = idle.Answer();
  ASSERT_TRUE(again.has_value());
  EXPECT_NE(again->find("served again"), std::string::npos) << *again;
}

// SIGTERM: the request in flight is answered, a kept connection is still served while the drain
// lasts (nginx may already be writing into it), and what is left open is closed at the deadline.
TEST_F(RequestLoop, SigtermFinishesInFlightServesKeptConnectionsThenClosesThem) {
  Start(2, 1500ms);
  FcgiConnection idle(socket_path_);
  idle.Send("before", true);
  ASSERT_TRUE(idle.Answer().has_value());
  FcgiConnection busy(socket_path_);
  busy.Send("slow", true);
  ASSERT_TRUE(Eventually([&] { return Exists("started"); })) << "the slow request never started";

  ASSERT_EQ(kill(worker_, SIGTERM), 0);
  idle.Send("during", true);
  const auto during = idle.Answer();
  ASSERT_TRUE(during.has_value()) << "a request on a kept connection was dropped by the drain";
  EXPECT_NE(during->find("served during"), std::string::npos) << *during;
  Touch("release");
  const auto slow = busy.Answer();
  ASSERT_TRUE(slow.has_value()) << "the request in flight at SIGTERM was not answered";
  EXPECT_NE(slow->find("served slow"), std::string::npos) << *slow;

  EXPECT_TRUE(idle.ClosedByPeer()) << "an idle kept connection outlived the drain";
  EXPECT_TRUE(busy.ClosedByPeer());
  EXPECT_EQ(ExitStatus(), 0) << "no request was in flight at the deadline: a clean stop";
}

// The drain ends as soon as the peer has closed the kept connections, not at the deadline.
TEST_F(RequestLoop, SigtermEndsOnceThePeerClosedItsConnections) {
  Start(2, std::chrono::milliseconds(kHangGuard) * 3);
  FcgiConnection kept(socket_path_);
  kept.Send("kept", true);
  ASSERT_TRUE(kept.Answer().has_value());
  ASSERT_EQ(kill(worker_, SIGTERM), 0);
  kept.Close();
  EXPECT_EQ(ExitStatus(), 0) << "the worker waited for its drain deadline although no connection was left";
}

}  // namespace
