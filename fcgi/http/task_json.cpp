#include "fcgi/http/task_json.hpp"

#include <nlohmann/json.hpp>

namespace gw::web {
namespace {

nlohmann::json OrNull(const std::optional<std::string>& value) {
  return value ? nlohmann::json(*value) : nlohmann::json(nullptr);
}

nlohmann::json ErrorObject(const domain::Job& job) {
  return {{"code", job.error_code.value_or("internal_error")}, {"message", job.error_message.value_or("")}};
}

}  // namespace

nlohmann::json TaskToJson(const domain::Job& job) {
  nlohmann::json task{
      {"task_id", job.id},
      {"type", job.type},
      {"state", domain::TaskStateName(job.state)},
      {"progress",
       {{"done", job.progress_done},
        {"total", job.progress_total ? nlohmann::json(*job.progress_total) : nlohmann::json(nullptr)}}},
      {"attempts", job.attempts},
      {"max_attempts", job.max_attempts},
      {"created_at", job.created_at},
      {"updated_at", job.updated_at},
      {"finished_at", OrNull(job.finished_at)},
  };
  if (job.state == domain::JobState::kSucceeded) {
    // The result was written by our own job handler as JSON; a row edited by hand into
    // something else is shown as null rather than failing the status request.
    task["result"] = job.result_json ? nlohmann::json::parse(*job.result_json, nullptr, false) : nullptr;
    if (task["result"].is_discarded()) task["result"] = nullptr;
  } else if (job.state == domain::JobState::kDead) {
    task["error"] = ErrorObject(job);
  } else if (job.error_code) {
    task["last_error"] = ErrorObject(job);
  }
  return task;
}

std::string TaskStatusUrl(std::string_view task_id) { return "/tasks/" + std::string(task_id) + "/status"; }

Response TaskAccepted(std::string_view message, std::string_view task_id, const nlohmann::json& extra) {
  nlohmann::json data{{"task_id", task_id}, {"status_url", TaskStatusUrl(task_id)}, {"state", "queued"}};
  data.update(extra);
  Response response = JsonSuccess(202, message, data);
  response.SetHeader("Location", TaskStatusUrl(task_id));
  return response;
}

}  // namespace gw::web
