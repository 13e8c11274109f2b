#include "domain/rate_limit.hpp"

#include <algorithm>

namespace gw::domain {
namespace {

// 128-bit intermediate products: GCC's __int128 (the extension keyword keeps -Wpedantic quiet).
__extension__ typedef __int128 Wide;

// cost * period / count without overflow or the rounding of a per-unit interval: a budget of
// 100 GiB/day has an emission interval of 804.6 ns per byte, which must not round to 804.
std::int64_t Interval(const RateLimit& limit, std::int64_t units) {
  const auto product = static_cast<Wide>(units) * limit.period.count();
  return static_cast<std::int64_t>(product / limit.count);
}

}  // namespace

GcraStep Gcra(const RateLimit& limit, std::int64_t tat_ns, std::int64_t now_ns, std::int64_t cost) {
  if (limit.Unlimited()) return {{true, limit.burst, {}, {}}, tat_ns};
  cost = std::max<std::int64_t>(cost, 0);
  const std::int64_t capacity = Interval(limit, limit.burst);  // a full bucket, in time
  const std::int64_t tat = std::max(tat_ns, now_ns);
  const std::int64_t new_tat = tat + Interval(limit, cost);
  const std::int64_t ahead = new_tat - now_ns;  // how far the bucket would be drained
  if (cost > limit.burst || ahead > capacity) {
    const std::int64_t used = tat - now_ns;
    const auto remaining =
        static_cast<std::int64_t>((static_cast<Wide>(capacity - used) * limit.count) / limit.period.count());
    const std::int64_t wait = cost > limit.burst ? capacity : ahead - capacity;
    return {{false, std::clamp<std::int64_t>(remaining, 0, limit.burst), std::chrono::nanoseconds(wait),
             std::chrono::nanoseconds(used)},
            tat_ns};
  }
  const auto remaining =
      static_cast<std::int64_t>((static_cast<Wide>(capacity - ahead) * limit.count) / limit.period.count());
  return {{true, std::clamp<std::int64_t>(remaining, 0, limit.burst), std::chrono::nanoseconds(0),
           std::chrono::nanoseconds(ahead)},
          new_tat};
}

}  // namespace gw::domain
