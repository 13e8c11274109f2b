// The FastCGI ceiling: the smallest libfcgi responder there is, with the same process and
// thread shape as the service (N processes x T threads on one socket) and no work per request.
// `./gw bench` (bench/scenarios/requests.sh) puts it behind nginx to measure what the FastCGI hop
// itself costs, apart from anything the service does.
//
// Usage: fcgi_hello SOCKET_PATH [processes=2] [threads=8]
#include <fcgiapp.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <string>
#include <thread>
#include <vector>

namespace {

void Serve(int listen_fd) {
  static constexpr char kResponse[] =
      "Status: 200 OK\r\nContent-Type: application/json\r\nContent-Length: 39\r\n\r\n"
      "{\"status\":200,\"message\":\"ok\",\"data\":{}}";  // the body is 39 bytes
  FCGX_Request request;
  FCGX_InitRequest(&request, listen_fd, 0);
  while (FCGX_Accept_r(&request) >= 0) {
    FCGX_PutStr(kResponse, sizeof(kResponse) - 1, request.out);
    FCGX_Finish_r(&request);
  }
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: fcgi_hello SOCKET [processes] [threads]\n");
    return 64;
  }
  const int processes = argc > 2 ? std::atoi(argv[2]) : 2;
  const int threads = argc > 3 ? std::atoi(argv[3]) : 8;
  unlink(argv[1]);
  const int fd = FCGX_OpenSocket(argv[1], 1024);
  if (fd < 0) return 1;
  chmod(argv[1], 0666);
  for (int p = 0; p < processes; ++p) {
    if (fork() == 0) {
      prctl(PR_SET_PDEATHSIG, SIGKILL);  // never outlive the parent (libfcgi catches SIGTERM)
      FCGX_Init();
      std::vector<std::thread> pool;
      for (int t = 0; t < threads; ++t) pool.emplace_back(Serve, fd);
      for (auto& thread : pool) thread.join();
      _exit(0);
    }
  }
  while (wait(nullptr) > 0) {
  }
  return 0;
}
