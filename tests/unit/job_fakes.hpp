// In-memory stand-ins for the job and content ports, for unit tests of the code that uses
// them (the real PostgreSQL queue is tested in tests/integration). They record every call.
#pragma once

#include <map>
#include <stdexcept>
#include <string>
#include <vector>

#include "domain/content.hpp"
#include "domain/job.hpp"

namespace gw::test {

/// Keeps jobs in a map; reports return `accept_reports` (false: as if the lease was lost), or
/// throw when `throw_reports` is set (as if the database were down). Reports also remember the
/// worker id, lease, retry policy and jitter they were given.
class MemoryJobQueue final : public domain::JobQueue {
 public:
  std::string Enqueue(std::string_view type, std::optional<domain::UserId> user, std::string_view payload,
                      int max_attempts) override {
    domain::Job job;
    job.id = "00000000-0000-4000-8000-" + std::string(12 - std::to_string(jobs.size() + 1).size(), '0') +
             std::to_string(jobs.size() + 1);
    job.type = type;
    job.user_id = user;
    job.payload_json = payload;
    job.max_attempts = max_attempts;
    jobs[job.id] = job;
    calls.push_back("enqueue " + job.id);
    return job.id;
  }
  std::optional<domain::Job> Claim(std::string_view, std::chrono::milliseconds,
                                   const std::vector<std::string>&) override {
    calls.push_back("claim");
    return std::nullopt;
  }
  bool Heartbeat(std::string_view id, std::string_view worker, std::chrono::milliseconds lease,
                 std::optional<std::int64_t> done, std::optional<std::int64_t> total) override {
    last_lease = lease;
    return Report(worker, "heartbeat " + std::string(id) + " " + std::to_string(done.value_or(-2)) + "/" +
                              std::to_string(total.value_or(-2)));
  }
  bool Complete(std::string_view id, std::string_view worker, const std::optional<std::string>& result,
                std::optional<std::int64_t> done, std::optional<std::int64_t> total) override {
    last_complete_progress = std::to_string(done.value_or(-2)) + "/" + std::to_string(total.value_or(-2));
    return Report(worker, "complete " + std::string(id) + " " + result.value_or("null"));
  }
  bool Fail(std::string_view id, std::string_view worker, std::string_view code, std::string_view message,
            const domain::RetryPolicy& policy, double jitter01) override {
    last_retry = policy;
    last_jitter = jitter01;
    return Report(worker, "fail " + std::string(id) + " " + std::string(code) + " " + std::string(message));
  }
  bool Bury(std::string_view id, std::string_view worker, std::string_view code, std::string_view message) override {
    return Report(worker, "bury " + std::string(id) + " " + std::string(code) + " " + std::string(message));
  }
  bool Release(std::string_view id, std::string_view worker) override {
    return Report(worker, "release " + std::string(id));
  }
  bool Postpone(std::string_view id, std::string_view worker, std::string_view code, std::string_view message,
                std::chrono::milliseconds delay) override {
    return Report(worker, "postpone " + std::string(id) + " " + std::string(code) + " " + std::string(message) + " " +
                              std::to_string(delay.count()) + "ms");
  }
  int ReclaimOrphans(std::string_view) override { return 0; }
  std::optional<domain::Job> Find(std::string_view id) override {
    calls.push_back("find " + std::string(id));
    const auto it = jobs.find(std::string(id));
    return it == jobs.end() ? std::nullopt : std::optional<domain::Job>(it->second);
  }
  domain::Page<domain::Job> List(domain::UserId user, const std::vector<domain::JobState>& states, int page,
                                 int limit) override {
    calls.push_back("list " + std::to_string(user) + " " + std::to_string(page) + " " + std::to_string(limit));
    last_list_states = states;
    domain::Page<domain::Job> result{.items = {}, .total = 0, .page = page, .limit = limit};
    for (const auto& [id, job] : jobs) {
      if (job.user_id == user) result.items.push_back(job);
    }
    result.total = static_cast<std::int64_t>(result.items.size());
    return result;
  }
  domain::QueueStats Stats() override { return {}; }
  bool Retry(std::string_view) override { return false; }

  std::map<std::string, domain::Job> jobs;
  std::vector<std::string> calls;
  std::vector<domain::JobState> last_list_states;
  bool accept_reports = true;
  bool throw_reports = false;
  std::string last_worker;
  std::string last_complete_progress;  //!< "done/total" of the last Complete; -2 stands for nullopt
  std::chrono::milliseconds last_lease{0};
  domain::RetryPolicy last_retry;
  double last_jitter = -1;

 private:
  bool Report(std::string_view worker, std::string call) {
    last_worker = worker;
    calls.push_back(std::move(call));
    if (throw_reports) throw std::runtime_error("database connection lost");
    return accept_reports;
  }
};

}  // namespace gw::test
