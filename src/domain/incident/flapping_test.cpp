#include "domain/incident/flapping.h"

#include <gtest/gtest.h>

namespace incident {
namespace {

core::Timestamp T(int s) { return core::FromUnixMillis(1'764'400'000'000 + s * 1000LL); }

TEST(FlappingTest, AlternatingStatesAreAHundredPercentChangeAndSteadyOnesZero) {
  FlapHistory h;
  for (int i = 0; i < 21; ++i) h.Add(i % 2 == 0, T(i), 21);
  EXPECT_NEAR(h.PercentChange(), 100.0, 1e-9);
  FlapHistory steady;
  for (int i = 0; i < 21; ++i) steady.Add(true, T(i), 21);
  EXPECT_EQ(steady.PercentChange(), 0.0);
}

TEST(FlappingTest, RecentChangesWeighMoreThanOldOnes) {
  FlapHistory old_change, new_change;
  // One change at the oldest end against one at the newest end of 21 samples.
  for (int i = 0; i < 21; ++i) old_change.Add(i != 0, T(i), 21);
  for (int i = 0; i < 21; ++i) new_change.Add(i == 20 ? false : true, T(i), 21);
  EXPECT_LT(old_change.PercentChange(), new_change.PercentChange());
  EXPECT_NEAR(old_change.PercentChange(), 0.8 / 20 * 100, 1e-9);
  EXPECT_NEAR(new_change.PercentChange(), 1.2 / 20 * 100, 1e-9);
}

TEST(FlappingTest, StartsAboveTheHighThresholdAndStopsOnlyBelowTheLowOne) {
  FlapSettings s;
  FlapHistory h;
  for (int i = 0; i < 5; ++i) h.Add(i % 2 == 0, T(i), kFlapHistory);
  EXPECT_EQ(Judge(h, s), FlapVerdict::kNone);  // too few samples for a verdict
  h.Add(false, T(5), kFlapHistory);
  ASSERT_EQ(Judge(h, s), FlapVerdict::kStarted);
  h.flapping = true;
  // Steady firing brings the percentage down; between the thresholds it keeps flapping (hysteresis).
  int steady = 0;
  while (Judge(h, s) != FlapVerdict::kStopped) {
    h.Add(true, T(6 + steady), kFlapHistory);
    if (h.PercentChange() >= s.low) {
      EXPECT_EQ(Judge(h, s), FlapVerdict::kNone);
    }
    ASSERT_LT(++steady, 30);
  }
  EXPECT_LT(h.PercentChange(), s.low);
}

TEST(FlappingTest, HistoryKeepsOnlyTheLastSamples) {
  FlapHistory h;
  for (int i = 0; i < 40; ++i) h.Add(i % 2 == 0, T(i), 21);
  EXPECT_EQ(h.count, 21);
  EXPECT_EQ(h.states >> 21, 0u);
}

}  // namespace
}  // namespace incident
