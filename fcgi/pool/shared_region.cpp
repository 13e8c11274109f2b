#include "fcgi/pool/shared_region.hpp"

#include <sys/mman.h>

#include <cerrno>
#include <system_error>

namespace gw::pool {

SharedRegion::SharedRegion(std::size_t bytes) : size_(bytes) {
  void* mapped = mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
  if (mapped == MAP_FAILED) throw std::system_error(errno, std::generic_category(), "mmap of shared memory");
  data_ = mapped;  // anonymous mappings start zeroed
}

SharedRegion::~SharedRegion() {
  if (data_ != nullptr) munmap(data_, size_);
}

}  // namespace gw::pool
