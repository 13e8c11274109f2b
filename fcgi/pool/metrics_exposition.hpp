#pragma once
/// @file The pool's metrics in the Prometheus text format (prometheus-cpp's types and serializer).

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "domain/job.hpp"
#include "fcgi/pool/pool_metrics.hpp"

namespace gw::pool {

struct DiskSpace {
  std::uint64_t free_bytes = 0;  //!< available to the service (statvfs f_bavail)
  std::uint64_t size_bytes = 0;
};

/// Everything one scrape reports: the shared counters plus what is read at scrape time.
struct Scrape {
  const PoolMetrics& metrics;
  const std::vector<std::string>& route_names;  //!< index in the route table -> pattern
  std::string_view backend;                     //!< "local" or "filebase"
  std::string_view version;
  std::string_view commit;
  std::optional<domain::QueueStats> jobs;                            //!< nullopt when the database did not answer
  std::vector<std::pair<std::string, std::int64_t>> pg_connections;  //!< by pg_stat_activity state
  std::optional<DiskSpace> store_disk;
};

/// The text exposition format, version 0.0.4.
std::string RenderPrometheusText(const Scrape& scrape);

/// The content type of that format.
inline constexpr std::string_view kPrometheusContentType = "text/plain; version=0.0.4; charset=utf-8";

}  // namespace gw::pool
