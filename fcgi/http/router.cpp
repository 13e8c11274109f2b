#include "fcgi/http/router.hpp"

#include <algorithm>

namespace gw::web {
namespace {

bool IsParameter(std::string_view segment) {
  return segment.size() > 2 && segment.front() == '{' && segment.back() == '}';
}

bool MatchSegments(const std::vector<std::string>& pattern, const std::vector<std::string_view>& path,
                   NameValues* params) {
  if (pattern.size() != path.size()) return false;
  for (std::size_t i = 0; i < pattern.size(); ++i) {
    if (IsParameter(pattern[i])) {
      if (params) params->emplace_back(pattern[i].substr(1, pattern[i].size() - 2), std::string(path[i]));
    } else if (pattern[i] != path[i]) {
      return false;
    }
  }
  return true;
}

}  // namespace

std::vector<std::string_view> SplitPath(std::string_view path) {
  std::vector<std::string_view> segments;
  std::size_t start = 0;
  while (start <= path.size()) {
    const std::size_t slash = path.find('/', start);
    const std::size_t end = slash == std::string_view::npos ? path.size() : slash;
    if (end > start) segments.push_back(path.substr(start, end - start));
    if (slash == std::string_view::npos) break;
    start = slash + 1;
  }
  return segments;
}

void Router::Add(std::string method, std::string pattern, Handler handler) {
  std::vector<std::string> segments;
  for (const auto segment : SplitPath(pattern)) segments.emplace_back(segment);
  auto known = std::find(patterns_.begin(), patterns_.end(), pattern);
  if (known == patterns_.end()) known = patterns_.insert(patterns_.end(), pattern);
  const auto index = static_cast<int>(known - patterns_.begin());
  routes_.push_back(Route{std::move(method), std::move(pattern), std::move(segments), std::move(handler), index});
}

Router::Match Router::Find(std::string_view method, std::string_view path) const {
  const auto segments = SplitPath(path);
  const std::string_view effective = method == "HEAD" ? std::string_view("GET") : method;
  Match match;
  for (const auto& route : routes_) {
    if (route.method != effective) continue;
    NameValues params;
    if (MatchSegments(route.segments, segments, &params)) {
      match.handler = &route.handler;
      match.pattern = route.pattern;
      match.pattern_index = route.pattern_index;
      match.path_params = std::move(params);
      return match;
    }
  }
  for (const auto& route : routes_) {
    if (!MatchSegments(route.segments, segments, nullptr)) continue;
    if (!match.allowed_methods.empty()) match.allowed_methods += ", ";
    match.allowed_methods += route.method;
    if (route.method == "GET") match.allowed_methods += ", HEAD";
  }
  return match;
}

}  // namespace gw::web
