#include "domain/email.hpp"

#include <algorithm>
#include <cctype>

#include "domain/error.hpp"

namespace gw::domain {
namespace {

constexpr std::size_t kMaxEmailLength = 254;  // RFC 5321 path limit minus the angle brackets
constexpr std::size_t kMaxLocalLength = 64;
constexpr std::size_t kMaxLabelLength = 63;

bool IsAtext(char c) {
  if (std::isalnum(static_cast<unsigned char>(c))) return true;
  constexpr std::string_view kSpecials = "!#$%&'*+-/=?^_`{|}~";
  return kSpecials.find(c) != std::string_view::npos;
}

bool IsValidLocalPart(std::string_view local) {
  if (local.empty() || local.size() > kMaxLocalLength) return false;
  if (local.front() == '.' || local.back() == '.') return false;
  for (std::size_t i = 0; i < local.size(); ++i) {
    const char c = local[i];
    if (c == '.') {
      if (local[i + 1] == '.') return false;  // safe: back() is not '.'
      continue;
    }
    if (!IsAtext(c)) return false;
  }
  return true;
}

bool IsValidLabel(std::string_view label) {
  if (label.empty() || label.size() > kMaxLabelLength) return false;
  if (label.front() == '-' || label.back() == '-') return false;
  return std::all_of(label.begin(), label.end(),
                     [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '-'; });
}

bool IsValidDomain(std::string_view domain) {
  if (domain.empty() || domain.find('.') == std::string_view::npos) return false;
  std::size_t start = 0;
  std::string_view last;
  while (true) {
    const std::size_t dot = domain.find('.', start);
    const std::string_view label = domain.substr(start, dot == std::string_view::npos ? dot : dot - start);
    if (!IsValidLabel(label)) return false;
    last = label;
    if (dot == std::string_view::npos) break;
    start = dot + 1;
  }
  // A top-level domain is never all digits; that shape is an IP address typed by mistake.
  return last.size() >= 2 &&
         !std::all_of(last.begin(), last.end(), [](char c) { return std::isdigit(static_cast<unsigned char>(c)); });
}

std::string_view Trim(std::string_view s) {
  const auto is_space = [](char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; };
  while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_space(s.back())) s.remove_suffix(1);
  return s;
}

}  // namespace

std::optional<std::string> NormalizeEmail(std::string_view raw) {
  const std::string_view trimmed = Trim(raw);
  if (trimmed.empty() || trimmed.size() > kMaxEmailLength) return std::nullopt;
  const std::size_t at = trimmed.rfind('@');
  if (at == std::string_view::npos || trimmed.find('@') != at) return std::nullopt;
  std::string email(trimmed);
  std::transform(email.begin(), email.end(), email.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  const std::string_view view = email;
  if (!IsValidLocalPart(view.substr(0, at)) || !IsValidDomain(view.substr(at + 1))) {
    return std::nullopt;
  }
  return email;
}

std::string RequireValidEmail(std::string_view raw, std::string_view field) {
  auto email = NormalizeEmail(raw);
  if (!email) {
    throw FieldError(std::string(field), "'" + std::string(field) + "' is not a valid email address");
  }
  return *std::move(email);
}

}  // namespace gw::domain
