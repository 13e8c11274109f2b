#include "fcgi/process/connection_reactor.hpp"

#include <fcntl.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <system_error>
#include <thread>

// libfcgi parses and answers requests here, but never accepts: FCGX_Accept_r reads the next
// request from a request object's open ipcFd and only accept()s on listen_sock when that
// connection is gone. So every connection gets its own FCGX_Request with listen_sock = -1: when
// its peer closes it, FCGX_Accept_r fails at once (accept(-1)) instead of blocking in accept() on
// the real socket. The thread that serves a request sets keepConnection and detached before
// FCGX_Accept_r (fcgi/process/request_loop.cpp). libfcgi reads records with blocking read()s:
// once a connection is readable its thread reads the whole request, which is fine behind nginx,
// the only peer of the socket (it writes a request at once; upload bodies never cross the
// socket, nginx passes REQUEST_BODY_FILE); a peer that sent half a request would hold one thread.

namespace gw::fcgi {
namespace {

constexpr std::uint32_t kConnectionEvents = EPOLLIN | EPOLLONESHOT;

void Watch(int epoll_fd, int op, int fd, std::uint32_t events, void* tag) {
  epoll_event event{};
  event.events = events;
  event.data.ptr = tag;
  if (epoll_ctl(epoll_fd, op, fd, &event) != 0) throw std::system_error(errno, std::generic_category(), "epoll_ctl");
}

}  // namespace

ConnectionReactor::ConnectionReactor(int listen_fd) : listen_fd_(listen_fd) {
  epoll_fd_ = epoll_create1(EPOLL_CLOEXEC);
  if (epoll_fd_ < 0) throw std::system_error(errno, std::generic_category(), "epoll_create1");
  stop_fd_ = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  if (stop_fd_ < 0) {
    close(epoll_fd_);
    throw std::system_error(errno, std::generic_category(), "eventfd");
  }
  Watch(epoll_fd_, EPOLL_CTL_ADD, stop_fd_, EPOLLIN, &stop_tag_);  // level-triggered: wakes all
  fcntl(listen_fd_, F_SETFL, fcntl(listen_fd_, F_GETFL) | O_NONBLOCK);
  // EPOLLEXCLUSIVE: a new connection wakes one worker process with an idle thread, not all of
  // them (the worker processes each have their own epoll set on the same socket).
  epoll_event listen{};
  listen.events = EPOLLIN | EPOLLEXCLUSIVE;
  listen.data.ptr = &listen_tag_;
  if (epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, listen_fd_, &listen) != 0) {
    Watch(epoll_fd_, EPOLL_CTL_ADD, listen_fd_, EPOLLIN, &listen_tag_);  // a kernel before 4.5
  }
}

ConnectionReactor::~ConnectionReactor() {
  for (Connection* connection : connections_) {
    if (connection->request.ipcFd >= 0) close(connection->request.ipcFd);
    FCGX_Free(&connection->request, 0);
    delete connection;
  }
  close(stop_fd_);
  close(epoll_fd_);
}

Connection* ConnectionReactor::Next() {
  for (;;) {
    epoll_event event{};
    const int ready = epoll_wait(epoll_fd_, &event, 1, -1);
    if (ready < 0 && errno != EINTR) throw std::system_error(errno, std::generic_category(), "epoll_wait");
    if (ready <= 0) continue;
    if (event.data.ptr == &stop_tag_) return nullptr;
    if (event.data.ptr == &listen_tag_) {
      AcceptOne();
      continue;
    }
    return static_cast<Connection*>(event.data.ptr);
  }
}

void ConnectionReactor::AcceptOne() {
  if (!accepting_.load()) return;
  // Blocking (no SOCK_NONBLOCK): libfcgi reads and writes it with plain read()/write().
  const int fd = accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
  if (fd < 0) {
    // EAGAIN: another thread or process took it. Out of descriptors (EMFILE, ENFILE) or memory:
    // the socket stays readable, so back off instead of spinning; the backlog keeps the peer.
    if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR && errno != ECONNABORTED) {
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return;
  }
  auto* connection = new Connection;
  FCGX_InitRequest(&connection->request, -1, 0);
  connection->request.ipcFd = fd;
  {
    const std::lock_guard lock(mutex_);
    connections_.insert(connection);
  }
  ++open_;
  Watch(epoll_fd_, EPOLL_CTL_ADD, fd, kConnectionEvents, connection);
}

void ConnectionReactor::Done(Connection* connection) {
  const int fd = connection->request.ipcFd;
  if (fd < 0) {
    Release(connection);
    return;
  }
  epoll_event event{};
  event.events = kConnectionEvents;
  event.data.ptr = connection;
  if (epoll_ctl(epoll_fd_, EPOLL_CTL_MOD, fd, &event) != 0) {
    close(fd);
    connection->request.ipcFd = -1;
    Release(connection);
  }
}

void ConnectionReactor::Release(Connection* connection) {
  // libfcgi closed the descriptor, which removed it from the epoll set
  FCGX_Free(&connection->request, 0);
  {
    const std::lock_guard lock(mutex_);
    connections_.erase(connection);
  }
  delete connection;
  --open_;
}

void ConnectionReactor::StopAccepting() {
  accepting_.store(false);
  epoll_ctl(epoll_fd_, EPOLL_CTL_DEL, listen_fd_, nullptr);
}

void ConnectionReactor::Stop() {
  const std::uint64_t one = 1;
  [[maybe_unused]] const ssize_t written = write(stop_fd_, &one, sizeof(one));
}

}  // namespace gw::fcgi
