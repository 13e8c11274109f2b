#include "persistence/mime_type.hpp"

#include <magic.h>

#include "domain/error.hpp"

namespace gw::persistence {
namespace {

using domain::Error;
using domain::ErrorCode;

// A magic_t is not thread-safe: each thread loads its own (once; loading parses the database).
class Magic {
 public:
  Magic() : cookie_(magic_open(MAGIC_MIME_TYPE)) {
    if (cookie_ == nullptr) throw Error(ErrorCode::kInternal, {}, {}, "magic_open failed");
    if (magic_load(cookie_, nullptr) != 0) {
      const std::string reason = magic_error(cookie_) ? magic_error(cookie_) : "unknown error";
      magic_close(cookie_);
      throw Error(ErrorCode::kInternal, {}, {}, "magic_load of the default database failed: " + reason);
    }
  }
  ~Magic() { magic_close(cookie_); }
  Magic(const Magic&) = delete;
  Magic& operator=(const Magic&) = delete;

  std::string Detect(std::span<const std::uint8_t> head) {
    if (head.empty()) return kEmptyContentMimeType;
    const char* type = magic_buffer(cookie_, head.data(), head.size());
    if (type == nullptr) {
      throw Error(ErrorCode::kInternal, {}, {},
                  std::string("magic_buffer failed: ") + (magic_error(cookie_) ? magic_error(cookie_) : "?"));
    }
    return type;
  }

 private:
  magic_t cookie_;
};

}  // namespace

std::string DetectMimeType(std::span<const std::uint8_t> head) {
  thread_local Magic magic;
  return magic.Detect(head);
}

}  // namespace gw::persistence
