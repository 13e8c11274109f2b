#pragma once
/// @file The epoll set a worker process's request threads share: the listening socket and every
/// FastCGI connection accepted from it, so that a connection nginx keeps open between requests
/// (fastcgi_keep_conn on) costs a file descriptor while idle, never a thread.

#include <fcgiapp.h>

#include <atomic>
#include <mutex>
#include <unordered_set>

namespace gw::fcgi {

/// One accepted connection: libfcgi's request object reads and answers on it (its ipcFd is the
/// connection, its listen_sock -1: see connection_reactor.cpp).
struct Connection {
  FCGX_Request request{};
};

/// Threads call Next() to get a connection with a request to read; only that thread holds it
/// (EPOLLONESHOT) until it hands it back with Done(). Connections are accepted on the way, by
/// whichever thread the listening socket's readiness wakes, one per wake-up.
class ConnectionReactor {
 public:
  /// Puts `listen_fd` into non-blocking mode (shared by every worker process: they all accept
  /// through an epoll set). Throws std::system_error when epoll or eventfd cannot be created.
  explicit ConnectionReactor(int listen_fd);
  ~ConnectionReactor();  ///< closes every connection still open
  ConnectionReactor(const ConnectionReactor&) = delete;
  ConnectionReactor& operator=(const ConnectionReactor&) = delete;

  /// Blocks until a connection is readable (a request, or its peer closed it) and returns it,
  /// or returns nullptr once Stop() was called.
  Connection* Next();
  /// Back from the thread that served it: watched again, or released when libfcgi closed it
  /// (peer closed, protocol error, or a request without FCGI_KEEP_CONN).
  void Done(Connection* connection);
  /// Accepts no more connections; those open stay served until their peer closes them.
  void StopAccepting();
  /// Every Next(), now and later, returns nullptr.
  void Stop();
  /// Connections open, idle or being served.
  int OpenConnections() const { return open_.load(); }

 private:
  void AcceptOne();
  void Release(Connection* connection);

  int listen_fd_;
  int epoll_fd_ = -1;
  int stop_fd_ = -1;  // an eventfd: once written, readable for every waiter
  std::atomic<bool> accepting_{true};
  std::atomic<int> open_{0};
  std::mutex mutex_;  // guards connections_
  std::unordered_set<Connection*> connections_;
  // epoll data tags of the two descriptors that are not connections
  char listen_tag_ = 0;
  char stop_tag_ = 0;
};

}  // namespace gw::fcgi
