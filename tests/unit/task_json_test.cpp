// The JSON a task's owner sees (GET /tasks/{id}/status, GET /tasks) and the 202 that starts a
// task. Clients poll on these fields, so their presence and null-ness are part of the API.
#include "fcgi/http/task_json.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace gw::web {
namespace {

using domain::Job;
using domain::JobState;
using nlohmann::json;

Job AJob(JobState state) {
  Job job;
  job.id = "0b7e4a3c-1f2d-4e5f-8a9b-0c1d2e3f4a5b";
  job.type = "upload";
  job.user_id = 7;
  job.payload_json = R"({"spool":"secret-spool-name","client_address":"203.0.113.77"})";
  job.state = state;
  job.attempts = 1;
  job.max_attempts = 5;
  job.created_at = "2026-01-02T03:04:05Z";
  job.updated_at = "2026-01-02T03:04:06Z";
  job.run_after = "2026-01-02T03:04:05Z";
  return job;
}

std::string HeaderOf(const Response& response, std::string_view name) {
  for (const auto& [key, value] : response.headers) {
    if (key == name) return value;
  }
  return "<none>";
}

TEST(TaskToJson, AQueuedTaskHasEveryFieldAndNoOutcome) {
  const json task = TaskToJson(AJob(JobState::kQueued));
  EXPECT_EQ(task.at("task_id"), "0b7e4a3c-1f2d-4e5f-8a9b-0c1d2e3f4a5b");
  EXPECT_EQ(task.at("type"), "upload");
  EXPECT_EQ(task.at("state"), "queued");
  EXPECT_EQ(task.at("attempts"), 1);
  EXPECT_EQ(task.at("max_attempts"), 5);
  EXPECT_EQ(task.at("created_at"), "2026-01-02T03:04:05Z");
  EXPECT_EQ(task.at("updated_at"), "2026-01-02T03:04:06Z");
  // Present but null, so that clients can rely on the keys.
  EXPECT_TRUE(task.at("finished_at").is_null());
  EXPECT_EQ(task.at("progress").at("done"), 0);
  EXPECT_TRUE(task.at("progress").at("total").is_null());
  for (const char* absent : {"result", "error", "last_error"}) EXPECT_FALSE(task.contains(absent)) << absent;
}

TEST(TaskToJson, NeverShowsThePayload) {
  // The payload holds the spool file name and the client address: internal, not the API's.
  const std::string text = TaskToJson(AJob(JobState::kRunning)).dump();
  EXPECT_EQ(text.find("secret-spool-name"), std::string::npos);
  EXPECT_EQ(text.find("203.0.113.77"), std::string::npos);
  EXPECT_EQ(text.find("payload"), std::string::npos);
}

TEST(TaskToJson, ARunningTaskShowsItsProgress) {
  Job job = AJob(JobState::kRunning);
  job.progress_done = 400;
  job.progress_total = 1000;
  const json task = TaskToJson(job);
  EXPECT_EQ(task.at("state"), "running");
  EXPECT_EQ(task.at("progress"), (json{{"done", 400}, {"total", 1000}}));
}

TEST(TaskToJson, ASucceededTaskCarriesItsResultAsJson) {
  Job job = AJob(JobState::kSucceeded);
  job.result_json = R"({"cid":"bafkqaaa","size":3})";
  job.finished_at = "2026-01-02T03:05:00Z";
  const json task = TaskToJson(job);
  EXPECT_EQ(task.at("state"), "succeeded");
  EXPECT_EQ(task.at("result"), (json{{"cid", "bafkqaaa"}, {"size", 3}}));  // an object, not a string
  EXPECT_EQ(task.at("finished_at"), "2026-01-02T03:05:00Z");
  EXPECT_FALSE(task.contains("error"));
}

TEST(TaskToJson, AMissingOrUnparsableResultIsNullRatherThanAnError) {
  // A hand-edited row must not turn every status request for it into a 500.
  Job job = AJob(JobState::kSucceeded);
  EXPECT_TRUE(TaskToJson(job).at("result").is_null());
  job.result_json = "{not json";
  json task;
  ASSERT_NO_THROW(task = TaskToJson(job));
  EXPECT_TRUE(task.at("result").is_null());
}

TEST(TaskToJson, ADeadTaskHasFailedWithItsError) {
  Job job = AJob(JobState::kDead);
  job.error_code = "content_not_found";
  job.error_message = "No content with this CID is stored for this key";
  job.finished_at = "2026-01-02T03:05:00Z";
  const json task = TaskToJson(job);
  EXPECT_EQ(task.at("state"), "failed");
  EXPECT_EQ(task.at("error"),
            (json{{"code", "content_not_found"}, {"message", "No content with this CID is stored for this key"}}));
  EXPECT_FALSE(task.contains("last_error"));
  EXPECT_FALSE(task.contains("result"));
}

TEST(TaskToJson, ADeadTaskWithoutARecordedErrorStillHasAnErrorCode) {
  // Clients branch on error.code: it must never be null for a failed task.
  const json task = TaskToJson(AJob(JobState::kDead));
  EXPECT_EQ(task.at("error").at("code"), "internal_error");
  EXPECT_TRUE(task.at("error").at("message").is_string());
}

TEST(TaskToJson, AFailedAttemptWaitingForItsRetryIsQueuedWithItsLastError) {
  Job job = AJob(JobState::kFailed);
  job.attempts = 2;
  job.error_code = "database_unavailable";
  job.error_message = "The database is unavailable, try again shortly";
  const json task = TaskToJson(job);
  EXPECT_EQ(task.at("state"), "queued");
  EXPECT_EQ(task.at("last_error").at("code"), "database_unavailable");
  EXPECT_FALSE(task.contains("error"));  // "error" means it will not run again
  EXPECT_TRUE(task.at("finished_at").is_null());
}

TEST(TaskStatusUrl, NamesTheStatusResource) {
  EXPECT_EQ(TaskStatusUrl("0b7e4a3c-1f2d-4e5f-8a9b-0c1d2e3f4a5b"),
            "/tasks/0b7e4a3c-1f2d-4e5f-8a9b-0c1d2e3f4a5b/status");
}

TEST(TaskAccepted, Is202WithALocationAndTheTaskInTheData) {
  const Response response = TaskAccepted("Upload accepted", "0b7e4a3c-1f2d-4e5f-8a9b-0c1d2e3f4a5b",
                                         json{{"size", 12}, {"filename", "a.txt"}});
  EXPECT_EQ(response.status, 202);
  EXPECT_EQ(HeaderOf(response, "Location"), "/tasks/0b7e4a3c-1f2d-4e5f-8a9b-0c1d2e3f4a5b/status");
  const json body = json::parse(response.body);
  EXPECT_EQ(body.at("status"), 202);
  EXPECT_EQ(body.at("message"), "Upload accepted");
  EXPECT_EQ(body.at("data"), (json{{"task_id", "0b7e4a3c-1f2d-4e5f-8a9b-0c1d2e3f4a5b"},
                                   {"status_url", "/tasks/0b7e4a3c-1f2d-4e5f-8a9b-0c1d2e3f4a5b/status"},
                                   {"state", "queued"},
                                   {"size", 12},
                                   {"filename", "a.txt"}}));
}

TEST(TaskAccepted, WorksWithoutExtraFields) {
  const json body = json::parse(TaskAccepted("Pin requested", "t-1", json::object()).body);
  EXPECT_EQ(body.at("data"), (json{{"task_id", "t-1"}, {"status_url", "/tasks/t-1/status"}, {"state", "queued"}}));
}

}  // namespace
}  // namespace gw::web
