// The job table: every job type the service creates has a handler, and each handler, run by
// ExecuteJob, leaves the result and the cleanup the task's owner and the spool expect.
#include "fcgi/jobs/job_handlers.hpp"
#include "content_fakes.hpp"
#include "job_fakes.hpp"

#include <gtest/gtest.h>
#include <spdlog/sinks/null_sink.h>
#include <spdlog/spdlog.h>
#include <nlohmann/json.hpp>

#include <algorithm>

#include "domain/job_payloads.hpp"

namespace gw::web {
namespace {

using fcgi::JobEnd;
using nlohmann::json;
using test::CallLog;
using test::kFakeCid;

class JobHandlersTest : public ::testing::Test {
 protected:
  domain::Job AJob(std::string_view type, std::string payload) {
    domain::Job job;
    job.id = "00000000-0000-4000-8000-00000000000b";
    job.type = type;
    job.user_id = 7;
    job.payload_json = std::move(payload);
    job.attempts = 1;
    return job;
  }
  JobEnd Run(const domain::Job& job) { return fcgi::ExecuteJob(context, job, 0.5); }
  /// The result the queue was given: the text after "complete <id> ".
  json Result() const {
    const std::string& call = queue.calls.at(0);
    EXPECT_EQ(call.rfind("complete ", 0), 0u) << call;
    return json::parse(call.substr(call.find(' ', 9) + 1));
  }

  CallLog log;
  test::FakeContentStore store{log};
  test::FakeUploadSpool spool{log};
  test::FakeFileRepository files{log};
  domain::ContentService content{store, spool, domain::TaskSettings{1000, 3}};
  fcgi::JobHandlers handlers = BuildJobHandlers(content, files);
  test::MemoryJobQueue queue;
  fcgi::RunningJobs running;
  std::shared_ptr<spdlog::logger> logger =
      std::make_shared<spdlog::logger>("null", std::make_shared<spdlog::sinks::null_sink_st>());
  fcgi::JobRunContext context{queue, handlers, running, "worker-1", domain::RetryPolicy{}, *logger};
};

TEST_F(JobHandlersTest, EveryJobTypeTheServiceCreatesHasAHandler) {
  // A type without handler is buried as unknown_job_type: every task of it would fail.
  std::vector<std::string> types;
  for (const auto& [type, handler] : handlers) types.push_back(type);
  EXPECT_EQ(types, (std::vector<std::string>{"pin", "unpin", "upload"}));
  for (const auto& type : {domain::kUploadJob, domain::kPinJob, domain::kUnpinJob}) {
    EXPECT_TRUE(handlers.contains(type)) << type;
  }
}

TEST_F(JobHandlersTest, TheUploadResultIsTheFileA201WouldReturnAndTheSpoolIsThenDiscarded) {
  const auto job = AJob(domain::kUploadJob, domain::EncodeUploadJob({"spool-4", 0, 2048, "a.txt", "r", "c"}));
  EXPECT_EQ(Run(job), JobEnd::kSucceeded);
  const json result = Result();
  EXPECT_EQ(result.at("cid"), kFakeCid);
  EXPECT_EQ(result.at("size"), 2048);
  EXPECT_EQ(result.at("original_filename"), "a.txt");
  EXPECT_EQ(result.at("filename"), "a.txt");
  EXPECT_EQ(log.back(), "discard spool-4");
  EXPECT_EQ(queue.last_complete_progress, "2048/2048");
}

TEST_F(JobHandlersTest, AnUploadWhoseCompleteIsRefusedKeepsItsSpool) {
  // The worker that took the job over still needs the bytes.
  queue.accept_reports = false;
  const auto job = AJob(domain::kUploadJob, domain::EncodeUploadJob({"spool-4", 0, 10, "a.txt", "r", "c"}));
  EXPECT_EQ(Run(job), JobEnd::kLeaseLost);
  EXPECT_EQ(std::count(log.begin(), log.end(), "discard spool-4"), 0);
}

TEST_F(JobHandlersTest, AnUploadWithAMalformedPayloadIsBuriedAsABadRequest) {
  EXPECT_EQ(Run(AJob(domain::kUploadJob, "{}")), JobEnd::kBuried);
  ASSERT_EQ(queue.calls.size(), 1u);
  EXPECT_EQ(queue.calls[0].rfind("bury 00000000-0000-4000-8000-00000000000b bad_request ", 0), 0u) << queue.calls[0];
  EXPECT_TRUE(log.empty()) << log.front();  // a failed job keeps its spool for a retry or the sweep
}

TEST_F(JobHandlersTest, PinAndUnpinResultsNameTheCanonicalCidAndTheNewState) {
  const std::string payload = domain::EncodePinJob({kFakeCid, "r", "c"});
  EXPECT_EQ(Run(AJob(domain::kPinJob, payload)), JobEnd::kSucceeded);
  EXPECT_EQ(Result(), (json{{"cid", kFakeCid}, {"pinned", true}}));
  queue.calls.clear();
  EXPECT_EQ(Run(AJob(domain::kUnpinJob, payload)), JobEnd::kSucceeded);
  EXPECT_EQ(Result(), (json{{"cid", kFakeCid}, {"pinned", false}}));
  EXPECT_EQ(
      log,
      (CallLog{std::string("apply_pin ") + kFakeCid + " true", std::string("set_pinned 7 ") + kFakeCid + " true",
               std::string("apply_pin ") + kFakeCid + " false", std::string("set_pinned 7 ") + kFakeCid + " false"}));
}

TEST_F(JobHandlersTest, APinOfAFileDeletedSinceTheRequestIsBuriedAsContentNotFound) {
  files.holds_file = false;
  EXPECT_EQ(Run(AJob(domain::kPinJob, domain::EncodePinJob({kFakeCid, "r", "c"}))), JobEnd::kBuried);
  EXPECT_EQ(queue.calls, std::vector<std::string>{"bury 00000000-0000-4000-8000-00000000000b content_not_found "
                                                  "No content with this CID is stored for this key"});
}

}  // namespace
}  // namespace gw::web
