#include "fcgi/pool/metrics_exposition.hpp"

#include <prometheus/client_metric.h>
#include <prometheus/metric_family.h>
#include <prometheus/text_serializer.h>

#include <algorithm>
#include <map>
#include <sstream>

#include "domain/job_payloads.hpp"

namespace gw::pool {
namespace {

using prometheus::ClientMetric;
using prometheus::MetricFamily;
using prometheus::MetricType;

double Load(const Counter& counter) { return static_cast<double>(counter.load(std::memory_order_relaxed)); }

MetricFamily Family(std::string name, std::string help, MetricType type) {
  return MetricFamily{std::move(name), std::move(help), type, {}};
}

ClientMetric Labelled(std::vector<ClientMetric::Label> labels) {
  ClientMetric metric;
  metric.label = std::move(labels);
  return metric;
}

void AddCounter(MetricFamily& family, std::vector<ClientMetric::Label> labels, double value) {
  ClientMetric metric = Labelled(std::move(labels));
  metric.counter.value = value;
  family.metric.push_back(std::move(metric));
}

void AddGauge(MetricFamily& family, std::vector<ClientMetric::Label> labels, double value) {
  ClientMetric metric = Labelled(std::move(labels));
  metric.gauge.value = value;
  family.metric.push_back(std::move(metric));
}

std::string RouteName(const Scrape& scrape, std::size_t index) {
  if (index == static_cast<std::size_t>(kUnmatchedRoute)) return "unmatched";
  return index < scrape.route_names.size() ? scrape.route_names[index] : "route_" + std::to_string(index);
}

// Routes that exist: the table's, plus "unmatched". Only requests seen get a series, so a
// scrape does not carry thousands of zeros.
std::vector<std::size_t> RouteIndexes(const Scrape& scrape) {
  std::vector<std::size_t> indexes;
  for (std::size_t i = 0; i < std::min<std::size_t>(scrape.route_names.size(), kMaxRoutes); ++i) indexes.push_back(i);
  indexes.push_back(static_cast<std::size_t>(kUnmatchedRoute));
  return indexes;
}

void AddHttp(const Scrape& scrape, std::vector<MetricFamily>& out) {
  const MetricsBlock& block = scrape.metrics.Read();
  auto requests = Family("gw_http_requests_total", "Requests answered by the app, by route, method and status",
                         MetricType::Counter);
  auto latency =
      Family("gw_http_request_duration_seconds", "Time the app took to answer, by route", MetricType::Histogram);
  auto bytes_in =
      Family("gw_http_request_bytes_total", "Request body bytes received by the app, by route", MetricType::Counter);
  auto bytes_out = Family("gw_http_response_bytes_total",
                          "Response body bytes written by the app, by route (files nginx sends after "
                          "X-Accel-Redirect are in nginx's own counts)",
                          MetricType::Counter);
  for (const std::size_t index : RouteIndexes(scrape)) {
    const auto& route = block.routes[index];
    const std::string name = RouteName(scrape, index);
    for (std::size_t m = 0; m < kMethods.size(); ++m) {
      for (std::size_t s = 0; s < kStatuses.size(); ++s) {
        const double count = Load(route.requests[m][s]);
        if (count == 0) continue;
        const std::string status = kStatuses[s] == 0 ? "other" : std::to_string(kStatuses[s]);
        AddCounter(requests, {{"method", std::string(kMethods[m])}, {"route", name}, {"status", status}}, count);
      }
    }
    std::uint64_t cumulative = 0;
    ClientMetric histogram = Labelled({{"route", name}});
    for (std::size_t b = 0; b < route.latency_buckets.size(); ++b) {
      cumulative += route.latency_buckets[b].load(std::memory_order_relaxed);
      const double bound = b < kLatencyBounds.size() ? kLatencyBounds[b] : std::numeric_limits<double>::infinity();
      histogram.histogram.bucket.push_back({cumulative, bound});
    }
    if (cumulative == 0) continue;
    histogram.histogram.sample_count = cumulative;
    histogram.histogram.sample_sum = Load(route.latency_sum_us) / 1e6;
    latency.metric.push_back(std::move(histogram));
    AddCounter(bytes_in, {{"route", name}}, Load(route.bytes_in));
    AddCounter(bytes_out, {{"route", name}}, Load(route.bytes_out));
  }
  auto in_flight = Family("gw_http_requests_in_flight", "Requests the app is answering right now", MetricType::Gauge);
  double busy = 0;
  for (const auto& process : block.processes) {
    if (process.pid.load(std::memory_order_acquire) != 0) busy += process.in_flight.load(std::memory_order_relaxed);
  }
  AddGauge(in_flight, {}, busy);
  for (auto* family : {&requests, &latency, &bytes_in, &bytes_out, &in_flight}) out.push_back(std::move(*family));
}

void AddUploadsAndStorage(const Scrape& scrape, std::vector<MetricFamily>& out) {
  const MetricsBlock& block = scrape.metrics.Read();
  const std::string backend(scrape.backend);
  auto uploads = Family("gw_uploads_total", "Uploads by storage backend and outcome", MetricType::Counter);
  for (std::size_t i = 0; i < kUploadOutcomes.size(); ++i) {
    AddCounter(uploads, {{"backend", backend}, {"outcome", std::string(kUploadOutcomes[i])}}, Load(block.uploads[i]));
  }
  auto upload_bytes =
      Family("gw_upload_bytes_total", "Bytes of uploads stored or queued, by backend", MetricType::Counter);
  AddCounter(upload_bytes, {{"backend", backend}}, Load(block.upload_bytes));
  auto breaker = Family("gw_storage_breaker_state",
                        "Storage circuit breaker: 0 closed, 1 half-open, 2 open (the worst of the pool's processes)",
                        MetricType::Gauge);
  int worst = 0;
  for (const auto& process : block.processes) {
    if (process.pid.load(std::memory_order_acquire) != 0) {
      worst = std::max(worst, static_cast<int>(process.breaker_state.load(std::memory_order_relaxed)));
    }
  }
  AddGauge(breaker, {{"backend", backend}}, worst);
  auto retries = Family("gw_storage_retries_total", "Storage backend calls retried after a transient failure",
                        MetricType::Counter);
  AddCounter(retries, {{"backend", backend}}, Load(block.storage_retries));
  for (auto* family : {&uploads, &upload_bytes, &breaker, &retries}) out.push_back(std::move(*family));
  if (scrape.store_disk) {
    auto free_bytes =
        Family("gw_store_disk_free_bytes", "Bytes available on the content store's filesystem", MetricType::Gauge);
    AddGauge(free_bytes, {}, static_cast<double>(scrape.store_disk->free_bytes));
    auto size_bytes = Family("gw_store_disk_size_bytes", "Size of the content store's filesystem", MetricType::Gauge);
    AddGauge(size_bytes, {}, static_cast<double>(scrape.store_disk->size_bytes));
    out.push_back(std::move(free_bytes));
    out.push_back(std::move(size_bytes));
  }
}

void AddJobs(const Scrape& scrape, std::vector<MetricFamily>& out) {
  if (!scrape.jobs) return;  // the database did not answer: no stale or made-up numbers
  const domain::QueueStats& stats = *scrape.jobs;
  auto jobs = Family("gw_jobs", "Jobs in the queue by type and state", MetricType::Gauge);
  // Every known type in every state, zeros included: a series that appears only once it is
  // non-zero makes rate() and alerts on it blind to its first change.
  std::map<std::pair<std::string, std::string>, std::int64_t> counts;
  for (const auto type : {domain::kUploadJob, domain::kPinJob}) {
    for (const auto state : {"queued", "running", "succeeded", "failed", "dead"})
      counts[{std::string(type), state}] = 0;
  }
  for (const auto& count : stats.by_type_and_state) counts[{count.type, count.state}] = count.count;
  for (const auto& [key, count] : counts) {
    AddGauge(jobs, {{"state", key.second}, {"type", key.first}}, static_cast<double>(count));
  }
  auto depth =
      Family("gw_job_queue_depth", "Jobs waiting to run (queued, or failed and waiting to retry)", MetricType::Gauge);
  AddGauge(depth, {}, static_cast<double>(stats.queued + stats.failed));
  auto oldest = Family("gw_job_queue_oldest_wait_seconds", "How long the longest-waiting runnable job has been due",
                       MetricType::Gauge);
  AddGauge(oldest, {}, stats.oldest_queued_age_seconds);
  out.push_back(std::move(jobs));
  out.push_back(std::move(depth));
  out.push_back(std::move(oldest));
}

void AddPoolAndLimits(const Scrape& scrape, std::vector<MetricFamily>& out) {
  const MetricsBlock& block = scrape.metrics.Read();
  auto limited = Family("gw_rate_limited_total", "Requests refused with 429, by policy", MetricType::Counter);
  for (std::size_t i = 0; i < kLimitPolicies.size(); ++i) {
    AddCounter(limited, {{"policy", std::string(kLimitPolicies[i])}}, Load(block.rate_limited[i]));
  }
  auto store_errors =
      Family("gw_rate_limit_store_errors_total",
             "Failed calls to the shared rate-limit store (Redis); the host's own limit applied", MetricType::Counter);
  AddCounter(store_errors, {}, Load(block.rate_limit_store_errors));
  auto table_full =
      Family("gw_rate_limit_table_full_total",
             "Requests let through because the host's rate-limit table had no free slot", MetricType::Counter);
  AddCounter(table_full, {}, Load(block.rate_limit_table_full));
  auto restarts =
      Family("gw_worker_restarts_total", "Child processes replaced after they exited, by group", MetricType::Counter);
  auto workers = Family("gw_workers", "Child processes alive, by group", MetricType::Gauge);
  std::array<int, kProcessGroups.size()> alive{};
  for (const auto& process : block.processes) {
    const int group = process.group.load(std::memory_order_relaxed);
    if (process.pid.load(std::memory_order_acquire) != 0 && group >= 0 && group < static_cast<int>(alive.size())) {
      ++alive[static_cast<std::size_t>(group)];
    }
  }
  for (std::size_t i = 0; i < kProcessGroups.size(); ++i) {
    AddCounter(restarts, {{"group", std::string(kProcessGroups[i])}}, Load(block.restarts[i]));
    AddGauge(workers, {{"group", std::string(kProcessGroups[i])}}, alive[i]);
  }
  auto connections =
      Family("gw_pg_connections", "The app's PostgreSQL connections (its role), by state", MetricType::Gauge);
  for (const auto& [state, count] : scrape.pg_connections) {
    AddGauge(connections, {{"state", state}}, static_cast<double>(count));
  }
  auto build = Family("gw_build_info", "The running build; always 1", MetricType::Gauge);
  AddGauge(build,
           {{"commit", std::string(scrape.commit)},
            {"storage", std::string(scrape.backend)},
            {"version", std::string(scrape.version)}},
           1);
  for (auto* family : {&limited, &store_errors, &table_full, &restarts, &workers, &connections, &build}) {
    out.push_back(std::move(*family));
  }
}

}  // namespace

std::string RenderPrometheusText(const Scrape& scrape) {
  std::vector<MetricFamily> families;
  AddHttp(scrape, families);
  AddUploadsAndStorage(scrape, families);
  AddJobs(scrape, families);
  AddPoolAndLimits(scrape, families);
  std::ostringstream out;
  prometheus::TextSerializer().Serialize(out, families);
  return out.str();
}

}  // namespace gw::pool
