// GET /metrics: the whole pool's metrics in the Prometheus text format. nginx lets only
// loopback and the operations network reach it (nginx.conf, GW_METRICS_ALLOW).
#include <sys/statvfs.h>

#include "domain/error.hpp"
#include "fcgi/http/context.hpp"
#include "fcgi/http/handlers/handlers.hpp"
#include "fcgi/pool/metrics_exposition.hpp"

namespace gw::web::handlers {
namespace {

std::optional<pool::DiskSpace> DiskSpaceOf(const std::string& path) {
  struct statvfs stats {};
  if (path.empty() || statvfs(path.c_str(), &stats) != 0) return std::nullopt;
  return pool::DiskSpace{static_cast<std::uint64_t>(stats.f_bavail) * stats.f_frsize,
                         static_cast<std::uint64_t>(stats.f_blocks) * stats.f_frsize};
}

}  // namespace

Handler GetMetrics(const MetricsEndpoint& endpoint, const Router& router) {
  return [&endpoint, &router](Request&, Context& context) {
    // What the database knows is read now; when it does not answer, those series are left out
    // (an alert on the database itself fires instead) rather than the scrape failing.
    std::optional<domain::QueueStats> jobs;
    std::vector<std::pair<std::string, std::int64_t>> connections;
    try {
      jobs = context.jobs.Stats();
      if (context.database_connections) connections = context.database_connections();
    } catch (const domain::Error&) {
    }
    const pool::Scrape scrape{
        *endpoint.metrics, router.Patterns(), endpoint.backend,       endpoint.version,
        endpoint.commit,   std::move(jobs),   std::move(connections), DiskSpaceOf(endpoint.store_dir)};
    Response response;
    response.content_type = std::string(pool::kPrometheusContentType);
    response.body = pool::RenderPrometheusText(scrape);
    response.SetHeader("Cache-Control", "no-store");
    return response;
  };
}

}  // namespace gw::web::handlers
