#include "domain/classify/slo.h"

#include <gtest/gtest.h>

namespace classify {
namespace {

constexpr int64_t kMinute = 60'000;
const int64_t kStart = core::ToUnixMillis(core::ParseRfc3339("2026-11-29T00:00:00Z").value());

Slo Latency() {
  Slo s;
  s.service = "checkout";
  s.name = "latency";
  s.objective = 0.999;
  return s;
}

// One sample a minute from `from` for `minutes`, burning at `burn` (error ratio burn × 0.1%).
void Burn(SliSeries& s, int64_t from, int minutes, double burn) {
  for (int i = 0; i < minutes; ++i) {
    const uint64_t total = 100000;
    const uint64_t bad = static_cast<uint64_t>(burn * 0.001 * static_cast<double>(total) + 0.5);
    s.Add(from + i * kMinute, total - bad, total);
  }
}

TEST(SloBurn, BurnIsTheErrorRatioOverTheBudget) {
  SliSeries s;
  Burn(s, kStart, 60, 2);
  EXPECT_NEAR(s.Burn(kStart + 59 * kMinute, std::chrono::hours(1), 0.999), 2.0, 1e-9);
  EXPECT_EQ(s.Burn(kStart - kMinute, std::chrono::hours(1), 0.999), 0) << "no events, no burn";
}

TEST(SloBurn, TwoTimesForSixHoursOpensATicketNotAPage) {
  SliSeries s;
  Burn(s, kStart, 360, 2);
  BurnVerdict v = Evaluate(s, Latency(), DefaultBurnRules(), kStart + 359 * kMinute);
  EXPECT_EQ(v.verdict, Verdict::kTicket) << v.reason;
}

TEST(SloBurn, FifteenTimesForAnHourStillBurningPages) {
  SliSeries s;
  Burn(s, kStart, 60, 15);
  BurnVerdict v = Evaluate(s, Latency(), DefaultBurnRules(), kStart + 59 * kMinute);
  EXPECT_EQ(v.verdict, Verdict::kPage);
  EXPECT_NEAR(v.long_burn, 15, 0.01);
  EXPECT_EQ(v.reason,
            "SLO latency of checkout is burning 15.0× its error budget over 1h and 15.0× over 5m (page at 14.4×)");
}

TEST(SloBurn, AShortSpikeThatStoppedInTheLastFiveMinutesDoesNotPage) {
  // Six healthy hours, then 30 minutes at 40× (the last hour averages above 14.4×), then healthy again.
  SliSeries s;
  Burn(s, kStart, 360, 0);
  Burn(s, kStart + 360 * kMinute, 30, 40);
  Burn(s, kStart + 390 * kMinute, 30, 0);
  const int64_t now = kStart + 419 * kMinute;
  EXPECT_GT(s.Burn(now, std::chrono::hours(1), 0.999), 14.4);
  EXPECT_EQ(s.Burn(now, std::chrono::minutes(5), 0.999), 0);
  EXPECT_NE(Evaluate(s, Latency(), DefaultBurnRules(), now).verdict, Verdict::kPage);
  // While it was still burning, it paged.
  EXPECT_EQ(Evaluate(s, Latency(), DefaultBurnRules(), kStart + 389 * kMinute).verdict, Verdict::kPage);
  // A 14.4× spike after healthy hours that stopped 6 minutes ago: neither the 1 h nor the 6 h rule holds.
  SliSeries t;
  Burn(t, kStart, 360, 0);
  Burn(t, kStart + 360 * kMinute, 60, 14.4);
  Burn(t, kStart + 420 * kMinute, 6, 0);
  EXPECT_NE(Evaluate(t, Latency(), DefaultBurnRules(), kStart + 425 * kMinute).verdict, Verdict::kPage);
}

TEST(SloBurn, OldBucketsArePruned) {
  SliSeries s;
  Burn(s, kStart, 10, 1);
  s.Prune(kStart + std::chrono::duration_cast<std::chrono::milliseconds>(SliSeries::kHistory).count() +
          20 * kMinute);
  EXPECT_TRUE(s.buckets().empty());
}

}  // namespace
}  // namespace classify
