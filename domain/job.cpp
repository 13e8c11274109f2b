#include "domain/job.hpp"

#include <algorithm>
#include <array>

#include "domain/error.hpp"

namespace gw::domain {
namespace {

constexpr std::array<std::pair<JobState, std::string_view>, 5> kStateNames{{
    {JobState::kQueued, "queued"},
    {JobState::kRunning, "running"},
    {JobState::kSucceeded, "succeeded"},
    {JobState::kFailed, "failed"},
    {JobState::kDead, "dead"},
}};

bool IsHex(char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }

}  // namespace

std::string_view ToString(JobState state) {
  for (const auto& [value, name] : kStateNames) {
    if (value == state) return name;
  }
  return "unknown";
}

std::optional<JobState> ParseJobState(std::string_view text) {
  for (const auto& [value, name] : kStateNames) {
    if (name == text) return value;
  }
  return std::nullopt;
}

bool IsJobId(std::string_view text) {
  if (text.size() != 36) return false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const bool dash = i == 8 || i == 13 || i == 18 || i == 23;
    if (dash ? text[i] != '-' : !IsHex(text[i])) return false;
  }
  return true;
}

std::chrono::milliseconds BackoffDelay(const RetryPolicy& policy, int attempt, double jitter01) {
  const std::int64_t max_delay = std::max<std::int64_t>(0, policy.max_delay.count());
  // Doubling stops at the cap, so a huge attempt number cannot overflow.
  std::int64_t cap = std::clamp<std::int64_t>(policy.base_delay.count(), 0, max_delay);
  for (int i = 1; i < attempt && cap < max_delay; ++i) cap = std::min(cap * 2, max_delay);
  // NaN fails both comparisons and ends up 0 too.
  const double jitter = jitter01 >= 0.0 && jitter01 < 1.0 ? jitter01 : (jitter01 >= 1.0 ? 1.0 : 0.0);
  const std::int64_t half = cap / 2;
  return std::chrono::milliseconds(half + static_cast<std::int64_t>(static_cast<double>(cap - half) * jitter));
}

std::string_view TaskStateName(JobState state) {
  switch (state) {
    case JobState::kQueued:
    case JobState::kFailed: return "queued";
    case JobState::kRunning: return "running";
    case JobState::kSucceeded: return "succeeded";
    case JobState::kDead: return "failed";
  }
  return "queued";
}

std::optional<std::vector<JobState>> JobStatesForTaskState(std::string_view name) {
  if (name == "queued") return std::vector<JobState>{JobState::kQueued, JobState::kFailed};
  if (name == "running") return std::vector<JobState>{JobState::kRunning};
  if (name == "succeeded") return std::vector<JobState>{JobState::kSucceeded};
  if (name == "failed") return std::vector<JobState>{JobState::kDead};
  return std::nullopt;
}

Job FindTask(JobQueue& queue, const Principal& caller, std::string_view id) {
  const Error not_found(ErrorCode::kNotFound, "No task with this id exists for this API key");
  if (!IsJobId(id)) throw not_found;
  auto job = queue.Find(id);
  if (!job || (job->user_id != caller.user_id && !caller.is_admin)) throw not_found;
  return *std::move(job);
}

Page<Job> ListTasks(JobQueue& queue, const Principal& caller, const std::optional<std::string>& state, int page,
                    int limit) {
  std::vector<JobState> states;
  if (state) {
    auto mapped = JobStatesForTaskState(*state);
    if (!mapped) {
      throw Error(ErrorCode::kInvalidQuery, "'state' must be one of queued, running, succeeded, failed",
                  {{"parameter", "state"}});
    }
    states = std::move(*mapped);
  }
  return queue.List(caller.user_id, states, page, limit);
}

}  // namespace gw::domain
