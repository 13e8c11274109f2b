#pragma once
/// @file Method + path routing with {name} path parameters.

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "fcgi/http/http_request.hpp"
#include "fcgi/http/http_response.hpp"

namespace gw::web {

struct Context;  // per-thread resources, see context.hpp

using Handler = std::function<Response(Request&, Context&)>;

class Router {
 public:
  /// Registers `handler` for `method` and `pattern`, e.g. "/tasks/{id}/status". A segment in
  /// braces matches one non-empty path segment. GET routes answer HEAD too.
  void Add(std::string method, std::string pattern, Handler handler);

  struct Match {
    const Handler* handler = nullptr;  //!< null when nothing matched
    std::string_view pattern;
    int pattern_index = -1;  //!< see Patterns()
    NameValues path_params;
    std::string allowed_methods;  //!< set when the path matched but the method did not
  };
  Match Find(std::string_view method, std::string_view path) const;

  /// Every distinct pattern in the order first added; a match's pattern_index points here (the
  /// metrics count requests per pattern, identically in every worker process).
  const std::vector<std::string>& Patterns() const { return patterns_; }

 private:
  struct Route {
    std::string method;
    std::string pattern;
    std::vector<std::string> segments;
    Handler handler;
    int pattern_index = 0;
  };
  std::vector<Route> routes_;
  std::vector<std::string> patterns_;
};

/// Splits "/a/b/" into {"a", "b"}; an empty path or "/" gives no segments.
std::vector<std::string_view> SplitPath(std::string_view path);

}  // namespace gw::web
