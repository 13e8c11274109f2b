#include "https_client.hpp"

#include <curl/curl.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <iostream>
#include <mutex>
#include <stdexcept>

namespace gw::e2e {
namespace {

std::string Lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

std::string Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r' || s.back() == '\n')) {
    s.remove_suffix(1);
  }
  return std::string(s);
}

void GlobalInit() {
  static std::once_flag once;
  std::call_once(once, [] {
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) throw std::runtime_error("curl_global_init failed");
  });
}

size_t WriteBody(char* data, size_t size, size_t count, void* user) {
  static_cast<std::string*>(user)->append(data, size * count);
  return size * count;
}

size_t WriteHeader(char* data, size_t size, size_t count, void* user) {
  auto& headers = *static_cast<std::multimap<std::string, std::string>*>(user);
  const std::string_view line(data, size * count);
  if (line.starts_with("HTTP/")) {
    headers.clear();  // a new response (e.g. after "100 Continue"): keep only the final one
    return size * count;
  }
  const auto colon = line.find(':');
  if (colon != std::string_view::npos) {
    headers.emplace(Lower(Trim(line.substr(0, colon))), Trim(line.substr(colon + 1)));
  }
  return size * count;
}

void Check(CURLcode code, const char* what) {
  if (code != CURLE_OK) throw std::runtime_error(std::string(what) + ": " + curl_easy_strerror(code));
}

/// The recording's file descriptor, opened once per process; -1 when GW_TEST_RECORD_FILE is unset.
int RecordFile() {
  static const int fd = [] {
    const char* path = std::getenv("GW_TEST_RECORD_FILE");
    if (path == nullptr || *path == '\0') return -1;
    const int opened = ::open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
    if (opened < 0) {
      throw std::runtime_error(std::string("GW_TEST_RECORD_FILE ") + path + ": " + std::strerror(errno));
    }
    return opened;
  }();
  return fd;
}

std::string CurrentTestName() {
  const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
  return info == nullptr ? std::string() : std::string(info->test_suite_name()) + "." + info->name();
}

}  // namespace

namespace {

// The credentials a request carried (see RecordExchange in the header).
nlohmann::json RequestSecrets(const HeaderList& request_headers, const std::string& request_body) {
  nlohmann::json secrets = nlohmann::json::array();
  for (const auto& [name, value] : request_headers) {
    const std::string lower = Lower(name);
    if ((lower == "x-api-key" || lower == "authorization") && !value.empty()) secrets.push_back(value);
  }
  const auto body = nlohmann::json::parse(request_body, nullptr, /*allow_exceptions=*/false);
  if (body.is_object()) {
    for (const auto& [name, value] : body.items()) {
      if (Lower(name).find("password") != std::string::npos && value.is_string()) secrets.push_back(value);
    }
  }
  return secrets;
}

}  // namespace

