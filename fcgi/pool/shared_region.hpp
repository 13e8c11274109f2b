#pragma once
/// @file Memory shared by the supervisor and every process it forks.
///
/// An anonymous MAP_SHARED mapping made before the first fork is inherited by every child, and
/// by every replacement child, at the same address: counters kept in it survive a worker being
/// replaced and add up across the pool without any process collecting them. Only lock-free
/// atomics live in it, so a process killed in the middle of an update cannot leave a lock held.

#include <cstddef>
#include <new>
#include <type_traits>

namespace gw::pool {

class SharedRegion {
 public:
  /// Maps `bytes` of zeroed shared memory; throws std::system_error when the kernel refuses.
  explicit SharedRegion(std::size_t bytes);
  ~SharedRegion();
  SharedRegion(const SharedRegion&) = delete;
  SharedRegion& operator=(const SharedRegion&) = delete;

  void* Data() const { return data_; }
  std::size_t Size() const { return size_; }

 private:
  void* data_ = nullptr;
  std::size_t size_ = 0;
};

/// A T constructed in its own shared region. T must be made of lock-free atomics and plain
/// values only (it is shared between processes, where a mutex's owner may die).
template <typename T>
class Shared {
  static_assert(std::is_standard_layout_v<T>, "shared-memory types must be standard layout");

 public:
  Shared() : region_(sizeof(T)), value_(new (region_.Data()) T()) {}
  T& operator*() const { return *value_; }
  T* operator->() const { return value_; }

 private:
  SharedRegion region_;
  T* value_;
};

}  // namespace gw::pool
