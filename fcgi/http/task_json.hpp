#pragma once
/// @file JSON form of a task (a job as its owner sees it), and the 202 answer that starts one.

#include <nlohmann/json_fwd.hpp>

#include <string>
#include <string_view>

#include "domain/job.hpp"
#include "fcgi/http/http_response.hpp"

namespace gw::web {

/// {task_id, type, state, progress: {done, total}, attempts, max_attempts, created_at,
/// updated_at, finished_at, result | error | last_error}: `result` once succeeded, `error` once
/// failed for good, `last_error` while a failed attempt waits for its retry.
nlohmann::json TaskToJson(const domain::Job& job);

/// The path of a task's status resource.
std::string TaskStatusUrl(std::string_view task_id);

/// 202 with {task_id, status_url, state: "queued"} merged with `extra`, and a Location header
/// naming the status resource.
Response TaskAccepted(std::string_view message, std::string_view task_id, const nlohmann::json& extra);

}  // namespace gw::web
