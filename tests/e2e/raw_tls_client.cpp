#include "raw_tls_client.hpp"

#include <netdb.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <memory>
#include <stdexcept>

namespace gw::e2e {
namespace {

/// "https://host:port" -> host, port.
std::pair<std::string, std::string> HostPort(const std::string& base_url) {
  std::string rest = base_url.substr(base_url.find("://") + 3);
  rest = rest.substr(0, rest.find('/'));
  const auto colon = rest.rfind(':');
  if (colon == std::string::npos) return {rest, "443"};
  return {rest.substr(0, colon), rest.substr(colon + 1)};
}

std::string SslError() {
  const unsigned long code = ERR_get_error();
  if (code == 0) return "(no OpenSSL error)";
  char text[256];
  ERR_error_string_n(code, text, sizeof text);
  return text;
}

/// One verified TLS connection with the given ALPN protocol.
class TlsConnection {
 public:
  TlsConnection(const std::string& base_url, const std::string& ca_file, const std::string& alpn) {
    const auto [host, port] = HostPort(base_url);
    addrinfo hints{};
    hints.ai_socktype = SOCK_STREAM;
    addrinfo* found = nullptr;
    if (getaddrinfo(host.c_str(), port.c_str(), &hints, &found) != 0 || found == nullptr) {
      throw std::runtime_error("cannot resolve " + host);
    }
    fd_ = ::socket(found->ai_family, found->ai_socktype, found->ai_protocol);
    const int connected = fd_ < 0 ? -1 : ::connect(fd_, found->ai_addr, found->ai_addrlen);
    freeaddrinfo(found);
    if (connected != 0) throw std::runtime_error("cannot connect to " + base_url);
    ctx_ = SSL_CTX_new(TLS_client_method());
    if (ctx_ == nullptr || SSL_CTX_load_verify_locations(ctx_, ca_file.c_str(), nullptr) != 1) {
      throw std::runtime_error("TLS context: " + SslError());
    }
    SSL_CTX_set_verify(ctx_, SSL_VERIFY_PEER, nullptr);
    const std::string wire = std::string(1, static_cast<char>(alpn.size())) + alpn;
    SSL_CTX_set_alpn_protos(ctx_, reinterpret_cast<const unsigned char*>(wire.data()),
                            static_cast<unsigned>(wire.size()));
    ssl_ = SSL_new(ctx_);
    SSL_set_fd(ssl_, fd_);
    SSL_set1_host(ssl_, host.c_str());
    if (SSL_connect(ssl_) != 1) throw std::runtime_error("TLS handshake: " + SslError());
  }
  ~TlsConnection() {
    if (ssl_ != nullptr) SSL_free(ssl_);
    if (ctx_ != nullptr) SSL_CTX_free(ctx_);
    if (fd_ >= 0) ::close(fd_);
  }
  TlsConnection(const TlsConnection&) = delete;
  TlsConnection& operator=(const TlsConnection&) = delete;

  /// Writes everything; false when the peer closed first (nginx may stop reading a refused request).
  bool Write(const std::string& bytes) {
    std::size_t done = 0;
    while (done < bytes.size()) {
      const int n =
          SSL_write(ssl_, bytes.data() + done, static_cast<int>(std::min<std::size_t>(bytes.size() - done, 1 << 14)));
      if (n <= 0) return false;
      done += static_cast<std::size_t>(n);
    }
    return true;
  }
  /// Appends what arrives within `timeout_ms` to `out`; false at the end of the stream or timeout.
  bool Read(std::string& out, int timeout_ms) {
    if (SSL_pending(ssl_) == 0) {
      pollfd p{fd_, POLLIN, 0};
      if (::poll(&p, 1, timeout_ms) <= 0) return false;
    }
    char buffer[16384];
    const int n = SSL_read(ssl_, buffer, sizeof buffer);
    if (n <= 0) return false;
    out.append(buffer, static_cast<std::size_t>(n));
    return true;
  }

