#include "domain/backoff_retry.hpp"

#include <gtest/gtest.h>

#include <limits>
#include <stdexcept>
#include <vector>

#include "code_of.hpp"
#include "fake_clock.hpp"

namespace gw::domain {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

const BackoffOptions kOptions{4, milliseconds(100), milliseconds(1000)};

RemoteCallFailed Http(int status, std::string code = {}) {
  return RemoteCallFailed({RemoteFailure::Kind::kHttp, status, std::move(code), {}});
}
RemoteCallFailed Refused() { return RemoteCallFailed({RemoteFailure::Kind::kConnect, 0, {}, "Connection refused"}); }

TEST(FullJitterDelay, IsTheRandomFractionOfTheExponentialCeiling) {
  EXPECT_EQ(FullJitterDelay(kOptions, 0, 0.5), milliseconds(50));
  EXPECT_EQ(FullJitterDelay(kOptions, 1, 0.5), milliseconds(100));
  EXPECT_EQ(FullJitterDelay(kOptions, 2, 0.5), milliseconds(200));
  EXPECT_EQ(FullJitterDelay(kOptions, 2, 0.0), milliseconds(0));  // full jitter: may retry at once
  EXPECT_EQ(FullJitterDelay(kOptions, 2, 0.999999), milliseconds(399));
}

TEST(FullJitterDelay, IsCappedAndNeverOverflows) {
  EXPECT_EQ(FullJitterDelay(kOptions, 4, 0.5), milliseconds(500));  // 1600 capped to 1000
  EXPECT_EQ(FullJitterDelay(kOptions, std::numeric_limits<int>::max(), 0.999999), milliseconds(999));
  EXPECT_EQ(FullJitterDelay(kOptions, -3, 0.5), milliseconds(50));
}

TEST(FullJitterDelay, ClampsOutOfRangeRandomValues) {
  EXPECT_EQ(FullJitterDelay(kOptions, 0, -1.0), milliseconds(0));
  EXPECT_EQ(FullJitterDelay(kOptions, 0, 7.0), milliseconds(100));
  EXPECT_EQ(FullJitterDelay(kOptions, 0, std::numeric_limits<double>::quiet_NaN()), milliseconds(0));
}

class BackoffRetryTest : public ::testing::Test {
 protected:
  BackoffRetry MakeRetry(BackoffOptions options = kOptions) {
    return BackoffRetry(
        options, [] { return 0.5; }, [this](milliseconds delay) { sleeps_.push_back(delay); });
  }

