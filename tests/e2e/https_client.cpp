#include "https_client.hpp"

#include <curl/curl.h>

#include <algorithm>
#include <cctype>
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

}  // namespace

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
