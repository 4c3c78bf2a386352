#include "cli/format.h"

#include <gtest/gtest.h>

namespace cli {
namespace {

using std::chrono::hours;
using std::chrono::minutes;
using std::chrono::seconds;

TEST(FormatAgeTest, ShowsTheLargestWholeUnit) {
  EXPECT_EQ(FormatAge(seconds(45)), "45s");
  EXPECT_EQ(FormatAge(minutes(12) + seconds(59)), "12m");
  EXPECT_EQ(FormatAge(hours(3) + minutes(30)), "3h");
  EXPECT_EQ(FormatAge(hours(24 * 5 + 7)), "5d");
}

TEST(FormatAgeTest, ReadsZeroForTimesInTheFuture) {
  EXPECT_EQ(FormatAge(seconds(-5)), "0s");
}

TEST(AgeOfTest, MeasuresFromNowAndMarksUnparsableTimes) {
  const core::Timestamp now = *core::ParseRfc3339("2026-11-29T12:05:00Z");

  EXPECT_EQ(AgeOf("2026-11-29T12:00:00Z", now), "5m");
  EXPECT_EQ(AgeOf("yesterday", now), "?");
}

TEST(RenderTableTest, AlignsColumnsAndLeavesTheLastUnpadded) {
  const std::string table = RenderTable({{"ID", "STATE", "TITLE"}, {"12", "triggered", "db down"}, {"3", "-", "x"}});

  EXPECT_EQ(table,
            "ID  STATE      TITLE\n"
            "12  triggered  db down\n"
            "3   -          x\n");
}

TEST(TruncateTest, CutsLongTextAtCodePointsWithAnEllipsis) {
  EXPECT_EQ(Truncate("short", 10), "short");
  EXPECT_EQ(Truncate("abcdefghijkl", 8), "abcde...");
  EXPECT_EQ(Truncate("\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9", 4), "\xc3\xa9...");
}

TEST(OneLineTest, ReplacesControlCharacters) {
  EXPECT_EQ(OneLine("a\nb\tc\x1b"), "a b c ");
}

}  // namespace
}  // namespace cli