 private:
  int fd_ = -1;
  SSL_CTX* ctx_ = nullptr;
  SSL* ssl_ = nullptr;
};

std::string Lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

HttpResponse ParseHttp1(const std::string& bytes) {
  HttpResponse response;
  const auto head_end = bytes.find("\r\n\r\n");
  if (bytes.rfind("HTTP/1.", 0) != 0 || head_end == std::string::npos) return response;
  response.status = std::stol(bytes.substr(9, 3));
  std::size_t line_start = bytes.find("\r\n") + 2;
  while (line_start < head_end) {
    const std::size_t line_end = bytes.find("\r\n", line_start);
    const std::string line = bytes.substr(line_start, line_end - line_start);
    const auto colon = line.find(':');
    if (colon != std::string::npos) {
      std::string value = line.substr(colon + 1);
      value.erase(0, value.find_first_not_of(" \t"));
      response.headers.emplace(Lower(line.substr(0, colon)), value);
    }
    line_start = line_end + 2;
  }
  response.body = bytes.substr(head_end + 4);
  return response;
}

std::uint32_t Be32(const std::string& s, std::size_t at) {
  return (static_cast<std::uint32_t>(static_cast<unsigned char>(s[at])) << 24) |
         (static_cast<std::uint32_t>(static_cast<unsigned char>(s[at + 1])) << 16) |
         (static_cast<std::uint32_t>(static_cast<unsigned char>(s[at + 2])) << 8) |
         static_cast<std::uint32_t>(static_cast<unsigned char>(s[at + 3]));
}

std::string Frame(std::uint8_t type, std::uint8_t flags, std::uint32_t stream, const std::string& payload) {
  std::string frame;
  frame += static_cast<char>((payload.size() >> 16) & 0xff);
  frame += static_cast<char>((payload.size() >> 8) & 0xff);
  frame += static_cast<char>(payload.size() & 0xff);
  frame += static_cast<char>(type);
  frame += static_cast<char>(flags);
  for (int shift = 24; shift >= 0; shift -= 8) frame += static_cast<char>((stream >> shift) & 0xff);
  return frame + payload;
}

/// HPACK integer with a 7-bit prefix (RFC 7541 5.1), Huffman bit clear.
void HpackLength(std::string& out, std::size_t value) {
  if (value < 127) {
    out += static_cast<char>(value);
    return;
  }
  out += static_cast<char>(127);
  value -= 127;
  while (value >= 128) {
    out += static_cast<char>((value & 0x7f) | 0x80);
    value >>= 7;
  }
  out += static_cast<char>(value);
}

/// "Literal Header Field without Indexing -- New Name" (RFC 7541 6.2.2).
void HpackLiteral(std::string& out, const std::string& name, const std::string& value) {
  out += '\0';
  HpackLength(out, name.size());
  out += name;
  HpackLength(out, value.size());
  out += value;
}

}  // namespace

HttpResponse RawHttp1(const std::string& base_url, const std::string& ca_file, const std::string& request,
                      int timeout_ms) {
  TlsConnection connection(base_url, ca_file, "http/1.1");
  connection.Write(request);
  std::string received;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  while (std::chrono::steady_clock::now() < deadline) {
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now()).count();
    if (!connection.Read(received, static_cast<int>(std::max<long long>(left, 1)))) break;
    // done once the head and Content-Length bytes of body are in (nginx may keep the connection)
    const auto head_end = received.find("\r\n\r\n");
    if (head_end == std::string::npos) continue;
    const HttpResponse partial = ParseHttp1(received);
    const auto length = partial.Header("content-length");
    if (length && received.size() >= head_end + 4 + std::stoul(*length)) break;
  }
  return ParseHttp1(received);
}

std::string Http2Outcome::Describe() const {
  return "response_headers=" + std::to_string(response_headers) + " goaway=" + std::to_string(goaway) +
         " goaway_error=" + std::to_string(goaway_error) + " goaway_last_stream=" + std::to_string(goaway_last_stream) +
         " reset=" + std::to_string(reset) + " reset_error=" + std::to_string(reset_error);
}

Http2Outcome RawHttp2Get(const std::string& base_url, const std::string& ca_file, const std::string& path,
                         const HeaderList& headers, int timeout_ms) {
  constexpr std::size_t kMaxFrame = 16384;  // SETTINGS_MAX_FRAME_SIZE's initial value
  TlsConnection connection(base_url, ca_file, "h2");
  std::string block;
  HpackLiteral(block, ":method", "GET");
  HpackLiteral(block, ":scheme", "https");
  HpackLiteral(block, ":path", path);
  HpackLiteral(block, ":authority", HostPort(base_url).first);
  for (const auto& [name, value] : headers) HpackLiteral(block, name, value);

  std::string out = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n" + Frame(0x4, 0, 0, "");  // preface, empty SETTINGS
  for (std::size_t at = 0; at < block.size(); at += kMaxFrame) {
    const bool first = at == 0;
    const bool last = at + kMaxFrame >= block.size();
    const std::uint8_t flags =
        static_cast<std::uint8_t>((first ? 0x1 : 0) | (last ? 0x4 : 0));     // END_STREAM, END_HEADERS
    out += Frame(first ? 0x1 : 0x9, flags, 1, block.substr(at, kMaxFrame));  // HEADERS, CONTINUATION
  }
  connection.Write(out);

  Http2Outcome outcome;
  std::string received;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  std::size_t at = 0;
  while (std::chrono::steady_clock::now() < deadline) {
    while (received.size() >= at + 9) {
      const std::size_t length = (static_cast<std::size_t>(static_cast<unsigned char>(received[at])) << 16) |
                                 (static_cast<std::size_t>(static_cast<unsigned char>(received[at + 1])) << 8) |
                                 static_cast<unsigned char>(received[at + 2]);
      if (received.size() < at + 9 + length) break;
      const auto type = static_cast<unsigned char>(received[at + 3]);
      const std::uint32_t stream = Be32(received, at + 5) & 0x7fffffffU;
      const std::size_t payload = at + 9;
      if (type == 0x1 && stream == 1) outcome.response_headers = true;
      if (type == 0x3 && stream == 1 && length >= 4) {
        outcome.reset = true;
        outcome.reset_error = Be32(received, payload);
      }
      if (type == 0x7 && length >= 8) {
        outcome.goaway = true;
        outcome.goaway_last_stream = Be32(received, payload) & 0x7fffffffU;
        outcome.goaway_error = Be32(received, payload + 4);
      }
      at = payload + length;
      if (outcome.response_headers || outcome.reset || outcome.goaway) return outcome;
    }
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now()).count();
    if (!connection.Read(received, static_cast<int>(std::max<long long>(left, 1)))) break;
  }
  return outcome;
}

}  // namespace gw::e2e
