// Probe for issue #14: the do-nothing responder of fcgi_hello.cpp on an event-driven transport, so
// that connections nginx keeps alive (fastcgi_keep_conn on) never pin a thread. Each thread of each
// worker process runs one epoll loop over the shared listening socket (EPOLLEXCLUSIVE: one waiter
// woken per connection) and every connection it accepted; a readable connection gets one request
// served, then goes back to the loop. bench/transport_probe.sh measures it against fcgi_hello.
//
// libfcgi still parses the records (BEGIN_REQUEST, PARAMS, STDIN) and writes STDOUT + END_REQUEST:
// FCGX_Accept_r reuses a request's open ipcFd instead of accepting, so the loop owns accept() and
// hands libfcgi one FCGX_Request per connection. Three things make that drivable from a loop:
//  - listen_sock = -1 in every request: when libfcgi drops a connection (peer closed a kept
//    connection, protocol error) it falls back to accept(listen_sock); on -1 that fails at once
//    instead of blocking the loop in accept() on the real socket.
//  - keepConnection = 1 before each FCGX_Accept_r: it starts with FCGX_Finish_r, which would close
//    a connection whose previous request (none yet) did not ask to keep it.
//  - detached = 1: FCGX_Free would otherwise shutdown() and wait up to 2 s in select() for the
//    peer's EOF before close(); in a loop that wait would stall every other connection.
// What libfcgi cannot do is parse incrementally: once a connection is readable it read()s
// (blocking) until it has BEGIN_REQUEST + PARAMS and, here, the empty STDIN. nginx writes a small
// request in one go, so for this probe the loop never waits on a slow peer; a product version
// would need its own record parser (or a buffering layer) to be safe against one.
//
// Usage: fcgi_event_hello SOCKET_PATH [processes=2] [threads=1]
#include <fcgiapp.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/epoll.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <thread>
#include <vector>

namespace {

constexpr char kResponse[] =
    "Status: 200 OK\r\nContent-Type: application/json\r\nContent-Length: 39\r\n\r\n"
    "{\"status\":200,\"message\":\"ok\",\"data\":{}}";  // the body is 39 bytes, as fcgi_hello's

// Serves the one request waiting on the connection; false when the connection is gone (closed by
// libfcgi: the peer closed it, or the request did not ask FCGI_KEEP_CONN), so the caller frees it.
bool ServeOne(FCGX_Request* request) {
  request->keepConnection = 1;  // see the header comment: nothing to finish before this request
  request->detached = 1;
  if (FCGX_Accept_r(request) < 0) return false;  // EOF or protocol error: libfcgi closed ipcFd
  char body[4096];
  while (FCGX_GetStr(body, sizeof(body), request->in) > 0) {  // drain STDIN up to its empty record
  }
  FCGX_PutStr(kResponse, sizeof(kResponse) - 1, request->out);
  FCGX_Finish_r(request);  // STDOUT + END_REQUEST; closes ipcFd unless FCGI_KEEP_CONN was set
  return request->ipcFd >= 0;
}

void Loop(int listen_fd) {
  const int epoll_fd = epoll_create1(EPOLL_CLOEXEC);
  epoll_event listen_event{};
  listen_event.events = EPOLLIN | EPOLLEXCLUSIVE;
  listen_event.data.ptr = nullptr;  // nullptr marks the listening socket
  if (epoll_ctl(epoll_fd, EPOLL_CTL_ADD, listen_fd, &listen_event) != 0) return;
  epoll_event events[256];
  for (;;) {
    const int ready = epoll_wait(epoll_fd, events, 256, -1);
    for (int i = 0; i < ready; ++i) {
      auto* request = static_cast<FCGX_Request*>(events[i].data.ptr);
      if (request == nullptr) {
        int connection;
        while ((connection = accept4(listen_fd, nullptr, nullptr, SOCK_CLOEXEC)) >= 0) {
          auto* accepted = new FCGX_Request;
          FCGX_InitRequest(accepted, -1, 0);  // listen_sock -1: see the header comment
          accepted->ipcFd = connection;       // blocking: libfcgi reads whole records
          epoll_event event{};
          event.events = EPOLLIN;
          event.data.ptr = accepted;
          epoll_ctl(epoll_fd, EPOLL_CTL_ADD, connection, &event);
        }
        continue;
      }
      const int fd = request->ipcFd;
      if (!ServeOne(request)) {
        epoll_ctl(epoll_fd, EPOLL_CTL_DEL, fd, nullptr);  // already closed: ENOENT/EBADF is fine
        delete request;
      }
    }
  }
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: fcgi_event_hello SOCKET [processes] [threads]\n");
    return 64;
  }
  const int processes = argc > 2 ? std::atoi(argv[2]) : 2;
  const int threads = argc > 3 ? std::atoi(argv[3]) : 1;
  unlink(argv[1]);
  const int fd = FCGX_OpenSocket(argv[1], 1024);
  if (fd < 0) return 1;
  chmod(argv[1], 0666);
  fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);  // the loops accept until EAGAIN
  for (int p = 0; p < processes; ++p) {
    if (fork() == 0) {
      prctl(PR_SET_PDEATHSIG, SIGKILL);  // never outlive the parent (libfcgi catches SIGTERM)
      FCGX_Init();
      std::vector<std::thread> loops;
      for (int t = 0; t < threads; ++t) loops.emplace_back(Loop, fd);
      for (auto& loop : loops) loop.join();
      _exit(0);
    }
  }
  while (wait(nullptr) > 0) {
  }
  return 0;
}