void RecordExchange(const std::string& base_url, const std::string& method, const std::string& target,
                    const HeaderList& request_headers, const HttpResponse& response, std::uint64_t body_bytes,
                    const std::string& transport_error, const std::string& request_body) {
  const int fd = RecordFile();
  if (fd < 0) return;
  // JSON bodies are what the checker validates: kept whole (up to a bound no API answer nears).
  // Other text is kept for reading; other bodies (downloads) only by type and length.
  constexpr std::size_t kMaxJson = std::size_t{8} << 20;
  constexpr std::size_t kMaxText = std::size_t{64} << 10;
  const std::string media = Lower(response.Header("content-type").value_or(""));
  const bool json = media.starts_with("application/json") || media.find("+json") != std::string::npos;
  const bool text = json || media.starts_with("text/");
  const std::size_t keep = json ? kMaxJson : text ? kMaxText : 0;
  const bool whole = response.body.size() == body_bytes;
  const std::string kept = response.body.substr(0, std::min(keep, response.body.size()));
  const char* recorded = body_bytes == 0                      ? "full"
                         : keep == 0                          ? "omitted"
                         : whole && kept.size() == body_bytes ? "full"
                                                              : "truncated";

  const std::size_t question = target.find('?');
  nlohmann::json names = nlohmann::json::array();
  for (const auto& [name, value] : request_headers) names.push_back(name);
  nlohmann::json headers = nlohmann::json::array();
  for (const auto& [name, value] : response.headers) headers.push_back({name, value});
  const char* stack = std::getenv("GW_TEST_STACK");
  const nlohmann::json line{
      {"test", CurrentTestName()},
      {"stack", stack != nullptr && *stack != '\0' ? stack : "local"},
      {"origin", base_url},
      {"method", method},
      {"path", target.substr(0, question)},
      {"query", question == std::string::npos ? nlohmann::json(nullptr) : nlohmann::json(target.substr(question + 1))},
      {"request_headers", names},
      {"request_secrets", RequestSecrets(request_headers, request_body)},
      {"status", response.status},
      {"response_headers", headers},
      {"body", keep == 0 ? nlohmann::json(nullptr) : nlohmann::json(kept)},
      {"body_bytes", body_bytes},
      {"body_recorded", recorded},
      {"transport_error", transport_error.empty() ? nlohmann::json(nullptr) : nlohmann::json(transport_error)},
  };
  // Bytes that are not UTF-8 (a text body cut mid-character, a binary body labelled text) become
  // U+FFFD rather than failing the test that made the request.
  const std::string text_line = line.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
  const ssize_t written = ::write(fd, text_line.data(), text_line.size());
  if (written != static_cast<ssize_t>(text_line.size())) {
    std::cerr << "GW_TEST_RECORD_FILE: short write (" << written << " of " << text_line.size()
              << " bytes): " << std::strerror(errno) << "\n";
  }
}

std::optional<std::string> HttpResponse::Header(std::string name) const {
  const auto it = headers.find(Lower(std::move(name)));
  if (it == headers.end()) return std::nullopt;
  return it->second;
}

std::vector<std::string> HttpResponse::Headers(std::string name) const {
  std::vector<std::string> values;
  const auto [first, last] = headers.equal_range(Lower(std::move(name)));
  for (auto it = first; it != last; ++it) values.push_back(it->second);
  return values;
}

nlohmann::json HttpResponse::Json() const { return nlohmann::json::parse(body, nullptr, false); }

std::string HttpResponse::Describe() const {
  std::string text = "HTTP " + std::to_string(status);
  if (auto id = Header("x-request-id")) text += " x-request-id=" + *id;
  text += " body=" + (body.size() > 600 ? body.substr(0, 600) + "..." : body);
  return text;
}

HttpsClient::HttpsClient(std::string base_url, std::string ca_file)
    : base_url_(std::move(base_url)), ca_file_(std::move(ca_file)) {
  GlobalInit();
  curl_ = curl_easy_init();
  if (curl_ == nullptr) throw std::runtime_error("curl_easy_init failed");
}

HttpsClient::~HttpsClient() { curl_easy_cleanup(static_cast<CURL*>(curl_)); }

