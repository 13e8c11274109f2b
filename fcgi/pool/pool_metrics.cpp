#include "fcgi/pool/pool_metrics.hpp"

#include <algorithm>

namespace gw::pool {
namespace {

std::size_t MethodIndex(std::string_view method) {
  const auto it = std::find(kMethods.begin(), kMethods.end() - 1, method);
  return static_cast<std::size_t>(it - kMethods.begin());  // the last entry is "other"
}

std::size_t StatusIndex(int status) {
  const auto it = std::find(kStatuses.begin(), kStatuses.end() - 1, status);
  return static_cast<std::size_t>(it - kStatuses.begin());
}

std::size_t LatencyBucket(std::int64_t latency_us) {
  const double seconds = static_cast<double>(latency_us) / 1e6;
  const auto it = std::lower_bound(kLatencyBounds.begin(), kLatencyBounds.end(), seconds);  // le: upper bound
  return static_cast<std::size_t>(it - kLatencyBounds.begin());
}

}  // namespace

void PoolMetrics::RecordRequest(int route_index, std::string_view method, int status, std::int64_t latency_us,
                                std::uint64_t bytes_in, std::uint64_t bytes_out) {
  const int index = route_index >= 0 && route_index < kMaxRoutes ? route_index : kUnmatchedRoute;
  MetricsBlock::Route& route = block_->routes[static_cast<std::size_t>(index)];
  Add(route.requests[MethodIndex(method)][StatusIndex(status)]);
  latency_us = std::max<std::int64_t>(latency_us, 0);
  Add(route.latency_buckets[LatencyBucket(latency_us)]);
  Add(route.latency_sum_us, static_cast<std::uint64_t>(latency_us));
  if (bytes_in > 0) Add(route.bytes_in, bytes_in);
  if (bytes_out > 0) Add(route.bytes_out, bytes_out);
}

void PoolMetrics::RecordUpload(UploadOutcome outcome, std::uint64_t bytes) {
  Add(block_->uploads[static_cast<std::size_t>(outcome)]);
  if (outcome == UploadOutcome::kStored || outcome == UploadOutcome::kQueued) Add(block_->upload_bytes, bytes);
}

void PoolMetrics::ProcessStarted(int slot, ProcessGroup group, int pid) {
  if (slot < 0 || slot >= kMaxProcesses) return;
  // The gauges were zeroed when the slot's previous process exited; the new child may already
  // be counting into them, so they are not touched here.
  auto& process = block_->processes[static_cast<std::size_t>(slot)];
  process.group.store(static_cast<std::int32_t>(group), std::memory_order_relaxed);
  process.pid.store(pid, std::memory_order_release);
}

void PoolMetrics::ProcessExited(int slot, ProcessGroup group, bool replaced) {
  if (replaced) Add(block_->restarts[static_cast<std::size_t>(group)]);
  if (slot < 0 || slot >= kMaxProcesses) return;
  auto& process = block_->processes[static_cast<std::size_t>(slot)];
  process.pid.store(0, std::memory_order_release);
  process.in_flight.store(0, std::memory_order_relaxed);
  process.breaker_state.store(0, std::memory_order_relaxed);
}

MetricsBlock::Process* PoolMetrics::OwnSlot() const {
  if (own_slot_ < 0 || own_slot_ >= kMaxProcesses) return nullptr;
  return &block_->processes[static_cast<std::size_t>(own_slot_)];
}

void PoolMetrics::AddInFlight(int delta) {
  if (auto* process = OwnSlot()) process->in_flight.fetch_add(delta, std::memory_order_relaxed);
}

void PoolMetrics::SetBreakerState(int state) {
  if (auto* process = OwnSlot()) process->breaker_state.store(state, std::memory_order_relaxed);
}

}  // namespace gw::pool
