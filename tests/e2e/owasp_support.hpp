// Helpers of the OWASP API Security Top 10 suites (owasp_*_test.cpp, docs/security.md): the route
// table as fcgi/http/routes.cpp declares it, so that a route added there without its row in the
// suites' tables fails them, and a raw TLS connection for what libcurl will not do (old protocol
// versions, a body that stalls).
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

namespace gw::e2e {

/// One `api.Add(...)` line of fcgi/http/routes.cpp.
struct DeclaredRoute {
  std::string method;
  std::string path;
  bool authenticated = false;  // wrapped in WithApiKey
  bool admin = false;          // wrapped in WithAdmin
};

/// Every route of the route table (GW_SOURCE_DIR is the repository, set by tests/e2e/CMakeLists.txt).
inline std::vector<DeclaredRoute> DeclaredRoutes() {
  const std::string file = std::string(GW_SOURCE_DIR) + "/fcgi/http/routes.cpp";
  std::ifstream in(file);
  if (!in) throw std::runtime_error("cannot read " + file);
  std::stringstream text;
  text << in.rdbuf();
  const std::string source = text.str();
  static const std::regex kAdd(R"re(api\.Add\("([A-Z]+)",\s*"([^"]+)",([^\n]*))re");
  std::vector<DeclaredRoute> routes;
  for (auto it = std::sregex_iterator(source.begin(), source.end(), kAdd); it != std::sregex_iterator(); ++it) {
    const std::string wrappers = (*it)[3].str();
    routes.push_back({(*it)[1].str(), (*it)[2].str(), wrappers.find("WithApiKey(") != std::string::npos,
                      wrappers.find("WithAdmin(") != std::string::npos});
  }
  if (routes.size() < 10)
    throw std::runtime_error("found only " + std::to_string(routes.size()) + " routes in " + file);
  return routes;
}

/// "METHOD /path" of the declared routes that satisfy `keep`.
template <typename Keep>
std::set<std::string> RouteNames(Keep keep) {
  std::set<std::string> names;
  for (const auto& route : DeclaredRoutes()) {
    if (keep(route)) names.insert(route.method + " " + route.path);
  }
  return names;
}

/// A TCP connection to the stack's HTTPS port with OpenSSL, whose protocol versions and ciphers
/// the test chooses. The certificate is verified against the stack's CA file.
class RawTls {
 public:
  RawTls(const std::string& base_url, const std::string& ca_file) : ctx_(SSL_CTX_new(TLS_client_method())) {
    if (ctx_ == nullptr) throw std::runtime_error("SSL_CTX_new failed");
    SSL_CTX_set_verify(ctx_, SSL_VERIFY_PEER, nullptr);
    if (SSL_CTX_load_verify_locations(ctx_, ca_file.c_str(), nullptr) != 1) throw std::runtime_error("CA " + ca_file);
    const auto colon = base_url.rfind(':');
    port_ = std::stoi(base_url.substr(colon + 1));
  }
  ~RawTls() {
    if (ssl_ != nullptr) SSL_free(ssl_);
    if (fd_ >= 0) ::close(fd_);
    SSL_CTX_free(ctx_);
  }
  RawTls(const RawTls&) = delete;
  RawTls& operator=(const RawTls&) = delete;

  /// Offers exactly these protocol versions. Below TLS 1.2, OpenSSL 3 needs security level 0 to
  /// even offer them (SHA-1 signatures): the test must be able to ask for what a server refuses.
  void Versions(int min, int max) {
    SSL_CTX_set_min_proto_version(ctx_, min);
    SSL_CTX_set_max_proto_version(ctx_, max);
    if (min < TLS1_2_VERSION) SSL_CTX_set_security_level(ctx_, 0);
  }
  /// The TLS 1.2 cipher list offered (OpenSSL names).
  void Ciphers(const std::string& list) {
    if (SSL_CTX_set_cipher_list(ctx_, list.c_str()) != 1) throw std::runtime_error("cipher list " + list);
  }

  /// Connects and handshakes; false (with the reason in Error()) when the handshake fails.
  bool Connect(int receive_timeout_seconds = 10) {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(static_cast<std::uint16_t>(port_));
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(fd_, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) {
      throw std::runtime_error("connect to port " + std::to_string(port_) + " failed");
    }
    timeval timeout{receive_timeout_seconds, 0};
    ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
    ssl_ = SSL_new(ctx_);
    SSL_set_fd(ssl_, fd_);
    SSL_set_tlsext_host_name(ssl_, "localhost");
    ERR_clear_error();
    if (SSL_connect(ssl_) == 1) return true;
    char buffer[256];
    error_ = ERR_error_string(ERR_get_error(), buffer);
    return false;
  }
  std::string Version() const { return ssl_ != nullptr ? SSL_get_version(ssl_) : ""; }
  std::string Cipher() const { return ssl_ != nullptr ? SSL_get_cipher_name(ssl_) : ""; }
  const std::string& Error() const { return error_; }

  void Write(const std::string& bytes) {
    if (SSL_write(ssl_, bytes.data(), static_cast<int>(bytes.size())) != static_cast<int>(bytes.size())) {
      throw std::runtime_error("SSL_write failed");
    }
  }
  /// Reads until the peer closes (or resets) the connection: true, with what arrived in `out`;
  /// false when the receive timeout passed first (the connection is still open).
  bool ReadUntilClosed(std::string& out) {
    char buffer[4096];
    for (;;) {
      const int n = SSL_read(ssl_, buffer, sizeof buffer);
      if (n > 0) {
        out.append(buffer, static_cast<std::size_t>(n));
        continue;
      }
      const int error = SSL_get_error(ssl_, n);
      if (error == SSL_ERROR_SYSCALL && (errno == EAGAIN || errno == EWOULDBLOCK)) return false;
      return true;  // close_notify, EOF or reset: the server ended it
    }
  }

 private:
  SSL_CTX* ctx_;
  SSL* ssl_ = nullptr;
  int fd_ = -1;
  int port_ = 0;
  std::string error_;
};

}  // namespace gw::e2e
