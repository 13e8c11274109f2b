#include <gtest/gtest.h>

#include <limits>

#include "domain/job.hpp"

namespace gw::domain {
namespace {

using std::chrono::milliseconds;

const RetryPolicy kPolicy{5, milliseconds(1000), milliseconds(60000)};

TEST(BackoffDelay, WithoutJitterItIsHalfTheExponentialStep) {
  EXPECT_EQ(BackoffDelay(kPolicy, 1, 0.0), milliseconds(500));
  EXPECT_EQ(BackoffDelay(kPolicy, 2, 0.0), milliseconds(1000));
  EXPECT_EQ(BackoffDelay(kPolicy, 3, 0.0), milliseconds(2000));
  EXPECT_EQ(BackoffDelay(kPolicy, 4, 0.0), milliseconds(4000));
}

TEST(BackoffDelay, JitterAddsUpToTheOtherHalf) {
  EXPECT_EQ(BackoffDelay(kPolicy, 1, 0.5), milliseconds(750));
  EXPECT_EQ(BackoffDelay(kPolicy, 3, 0.25), milliseconds(2500));
  const auto almost_full = BackoffDelay(kPolicy, 3, 0.999999);
  EXPECT_GE(almost_full, milliseconds(3999));
  EXPECT_LT(almost_full, milliseconds(4000));
}

TEST(BackoffDelay, IsCappedAtMaxDelay) {
  EXPECT_EQ(BackoffDelay(kPolicy, 7, 0.0), milliseconds(30000));  // 64 s capped to 60 s
  EXPECT_EQ(BackoffDelay(kPolicy, 7, 0.999999), milliseconds(59999));
  EXPECT_LE(BackoffDelay(kPolicy, 1000, 0.999999), milliseconds(60000));
  EXPECT_EQ(BackoffDelay(kPolicy, std::numeric_limits<int>::max(), 0.0), milliseconds(30000));
}

TEST(BackoffDelay, GrowsWithEveryAttemptUntilTheCap) {
  for (int attempt = 1; attempt < 6; ++attempt) {  // 6 and 7 meet the cap
    EXPECT_LT(BackoffDelay(kPolicy, attempt, 0.0), BackoffDelay(kPolicy, attempt + 1, 0.0)) << attempt;
    // Even the luckiest draw of an attempt never exceeds the unluckiest of the next one.
    EXPECT_LE(BackoffDelay(kPolicy, attempt, 0.999999), BackoffDelay(kPolicy, attempt + 1, 0.0)) << attempt;
  }
}

TEST(BackoffDelay, OutOfRangeInputsAreClamped) {
  EXPECT_EQ(BackoffDelay(kPolicy, 0, 0.0), milliseconds(500));
  EXPECT_EQ(BackoffDelay(kPolicy, -3, 0.0), milliseconds(500));
  EXPECT_EQ(BackoffDelay(kPolicy, 1, -1.0), milliseconds(500));
  EXPECT_EQ(BackoffDelay(kPolicy, 1, 7.0), milliseconds(1000));
  EXPECT_EQ(BackoffDelay(kPolicy, 1, std::numeric_limits<double>::quiet_NaN()), milliseconds(500));
  EXPECT_EQ(BackoffDelay(RetryPolicy{5, milliseconds(5000), milliseconds(2000)}, 1, 0.0), milliseconds(1000));
  EXPECT_EQ(BackoffDelay(RetryPolicy{5, milliseconds(0), milliseconds(0)}, 3, 0.5), milliseconds(0));
}

TEST(JobState, RoundTripsThroughText) {
  for (const auto state :
       {JobState::kQueued, JobState::kRunning, JobState::kSucceeded, JobState::kFailed, JobState::kDead}) {
    EXPECT_EQ(ParseJobState(ToString(state)), state);
  }
  EXPECT_EQ(ParseJobState("Queued"), std::nullopt);
  EXPECT_EQ(ParseJobState(""), std::nullopt);
}

TEST(JobId, AcceptsOnlyCanonicalUuids) {
  EXPECT_TRUE(IsJobId("0b7e4a3c-1f2d-4e5f-8a9b-0c1d2e3f4a5b"));
  EXPECT_TRUE(IsJobId("0B7E4A3C-1F2D-4E5F-8A9B-0C1D2E3F4A5B"));
  EXPECT_FALSE(IsJobId("0b7e4a3c1f2d4e5f8a9b0c1d2e3f4a5b"));
  EXPECT_FALSE(IsJobId("0b7e4a3c-1f2d-4e5f-8a9b-0c1d2e3f4a5g"));
  EXPECT_FALSE(IsJobId("0b7e4a3c-1f2d-4e5f-8a9b-0c1d2e3f4a5b "));
  EXPECT_FALSE(IsJobId("' OR 1=1 --"));
  EXPECT_FALSE(IsJobId(""));
}

}  // namespace
}  // namespace gw::domain
