#include "persistence/openssl_random.hpp"

#include <openssl/err.h>
#include <openssl/rand.h>

#include <algorithm>
#include <climits>
#include <string>

#include "domain/error.hpp"

namespace gw::persistence {

void OpenSslRandom::Fill(std::span<unsigned char> out) {
  // RAND_bytes takes an int length; fill in chunks so a huge span cannot overflow it.
  while (!out.empty()) {
    const std::size_t chunk = std::min<std::size_t>(out.size(), INT_MAX);
    if (RAND_bytes(out.data(), static_cast<int>(chunk)) != 1) {
      throw domain::Error(domain::ErrorCode::kInternal, {}, {},
                          "RAND_bytes failed: error " + std::to_string(ERR_get_error()));
    }
    out = out.subspan(chunk);
  }
}

}  // namespace gw::persistence
