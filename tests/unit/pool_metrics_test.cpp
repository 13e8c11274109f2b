#include "fcgi/pool/pool_metrics.hpp"

#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "fcgi/pool/metrics_exposition.hpp"

namespace gw::pool {
namespace {

const std::vector<std::string> kRoutes{"/health", "/retrieve/{cid}"};

std::string Render(const PoolMetrics& metrics, std::optional<domain::QueueStats> jobs = std::nullopt) {
  return RenderPrometheusText(Scrape{
      metrics, kRoutes, "local", "1.2.3", "abc123", std::move(jobs), {{"active", 2}, {"idle", 5}}, DiskSpace{10, 100}});
}

bool Has(const std::string& text, const std::string& line) { return text.find(line + "\n") != std::string::npos; }

TEST(PoolMetrics, CountsRequestsByRouteMethodAndStatus) {
  PoolMetrics metrics;
  metrics.RecordRequest(1, "GET", 200, 300, 0, 1000);
  metrics.RecordRequest(1, "GET", 200, 700, 0, 24);
  metrics.RecordRequest(1, "HEAD", 304, 100, 0, 0);
  metrics.RecordRequest(-1, "BREW", 418, 50, 12, 90);
  const std::string text = Render(metrics);
  EXPECT_TRUE(Has(text, R"(gw_http_requests_total{method="GET",route="/retrieve/{cid}",status="200"} 2)")) << text;
  EXPECT_TRUE(Has(text, R"(gw_http_requests_total{method="HEAD",route="/retrieve/{cid}",status="304"} 1)"));
  EXPECT_TRUE(Has(text, R"(gw_http_requests_total{method="other",route="unmatched",status="other"} 1)"));
  EXPECT_TRUE(Has(text, R"(gw_http_response_bytes_total{route="/retrieve/{cid}"} 1024)"));
  EXPECT_TRUE(Has(text, R"(gw_http_request_bytes_total{route="unmatched"} 12)"));
  EXPECT_EQ(text.find(R"(route="/health")"), std::string::npos) << "routes without requests have no series";
}

TEST(PoolMetrics, LatencyIsACumulativeHistogramInSeconds) {
  PoolMetrics metrics;
  metrics.RecordRequest(0, "GET", 200, 300, 0, 0);         // 0.0003 s: first bucket
  metrics.RecordRequest(0, "GET", 200, 1000, 0, 0);        // exactly 0.001 s: "le" includes it
  metrics.RecordRequest(0, "GET", 200, 20'000'000, 0, 0);  // 20 s: only +Inf
  const std::string text = Render(metrics);
  EXPECT_TRUE(Has(text, R"(gw_http_request_duration_seconds_bucket{route="/health",le="0.0005"} 1)")) << text;
  EXPECT_TRUE(Has(text, R"(gw_http_request_duration_seconds_bucket{route="/health",le="0.001"} 2)"));
  EXPECT_TRUE(Has(text, R"(gw_http_request_duration_seconds_bucket{route="/health",le="10"} 2)"));
  EXPECT_TRUE(Has(text, R"(gw_http_request_duration_seconds_bucket{route="/health",le="+Inf"} 3)"));
  EXPECT_TRUE(Has(text, R"(gw_http_request_duration_seconds_count{route="/health"} 3)"));
  EXPECT_TRUE(Has(text, R"(gw_http_request_duration_seconds_sum{route="/health"} 20.0013)"));
}

TEST(PoolMetrics, ChildProcessesCountIntoTheSameBlock) {
  PoolMetrics metrics;
  std::vector<pid_t> children;
  for (int child = 0; child < 3; ++child) {
    const pid_t pid = fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
      for (int i = 0; i < 1000; ++i) metrics.RecordRequest(0, "GET", 200, 10, 0, 1);
      _exit(0);
    }
    children.push_back(pid);
  }
  for (const pid_t pid : children) waitpid(pid, nullptr, 0);
  EXPECT_TRUE(Has(Render(metrics), R"(gw_http_requests_total{method="GET",route="/health",status="200"} 3000)"));
}

TEST(PoolMetrics, ProcessSlotsGiveGaugesThatForgetDeadProcesses) {
  PoolMetrics metrics;
  metrics.ProcessStarted(0, ProcessGroup::kWorker, 100);
  metrics.ProcessStarted(1, ProcessGroup::kWorker, 101);
  metrics.ProcessStarted(2, ProcessGroup::kJobWorker, 102);
  metrics.SetOwnSlot(1);
  metrics.AddInFlight(1);
  metrics.AddInFlight(1);
  metrics.SetBreakerState(2);
  std::string text = Render(metrics);
  EXPECT_TRUE(Has(text, "gw_http_requests_in_flight 2")) << text;
  EXPECT_TRUE(Has(text, R"(gw_storage_breaker_state{backend="local"} 2)"));
  EXPECT_TRUE(Has(text, R"(gw_workers{group="worker"} 2)"));
  EXPECT_TRUE(Has(text, R"(gw_workers{group="job-worker"} 1)"));
  // Slot 1 dies mid-request and is replaced: its requests and its open breaker go with it.
  metrics.ProcessExited(1, ProcessGroup::kWorker, /*replaced=*/true);
  text = Render(metrics);
  EXPECT_TRUE(Has(text, "gw_http_requests_in_flight 0"));
  EXPECT_TRUE(Has(text, R"(gw_storage_breaker_state{backend="local"} 0)"));
  EXPECT_TRUE(Has(text, R"(gw_worker_restarts_total{group="worker"} 1)"));
  EXPECT_TRUE(Has(text, R"(gw_workers{group="worker"} 1)"));
  metrics.ProcessExited(2, ProcessGroup::kJobWorker, /*replaced=*/false);  // a stop is no restart
  EXPECT_TRUE(Has(Render(metrics), R"(gw_worker_restarts_total{group="job-worker"} 0)"));
}

TEST(PoolMetrics, ReportsUploadsLimitsJobsConnectionsDiskAndBuild) {
  PoolMetrics metrics;
  metrics.RecordUpload(UploadOutcome::kStored, 100);
  metrics.RecordUpload(UploadOutcome::kQueued, 50);
  metrics.RecordUpload(UploadOutcome::kRejected, 7);
  metrics.RecordRateLimited(LimitPolicy::kIp);
  metrics.RecordStorageRetry();
  domain::QueueStats jobs;
  jobs.queued = 3;
  jobs.failed = 1;
  jobs.oldest_queued_age_seconds = 12.5;
  jobs.by_type_and_state = {{"upload", "queued", 3}, {"pin", "failed", 1}};
  const std::string text = Render(metrics, jobs);
  EXPECT_TRUE(Has(text, R"(gw_uploads_total{backend="local",outcome="stored"} 1)")) << text;
  EXPECT_TRUE(Has(text, R"(gw_uploads_total{backend="local",outcome="rejected"} 1)"));
  EXPECT_TRUE(Has(text, R"(gw_upload_bytes_total{backend="local"} 150)"));
  EXPECT_TRUE(Has(text, R"(gw_rate_limited_total{policy="ip"} 1)"));
  EXPECT_TRUE(Has(text, R"(gw_storage_retries_total{backend="local"} 1)"));
  EXPECT_TRUE(Has(text, R"(gw_jobs{state="queued",type="upload"} 3)"));
  EXPECT_TRUE(Has(text, "gw_job_queue_depth 4"));
  EXPECT_TRUE(Has(text, "gw_job_queue_oldest_wait_seconds 12.5"));
  EXPECT_TRUE(Has(text, R"(gw_pg_connections{state="idle"} 5)"));
  EXPECT_TRUE(Has(text, "gw_store_disk_free_bytes 10"));
  EXPECT_TRUE(Has(text, R"(gw_build_info{commit="abc123",storage="local",version="1.2.3"} 1)"));
  EXPECT_EQ(Render(metrics).find("gw_job_queue_depth"), std::string::npos)
      << "without an answer from the database the job series are left out, not zero";
}

}  // namespace
}  // namespace gw::pool
