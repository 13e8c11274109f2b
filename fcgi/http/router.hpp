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
    NameValues path_params;
    std::string allowed_methods;  //!< set when the path matched but the method did not
  };
  Match Find(std::string_view method, std::string_view path) const;

 private:
  struct Route {
    std::string method;
    std::string pattern;
    std::vector<std::string> segments;
    Handler handler;
  };
  std::vector<Route> routes_;
};

/// Splits "/a/b/" into {"a", "b"}; an empty path or "/" gives no segments.
std::vector<std::string_view> SplitPath(std::string_view path);

}  // namespace gw::web