  test::FakeClock clock_;
  CircuitBreaker breaker_{"s3", {}, clock_};
  std::vector<milliseconds> sleeps_;
};

TEST_F(BackoffRetryTest, ReturnsTheFirstSuccessWithoutSleeping) {
  int calls = 0;
  EXPECT_EQ(MakeRetry().Run(breaker_, "Head",
                            [&](int attempt) {
                              ++calls;
                              return attempt * 10;
                            }),
            10);
  EXPECT_EQ(calls, 1);
  EXPECT_TRUE(sleeps_.empty());
}

TEST_F(BackoffRetryTest, RetriesTransientFailuresWithGrowingJitteredDelays) {
  std::vector<int> attempts;
  MakeRetry().Run(breaker_, "Put", [&](int attempt) {
    attempts.push_back(attempt);
    if (attempt < 3) throw Http(503, "SlowDown");
  });
  EXPECT_EQ(attempts, (std::vector<int>{1, 2, 3}));
  EXPECT_EQ(sleeps_, (std::vector<milliseconds>{milliseconds(50), milliseconds(100)}));
  EXPECT_EQ(breaker_.State(), BreakerState::kClosed);
}

TEST_F(BackoffRetryTest, EachRetryIsReportedWithItsFailureAndDelayBeforeTheWait) {
  std::vector<std::string> events;
  const BackoffRetry retry(
      kOptions, [] { return 0.5; },
      [&](milliseconds delay) { events.push_back("sleep " + std::to_string(delay.count())); },
      [&](const BackoffRetry::RetryEvent& e) {
        events.push_back(std::string(e.endpoint) + " " + std::string(e.operation) + " attempt " +
                         std::to_string(e.failed_attempt) + " " + Describe(e.failure) + " in " +
                         std::to_string(e.delay.count()));
      });
  retry.Run(breaker_, "Put", [&](int attempt) {
    if (attempt < 3) throw Http(503, "SlowDown");
  });
  EXPECT_EQ(events, (std::vector<std::string>{
                        "s3 Put attempt 1 " + Describe(Http(503, "SlowDown").Failure()) + " in 50", "sleep 50",
                        "s3 Put attempt 2 " + Describe(Http(503, "SlowDown").Failure()) + " in 100", "sleep 100"}));
}

TEST_F(BackoffRetryTest, GivesUpAfterMaxAttemptsWithStorageUnavailable) {
  int calls = 0;
  try {
    MakeRetry().Run(breaker_, "Put", [&](int) {
      ++calls;
      throw Http(500, "InternalError");
    });
    FAIL() << "no error";
  } catch (const Error& error) {
    EXPECT_EQ(error.Code(), ErrorCode::kStorageUnavailable);
    EXPECT_EQ(error.InternalMessage(), "s3 Put: HTTP 500 InternalError (after 4 attempts)");
    EXPECT_TRUE(error.Details().empty());
  }
  EXPECT_EQ(calls, 4);
  EXPECT_EQ(sleeps_.size(), 3u);
}

TEST_F(BackoffRetryTest, AuthFailuresAreNotRetriedAndDoNotCountAgainstTheBreaker) {
  int calls = 0;
  const auto run = [&] {
    MakeRetry().Run(breaker_, "Put", [&](int) {
      ++calls;
      throw Http(403, "SignatureDoesNotMatch");
    });
  };
  for (int i = 0; i < 6; ++i) EXPECT_EQ(test::CodeOf(run), ErrorCode::kStorageAuthFailed);
  EXPECT_EQ(calls, 6);
  EXPECT_TRUE(sleeps_.empty());
  EXPECT_EQ(breaker_.State(), BreakerState::kClosed) << "a 403 proves the endpoint is up";
}

TEST_F(BackoffRetryTest, NotFoundAndOtherClientErrorsAreNotRetried) {
  int calls = 0;
  EXPECT_EQ(test::CodeOf([&] {
              MakeRetry().Run(breaker_, "Delete", [&](int) {
                ++calls;
                throw Http(404, "NoSuchUpload");
              });
            }),
            ErrorCode::kStorageError);
  EXPECT_EQ(test::CodeOf([&] {
              MakeRetry().Run(breaker_, "Put", [&](int) {
                ++calls;
                throw Http(400, "EntityTooSmall");
              });
            }),
            ErrorCode::kStorageError);
  EXPECT_EQ(calls, 2);
}

TEST_F(BackoffRetryTest, OtherExceptionsPassThroughUntouchedAndUnretried) {
  int calls = 0;
  EXPECT_THROW(MakeRetry().Run(breaker_, "Put",
                               [&](int) {
                                 ++calls;
                                 throw std::runtime_error("read /spool/x: EIO");
                               }),
               std::runtime_error);
  EXPECT_EQ(calls, 1);
}

TEST_F(BackoffRetryTest, EachAttemptCountsAgainstTheBreakerWhichThenRefusesFast) {
  int calls = 0;
  const auto down = [&](int) {
    ++calls;
    throw Refused();
  };
  // 4 attempts fail; the 5th (first of the next call) opens the breaker, which refuses the rest.
  EXPECT_EQ(test::CodeOf([&] { MakeRetry().Run(breaker_, "Put", down); }), ErrorCode::kStorageUnavailable);
  EXPECT_EQ(breaker_.State(), BreakerState::kClosed);
  sleeps_.clear();
  try {
    MakeRetry().Run(breaker_, "Put", down);
    FAIL() << "no error";
  } catch (const Error& error) {
    EXPECT_EQ(error.Code(), ErrorCode::kStorageUnavailable);
    EXPECT_EQ(error.Details(), (ErrorDetails{{"retry_after_seconds", "60"}}));
    EXPECT_NE(error.InternalMessage().find("circuit breaker open"), std::string::npos) << error.InternalMessage();
    EXPECT_NE(error.InternalMessage().find("Connection refused"), std::string::npos) << error.InternalMessage();
  }
  EXPECT_EQ(calls, 5);
  EXPECT_TRUE(sleeps_.empty()) << "no wait for an attempt the breaker refuses";

  clock_.Advance(seconds(15));
  try {
    MakeRetry().Run(breaker_, "Head", [&](int) { ++calls; });
    FAIL() << "no error";
  } catch (const Error& error) {
    EXPECT_EQ(error.Details(), (ErrorDetails{{"retry_after_seconds", "45"}}));
  }
  EXPECT_EQ(calls, 5);
}

TEST_F(BackoffRetryTest, AHalfOpenBreakerLetsOneProbeCallThroughAndItsSuccessCloses) {
  CircuitBreaker breaker("s3", {.failure_threshold = 1, .open_duration = seconds(60)}, clock_);
  EXPECT_EQ(test::CodeOf([&] { MakeRetry().Run(breaker, "Put", [](int) { throw Refused(); }); }),
            ErrorCode::kStorageUnavailable);
  clock_.Advance(seconds(60));
  EXPECT_EQ(MakeRetry().Run(breaker, "Put", [](int) { return 7; }), 7);
  EXPECT_EQ(breaker.State(), BreakerState::kClosed);
}

TEST_F(BackoffRetryTest, MaxAttemptsIsAtLeastOne) {
  int calls = 0;
  EXPECT_EQ(test::CodeOf([&] {
              MakeRetry({0, milliseconds(1), milliseconds(1)}).Run(breaker_, "Put", [&](int) {
                ++calls;
                throw Http(502);
              });
            }),
            ErrorCode::kStorageUnavailable);
  EXPECT_EQ(calls, 1);
}

class CountingRandom final : public RandomSource {
 public:
  void Fill(std::span<unsigned char> out) override {
    for (auto& byte : out) byte = static_cast<unsigned char>(next_++);
  }

 private:
  unsigned next_ = 0;
};

TEST(BackoffRetryUniformFrom, DrawsFromTheSourceWithinZeroToOne) {
  CountingRandom source;
  const auto random01 = BackoffRetry::UniformFrom(source);
  for (int i = 0; i < 100; ++i) {
    const double u = random01();
    EXPECT_GE(u, 0.0);
    EXPECT_LT(u, 1.0);
  }
}

}  // namespace
}  // namespace gw::domain