HttpResponse HttpsClient::Request(const std::string& method, const std::string& path, const HeaderList& headers,
                                  const std::optional<std::string>& body) {
  CURL* curl = static_cast<CURL*>(curl_);
  curl_easy_reset(curl);  // keeps the connection cache, drops the previous request's options
  HttpResponse response;
  const std::string url = base_url_ + path;

  Check(curl_easy_setopt(curl, CURLOPT_URL, url.c_str()), "CURLOPT_URL");
  Check(curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L), "CURLOPT_NOSIGNAL");
  Check(curl_easy_setopt(curl, CURLOPT_FOLLOWLOCATION, 0L), "CURLOPT_FOLLOWLOCATION");
  Check(curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS, 5000L), "CURLOPT_CONNECTTIMEOUT_MS");
  Check(curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, 30000L), "CURLOPT_TIMEOUT_MS");
  Check(curl_easy_setopt(curl, CURLOPT_HTTP_VERSION, static_cast<long>(CURL_HTTP_VERSION_1_1)), "CURLOPT_HTTP_VERSION");
  // TLS: always verified, against the stack's own CA file only.
  if (!ca_file_.empty()) Check(curl_easy_setopt(curl, CURLOPT_CAINFO, ca_file_.c_str()), "CURLOPT_CAINFO");
  Check(curl_easy_setopt(curl, CURLOPT_INTERFACE, local_address_.empty() ? nullptr : local_address_.c_str()),
        "CURLOPT_INTERFACE");
  Check(curl_easy_setopt(curl, CURLOPT_SSL_VERIFYPEER, 1L), "CURLOPT_SSL_VERIFYPEER");
  Check(curl_easy_setopt(curl, CURLOPT_SSL_VERIFYHOST, 2L), "CURLOPT_SSL_VERIFYHOST");

  Check(curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, &WriteBody), "CURLOPT_WRITEFUNCTION");
  Check(curl_easy_setopt(curl, CURLOPT_WRITEDATA, &response.body), "CURLOPT_WRITEDATA");
  Check(curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, &WriteHeader), "CURLOPT_HEADERFUNCTION");
  Check(curl_easy_setopt(curl, CURLOPT_HEADERDATA, &response.headers), "CURLOPT_HEADERDATA");

  if (method == "GET" && !body) {
    Check(curl_easy_setopt(curl, CURLOPT_HTTPGET, 1L), "CURLOPT_HTTPGET");
  } else if (method == "HEAD") {
    Check(curl_easy_setopt(curl, CURLOPT_NOBODY, 1L), "CURLOPT_NOBODY");
  } else {
    if (body || method == "POST") {
      Check(curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body ? body->size() : 0)),
            "CURLOPT_POSTFIELDSIZE_LARGE");
      Check(curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body ? body->data() : ""), "CURLOPT_POSTFIELDS");
    }
    if (method != "POST") Check(curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, method.c_str()), "CUSTOMREQUEST");
  }

  curl_slist* list = nullptr;
  bool has_content_type = false;
  HeaderList all = headers;
  for (const auto& [name, value] : default_headers_) {
    const bool named = std::any_of(headers.begin(), headers.end(),
                                   [&](const auto& header) { return Lower(header.first) == Lower(name); });
    if (!named) all.emplace_back(name, value);
  }
  for (const auto& [name, value] : all) {
    has_content_type = has_content_type || Lower(name) == "content-type";
    const std::string line = value.empty() ? name + ";" : name + ": " + value;
    list = curl_slist_append(list, line.c_str());
  }
  // libcurl adds "Content-Type: application/x-www-form-urlencoded" to POSTs by default; a test that
  // sets no Content-Type means "none at all".
  if (!has_content_type && (body || method == "POST")) list = curl_slist_append(list, "Content-Type:");
  Check(curl_easy_setopt(curl, CURLOPT_HTTPHEADER, list), "CURLOPT_HTTPHEADER");

  const CURLcode code = curl_easy_perform(curl);
  curl_slist_free_all(list);
  Check(curl_easy_setopt(curl, CURLOPT_HTTPHEADER, nullptr), "CURLOPT_HTTPHEADER");
  if (code != CURLE_OK) {
    throw std::runtime_error(method + " " + url + " failed: " + curl_easy_strerror(code));
  }
  Check(curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &response.status), "CURLINFO_RESPONSE_CODE");
  if (recorded_) RecordExchange(base_url_, method, path, all, response, response.body.size(), {}, body.value_or(""));
  return response;
}

HttpResponse HttpsClient::PostJson(const std::string& path, const nlohmann::json& body, HeaderList headers) {
  headers.emplace_back("Content-Type", "application/json");
  return Request("POST", path, headers, body.dump());
}

std::string HttpsClient::Escape(const std::string& value) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (const char ch : value) {
    const auto c = static_cast<unsigned char>(ch);
    if (std::isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~') {
      out += ch;
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

}  // namespace gw::e2e
