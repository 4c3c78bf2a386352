#include "core/time.h"

#include <gtest/gtest.h>

namespace core {
namespace {

TEST(TimeTest, FormatsUtcWithMillisecondsOnlyWhenPresent) {
  EXPECT_EQ(FormatRfc3339(FromUnixMillis(0)), "1970-01-01T00:00:00Z");
  EXPECT_EQ(FormatRfc3339(FromUnixMillis(1710075600123)), "2024-03-10T13:00:00.123Z");
}

TEST(TimeTest, ParsesZuluOffsetsAndFractions) {
  EXPECT_EQ(ToUnixMillis(ParseRfc3339("2024-03-10T13:00:00Z").value()), 1710075600000);
  EXPECT_EQ(ToUnixMillis(ParseRfc3339("2024-03-10T14:00:00+01:00").value()), 1710075600000);
  EXPECT_EQ(ToUnixMillis(ParseRfc3339("2024-03-10T08:00:00.5-05:00").value()), 1710075600500);
  EXPECT_EQ(ToUnixMillis(ParseRfc3339("2024-03-10T13:00:00.123456789Z").value()), 1710075600123);
}

TEST(TimeTest, RoundTripsThroughFormat) {
  Timestamp t = FromUnixMillis(1732881234567);

  auto parsed = ParseRfc3339(FormatRfc3339(t));

  ASSERT_TRUE(parsed.ok());
  EXPECT_EQ(parsed.value(), t);
}

TEST(TimeTest, RejectsMalformedDates) {
  for (const char* bad : {"", "2024-03-10", "2024-13-10T00:00:00Z", "2024-02-30T00:00:00Z", "2024-03-10T25:00:00Z",
                          "2024-03-10T13:00:00", "2024-03-10T13:00:00Zjunk", "yesterday", "2024-03-10T13:00:00.Z"}) {
    EXPECT_FALSE(ParseRfc3339(bad).ok()) << bad;
  }
}

TEST(TimeTest, ParsesAndFormatsDurations) {
  EXPECT_EQ(ParseDuration("90s").value(), std::chrono::seconds(90));
  EXPECT_EQ(ParseDuration("1h30m").value(), std::chrono::minutes(90));
  EXPECT_EQ(ParseDuration("250ms").value(), Duration(250));
  EXPECT_EQ(ParseDuration("2d").value(), std::chrono::hours(48));
  EXPECT_EQ(ParseDuration("0").ok(), false);
  EXPECT_EQ(ParseDuration("5x").ok(), false);
  EXPECT_EQ(FormatDuration(std::chrono::minutes(90)), "1h30m");
  EXPECT_EQ(FormatDuration(Duration(0)), "0s");
}

}  // namespace
}  // namespace core
