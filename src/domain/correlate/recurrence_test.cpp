#include "domain/correlate/recurrence.h"

#include <gtest/gtest.h>

#include <optional>
#include <ostream>
#include <string>
#include <vector>

// Every expected instant below was checked against Python's zoneinfo (tzdata 2025b) and `TZ=... date`.

namespace correlate {

void PrintTo(const Interval& i, std::ostream* os) {
  *os << "[" << core::FormatRfc3339(i.start) << ", " << core::FormatRfc3339(i.end) << ")";
}

namespace {

using namespace std::chrono_literals;

core::Timestamp At(const char* text) { return core::ParseRfc3339(text).value(); }

Interval Iv(const char* start, const char* end) { return Interval{At(start), At(end)}; }

Schedule MakeSchedule(std::string zone, std::string start_local, core::Duration duration, std::string rrule) {
  core::Result<Schedule> s = Schedule::Make(Recurrence{zone, start_local, duration, rrule});
  if (!s.ok()) ADD_FAILURE() << "Make: " << s.error().message << " (" << s.error().field << ")";
  return std::move(s).value();
}

// kInvalid's field, or "ok" / another code's name, so a failure shows what happened.
std::string FieldOfInvalid(const Recurrence& r, core::Duration max_length = {}) {
  core::Result<Schedule> s = Schedule::Make(r, max_length);
  if (s.ok()) return "ok";
  if (s.error().code != core::ErrorCode::kInvalid) return core::ToString(s.error().code);
  return s.error().field;
}

// A window Sunday 02:00-04:00 in Berlin, from 2026-03-01 (a Sunday).
Schedule BerlinSundays() { return MakeSchedule("Europe/Berlin", "2026-03-01T02:00", 2h, "FREQ=WEEKLY;BYDAY=SU"); }

// --- one-off windows ---

TEST(ScheduleTest, OneOffIsActiveFromItsStartUntilJustBeforeItsEnd) {
  Schedule s = MakeSchedule("UTC", "2026-03-01T02:00", 2h, "");

  EXPECT_EQ(s.ActiveAt(At("2026-03-01T01:59:59.999Z")), std::nullopt);
  EXPECT_EQ(s.ActiveAt(At("2026-03-01T02:00:00Z")), Iv("2026-03-01T02:00:00Z", "2026-03-01T04:00:00Z"));
  EXPECT_EQ(s.ActiveAt(At("2026-03-01T03:59:59.999Z")), Iv("2026-03-01T02:00:00Z", "2026-03-01T04:00:00Z"));
  EXPECT_EQ(s.ActiveAt(At("2026-03-01T04:00:00Z")), std::nullopt);
}

TEST(ScheduleTest, OneOffIsNextBeforeItEndsAndGoneAfter) {
  Schedule s = MakeSchedule("UTC", "2026-03-01T02:00", 2h, "");

  EXPECT_EQ(s.NextEndingAfter(At("2020-01-01T00:00:00Z")), Iv("2026-03-01T02:00:00Z", "2026-03-01T04:00:00Z"));
  EXPECT_EQ(s.NextEndingAfter(At("2026-03-01T04:00:00Z")), std::nullopt);
  EXPECT_TRUE(s.Upcoming(At("2026-03-01T04:00:00Z"), 5).empty());
}

TEST(ScheduleTest, OneOffLocalStartIsReadInItsZoneWithOptionalSeconds) {
  Schedule s = MakeSchedule("Europe/Berlin", "2026-07-01T02:00:30", 90min, "");

  EXPECT_EQ(s.NextEndingAfter(At("2026-06-01T00:00:00Z")), Iv("2026-07-01T00:00:30Z", "2026-07-01T01:30:30Z"));
  EXPECT_EQ(s.recurrence().start_local, "2026-07-01T02:00:30");
}

// --- DST: Europe/Berlin, spring forward 2026-03-29 02:00 CET -> 03:00 CEST, back 2026-10-25 03:00 CEST -> 02:00 CET

TEST(ScheduleDstTest, BerlinSundayWindowLastsTwoHoursOnNormalSundays) {
  Schedule s = BerlinSundays();

  EXPECT_EQ(s.NextEndingAfter(At("2026-03-21T12:00:00Z")), Iv("2026-03-22T01:00:00Z", "2026-03-22T03:00:00Z"));
  EXPECT_EQ(s.NextEndingAfter(At("2026-04-04T12:00:00Z")), Iv("2026-04-05T00:00:00Z", "2026-04-05T02:00:00Z"));
  EXPECT_EQ(s.NextEndingAfter(At("2026-10-17T12:00:00Z")), Iv("2026-10-18T00:00:00Z", "2026-10-18T02:00:00Z"));
  EXPECT_EQ(s.NextEndingAfter(At("2026-10-31T12:00:00Z")), Iv("2026-11-01T01:00:00Z", "2026-11-01T03:00:00Z"));
}

TEST(ScheduleDstTest, BerlinSpringForwardSundayWindowStartsAfterTheGapAndLastsOneHour) {
  Schedule s = BerlinSundays();
  const Interval spring = Iv("2026-03-29T01:00:00Z", "2026-03-29T02:00:00Z");  // 03:00-04:00 CEST

  EXPECT_EQ(s.NextEndingAfter(At("2026-03-28T12:00:00Z")), spring);
  EXPECT_EQ(s.ActiveAt(At("2026-03-29T00:59:59.999Z")), std::nullopt);
  EXPECT_EQ(s.ActiveAt(At("2026-03-29T01:00:00Z")), spring);
  EXPECT_EQ(s.ActiveAt(At("2026-03-29T02:00:00Z")), std::nullopt);
}

TEST(ScheduleDstTest, BerlinAutumnSundayWindowStartsAtTheEarlierTwoOClockAndLastsThreeHours) {
  Schedule s = BerlinSundays();
  const Interval autumn = Iv("2026-10-25T00:00:00Z", "2026-10-25T03:00:00Z");  // 02:00 CEST-04:00 CET

  EXPECT_EQ(s.NextEndingAfter(At("2026-10-24T12:00:00Z")), autumn);
  EXPECT_EQ(s.ActiveAt(At("2026-10-24T23:59:59.999Z")), std::nullopt);
  EXPECT_EQ(s.ActiveAt(At("2026-10-25T01:30:00Z")), autumn);  // 02:30 CET, the second 02:30
  EXPECT_EQ(s.ActiveAt(At("2026-10-25T02:59:59.999Z")), autumn);
  EXPECT_EQ(s.ActiveAt(At("2026-10-25T03:00:00Z")), std::nullopt);
}

TEST(ScheduleDstTest, LocalStartInTheGapMovesToTheFirstInstantAfterIt) {
  Schedule s = MakeSchedule("Europe/Berlin", "2026-03-29T02:30", 1h, "");

  // 02:30 does not exist: the window starts at 03:00 CEST and ends at 03:30 CEST (02:30 + 1 h on the wall clock).
  EXPECT_EQ(s.NextEndingAfter(At("2026-03-28T00:00:00Z")), Iv("2026-03-29T01:00:00Z", "2026-03-29T01:30:00Z"));
}

TEST(ScheduleDstTest, LocalEndInTheGapMovesToTheFirstInstantAfterIt) {
  Schedule s = MakeSchedule("Europe/Berlin", "2026-03-29T01:00", 90min, "");

  EXPECT_EQ(s.NextEndingAfter(At("2026-03-28T00:00:00Z")), Iv("2026-03-29T00:00:00Z", "2026-03-29T01:00:00Z"));
}

TEST(ScheduleDstTest, AmbiguousStartAndEndBothTakeTheEarlierInstant) {
  Schedule s = MakeSchedule("Europe/Berlin", "2026-10-25T02:15", 30min, "");

  EXPECT_EQ(s.NextEndingAfter(At("2026-10-24T00:00:00Z")), Iv("2026-10-25T00:15:00Z", "2026-10-25T00:45:00Z"));
}

TEST(ScheduleDstTest, OccurrenceEntirelyInsideTheGapIsSkipped) {
  Schedule s = MakeSchedule("Europe/Berlin", "2026-03-27T02:00", 30min, "FREQ=DAILY");

  EXPECT_EQ(s.NextEndingAfter(At("2026-03-28T12:00:00Z")), Iv("2026-03-30T00:00:00Z", "2026-03-30T00:30:00Z"));
  EXPECT_EQ(s.ActiveAt(At("2026-03-29T01:00:00Z")), std::nullopt);
}

// --- DST: America/New_York, 2026-03-08 02:00 EST -> 03:00 EDT, 2026-11-01 02:00 EDT -> 01:00 EST

TEST(ScheduleDstTest, NewYorkDailyWindowAcrossTheChangeIsShorterInMarchAndLongerInNovember) {
  Schedule s = MakeSchedule("America/New_York", "2026-03-01T01:00", 3h, "FREQ=DAILY");

  EXPECT_EQ(s.Upcoming(At("2026-03-07T00:00:00Z"), 2),
            (std::vector<Interval>{Iv("2026-03-07T06:00:00Z", "2026-03-07T09:00:00Z"),     // 3 h
                                   Iv("2026-03-08T06:00:00Z", "2026-03-08T08:00:00Z")}));  // 2 h
  EXPECT_EQ(s.Upcoming(At("2026-11-01T00:00:00Z"), 2),
            (std::vector<Interval>{Iv("2026-11-01T05:00:00Z", "2026-11-01T09:00:00Z"),     // 4 h, from 01:00 EDT
                                   Iv("2026-11-02T06:00:00Z", "2026-11-02T09:00:00Z")}));  // 3 h
}

// --- DST: Australia/Sydney (southern hemisphere), 2026-04-05 03:00 AEDT -> 02:00 AEST, 2026-10-04 02:00 AEST ->
// 03:00 AEDT

TEST(ScheduleDstTest, SydneyWindowAcrossTheChangeIsLongerInAprilAndShorterInOctober) {
  Schedule s = MakeSchedule("Australia/Sydney", "2026-03-01T01:30", 2h, "FREQ=WEEKLY;BYDAY=SU");

  EXPECT_EQ(s.Upcoming(At("2026-03-28T00:00:00Z"), 2),
            (std::vector<Interval>{Iv("2026-03-28T14:30:00Z", "2026-03-28T16:30:00Z"),     // 2 h, AEDT
                                   Iv("2026-04-04T14:30:00Z", "2026-04-04T17:30:00Z")}));  // 3 h
  EXPECT_EQ(s.Upcoming(At("2026-10-03T00:00:00Z"), 2),
            (std::vector<Interval>{Iv("2026-10-03T15:30:00Z", "2026-10-03T16:30:00Z"),     // 1 h
                                   Iv("2026-10-10T14:30:00Z", "2026-10-10T16:30:00Z")}));  // 2 h, AEDT
}

TEST(ScheduleDstTest, SydneyGapAndOverlapFollowTheSameRules) {
  Schedule overlap = MakeSchedule("Australia/Sydney", "2026-04-05T02:30", 1h, "");
  Schedule gap = MakeSchedule("Australia/Sydney", "2026-10-04T02:30", 1h, "");

  // 02:30 happens twice on 04-05: the AEDT one. 03:30 is AEST only.
  EXPECT_EQ(overlap.NextEndingAfter(At("2026-04-01T00:00:00Z")),
            Iv("2026-04-04T15:30:00Z", "2026-04-04T17:30:00Z"));
  // 02:30 does not exist on 10-04: the window starts at 03:00 AEDT.
  EXPECT_EQ(gap.NextEndingAfter(At("2026-10-01T00:00:00Z")), Iv("2026-10-03T16:00:00Z", "2026-10-03T16:30:00Z"));
}

// --- windows crossing midnight ---

TEST(ScheduleTest, DailyWindowCrossingMidnightIsActiveAfterMidnight) {
  Schedule s = MakeSchedule("UTC", "2026-03-01T22:00", 4h, "FREQ=DAILY");

  EXPECT_EQ(s.ActiveAt(At("2026-03-02T01:00:00Z")), Iv("2026-03-01T22:00:00Z", "2026-03-02T02:00:00Z"));
  EXPECT_EQ(s.ActiveAt(At("2026-03-02T02:00:00Z")), std::nullopt);
  EXPECT_EQ(s.NextEndingAfter(At("2026-03-02T02:00:00Z")), Iv("2026-03-02T22:00:00Z", "2026-03-03T02:00:00Z"));
}

TEST(ScheduleDstTest, OvernightWindowOverTheSpringForwardNightLosesAnHour) {
  Schedule s = MakeSchedule("Europe/Berlin", "2026-03-01T23:00", 4h, "FREQ=DAILY");

  // 23:00 CET to 03:00 CEST.
  EXPECT_EQ(s.ActiveAt(At("2026-03-29T00:30:00Z")), Iv("2026-03-28T22:00:00Z", "2026-03-29T01:00:00Z"));
}

// --- NextEndingAfter and Upcoming ---

TEST(ScheduleTest, NextEndingAfterReturnsTheCurrentOccurrenceDuringOneAndTheNextBetween) {
  Schedule s = BerlinSundays();

  EXPECT_EQ(s.NextEndingAfter(At("2026-03-22T02:00:00Z")), Iv("2026-03-22T01:00:00Z", "2026-03-22T03:00:00Z"));
  EXPECT_EQ(s.NextEndingAfter(At("2026-03-22T03:00:00Z")), Iv("2026-03-29T01:00:00Z", "2026-03-29T02:00:00Z"));
  EXPECT_EQ(s.NextEndingAfter(At("2026-03-25T12:00:00Z")), Iv("2026-03-29T01:00:00Z", "2026-03-29T02:00:00Z"));
}

TEST(ScheduleTest, UpcomingListsOccurrencesInOrderStartingWithTheActiveOne) {
  Schedule s = BerlinSundays();

  EXPECT_EQ(s.Upcoming(At("2026-03-22T02:00:00Z"), 3),
            (std::vector<Interval>{Iv("2026-03-22T01:00:00Z", "2026-03-22T03:00:00Z"),
                                   Iv("2026-03-29T01:00:00Z", "2026-03-29T02:00:00Z"),
                                   Iv("2026-04-05T00:00:00Z", "2026-04-05T02:00:00Z")}));
  EXPECT_TRUE(s.Upcoming(At("2026-03-22T02:00:00Z"), 0).empty());
}

TEST(ScheduleTest, StartThatDoesNotMatchTheRuleIsNotAnOccurrence) {
  // 2026-03-02 is a Monday: the first occurrence is the first Sunday after it.
  Schedule s = MakeSchedule("Europe/Berlin", "2026-03-02T02:00", 2h, "FREQ=WEEKLY;BYDAY=SU");

  EXPECT_EQ(s.NextEndingAfter(At("2026-03-01T00:00:00Z")), Iv("2026-03-08T01:00:00Z", "2026-03-08T03:00:00Z"));
}

// --- COUNT and UNTIL ---

TEST(ScheduleTest, CountEndsTheRuleAfterThatManyOccurrences) {
  Schedule s = MakeSchedule("UTC", "2026-03-01T10:00", 1h, "FREQ=DAILY;COUNT=3");

  EXPECT_EQ(s.Upcoming(At("2026-01-01T00:00:00Z"), 10).size(), 3u);
  EXPECT_EQ(s.NextEndingAfter(At("2026-03-02T12:00:00Z")), Iv("2026-03-03T10:00:00Z", "2026-03-03T11:00:00Z"));
  EXPECT_EQ(s.NextEndingAfter(At("2026-03-03T11:00:00Z")), std::nullopt);
}

TEST(ScheduleTest, LocalUntilIncludesAnOccurrenceStartingExactlyThen) {
  Schedule s = MakeSchedule("Europe/Berlin", "2026-03-01T02:00", 2h, "FREQ=WEEKLY;UNTIL=20260315T020000");

  EXPECT_EQ(s.NextEndingAfter(At("2026-03-10T00:00:00Z")), Iv("2026-03-15T01:00:00Z", "2026-03-15T03:00:00Z"));
  EXPECT_EQ(s.NextEndingAfter(At("2026-03-15T03:00:00Z")), std::nullopt);
}

TEST(ScheduleTest, UtcUntilIsAnInstant) {
  // 2026-03-15 02:00 CET is 01:00Z, after UNTIL: the last occurrence is 03-08.
  Schedule s = MakeSchedule("Europe/Berlin", "2026-03-01T02:00", 2h, "FREQ=WEEKLY;UNTIL=20260315T005959Z");

  EXPECT_EQ(s.NextEndingAfter(At("2026-03-07T00:00:00Z")), Iv("2026-03-08T01:00:00Z", "2026-03-08T03:00:00Z"));
  EXPECT_EQ(s.NextEndingAfter(At("2026-03-08T03:00:00Z")), std::nullopt);
}

TEST(ScheduleTest, DateUntilRunsThroughThatLocalDay) {
  Schedule s = MakeSchedule("UTC", "2026-03-01T22:00", 1h, "FREQ=DAILY;UNTIL=20260303");

  EXPECT_EQ(s.Upcoming(At("2026-01-01T00:00:00Z"), 10),
            (std::vector<Interval>{Iv("2026-03-01T22:00:00Z", "2026-03-01T23:00:00Z"),
                                   Iv("2026-03-02T22:00:00Z", "2026-03-02T23:00:00Z"),
                                   Iv("2026-03-03T22:00:00Z", "2026-03-03T23:00:00Z")}));
}

// --- far from start_local ---

TEST(ScheduleTest, WeeklyRuleQueriedTenYearsAfterItsStartIsStillExact) {
  Schedule s = BerlinSundays();

  EXPECT_EQ(s.ActiveAt(At("2036-03-23T01:30:00Z")), Iv("2036-03-23T01:00:00Z", "2036-03-23T03:00:00Z"));
  // 2036-03-30 is the spring-forward Sunday.
  EXPECT_EQ(s.NextEndingAfter(At("2036-03-24T00:00:00Z")), Iv("2036-03-30T01:00:00Z", "2036-03-30T02:00:00Z"));
}

TEST(ScheduleTest, MonthlyRuleQueriedTenYearsAfterItsStartIsStillExact) {
  Schedule s = MakeSchedule("Europe/Berlin", "2026-03-29T02:00", 2h, "FREQ=MONTHLY;BYDAY=-1SU");

  EXPECT_EQ(s.NextEndingAfter(At("2036-03-01T00:00:00Z")), Iv("2036-03-30T01:00:00Z", "2036-03-30T02:00:00Z"));
}

// Starting libical near the query (shifted DTSTART, or set_start) must give what iterating from start_local gives.
TEST(ScheduleTest, QueriesAnywhereAgreeWithTheListFromTheStart) {
  const std::vector<std::string> rules = {
      "FREQ=HOURLY;INTERVAL=5", "FREQ=HOURLY;INTERVAL=7;BYMINUTE=0,30", "FREQ=HOURLY;BYDAY=SU;BYHOUR=1,2,3",
      "FREQ=HOURLY;INTERVAL=5;BYHOUR=1,3,5,7,9,11,13,15,17,19,21,23", "FREQ=HOURLY;INTERVAL=7;BYHOUR=3,2;BYMINUTE=50",
      "FREQ=HOURLY;INTERVAL=5;BYSECOND=0,30",
      "FREQ=DAILY", "FREQ=DAILY;INTERVAL=3", "FREQ=DAILY;BYHOUR=23,1", "FREQ=DAILY;INTERVAL=2;BYDAY=MO,WE,FR",
      "FREQ=DAILY;BYHOUR=5;BYMINUTE=10",
      "FREQ=WEEKLY;INTERVAL=2;BYDAY=MO,TH", "FREQ=WEEKLY;INTERVAL=3", "FREQ=WEEKLY;WKST=SU;INTERVAL=2;BYDAY=SU,SA",
      "FREQ=MONTHLY;INTERVAL=5", "FREQ=MONTHLY;BYMONTHDAY=31", "FREQ=MONTHLY;BYDAY=FR;BYSETPOS=-1",
      "FREQ=MONTHLY;INTERVAL=2;BYDAY=2TU", "FREQ=MONTHLY;BYMONTHDAY=1,15;BYHOUR=23,1",
      "FREQ=YEARLY;INTERVAL=2;BYMONTH=3,10;BYDAY=-1SU",
      "FREQ=YEARLY;BYMONTH=3;BYMONTHDAY=29,30;BYHOUR=2;BYMINUTE=45,15"};
  for (const std::string& rule : rules) {
    SCOPED_TRACE(rule);
    // A Wednesday 02:30 in Berlin: not a match for most rules, and in the spring gap on some days.
    Schedule s = MakeSchedule("Europe/Berlin", "2026-03-04T02:30", 5s, rule);
    const std::vector<Interval> all = s.Upcoming(At("2026-01-01T00:00:00Z"), 120);
    ASSERT_GE(all.size(), 100u);
    std::vector<core::Timestamp> probes;
    for (const Interval& i : all) {
      for (core::Timestamp t : {i.start - 1ms, i.start, i.end - 1ms, i.end}) probes.push_back(t);
    }
    const core::Duration span = all.back().start - all.front().start;
    for (int k = 0; k < 200; ++k) probes.push_back(all.front().start + span * k / 200);

    for (core::Timestamp t : probes) {
      if (t >= all.back().end) continue;  // the list is cut at 120; later occurrences are not in it
      std::optional<Interval> want;
      for (const Interval& i : all) {
        if (i.end > t) {
          want = i;
          break;
        }
      }
      ASSERT_EQ(s.NextEndingAfter(t), want) << "t=" << core::FormatRfc3339(t);
      ASSERT_EQ(s.ActiveAt(t).has_value(), want && want->start <= t) << "t=" << core::FormatRfc3339(t);
    }
  }
}

// --- bounded work ---

TEST(ScheduleTest, TooSparseRuleReportsNoOccurrenceInsteadOfSearchingForYears) {
  // Every hour of February 29th: after 2028 the next one is in 2032, 35,000 hourly steps away.
  Schedule s = MakeSchedule("UTC", "2028-02-29T00:00", 1min, "FREQ=HOURLY;BYMONTH=2;BYMONTHDAY=29");

  EXPECT_EQ(s.Upcoming(At("2028-02-01T00:00:00Z"), 100).size(), 24u);
  EXPECT_EQ(s.NextEndingAfter(At("2028-03-01T00:00:00Z")), std::nullopt);
}

TEST(ScheduleTest, RuleWithNoOccurrenceNearItsStartIsRejected) {
  // Hourly on February 29th when it is a Monday: first in 2044, beyond the search at Make.
  EXPECT_EQ(FieldOfInvalid({"UTC", "2026-03-01T00:00", 1h, "FREQ=HOURLY;BYMONTH=2;BYMONTHDAY=29;BYDAY=MO"}),
            "/rrule");
}

TEST(ScheduleValidationTest, MonthDayNoneOfTheMonthsHasIsInvalid) {
  EXPECT_EQ(FieldOfInvalid({"UTC", "2026-03-01T00:00", 1h, "FREQ=DAILY;BYMONTH=4;BYMONTHDAY=31"}), "/rrule");
  EXPECT_EQ(FieldOfInvalid({"UTC", "2026-03-01T00:00", 1h, "FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30,-30"}), "/rrule");
  EXPECT_EQ(FieldOfInvalid({"UTC", "2028-02-29T00:00", 1h, "FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=29"}), "ok");
}

// --- validation ---

TEST(ScheduleValidationTest, UnknownTimeZoneIsInvalid) {
  EXPECT_EQ(FieldOfInvalid({"Mars/Olympus_Mons", "2026-03-01T02:00", 1h, ""}), "/time_zone");
  EXPECT_EQ(FieldOfInvalid({"", "2026-03-01T02:00", 1h, ""}), "/time_zone");
}

TEST(ScheduleValidationTest, MalformedOrImpossibleLocalStartIsInvalid) {
  for (const char* start : {"", "2026-02-30T02:00", "2026-03-01 02:00", "2026-03-01T02:00Z", "2026-03-01T02:00+01:00",
                            "2026-03-01T24:00", "2026-03-01T02:00:00.5", "1969-12-31T23:00", "2026-3-1T02:00"}) {
    EXPECT_EQ(FieldOfInvalid({"UTC", start, 1h, ""}), "/start_local") << start;
  }
}

TEST(ScheduleValidationTest, DurationMustBePositive) {
  EXPECT_EQ(FieldOfInvalid({"UTC", "2026-03-01T02:00", 0ms, ""}), "/duration");
  EXPECT_EQ(FieldOfInvalid({"UTC", "2026-03-01T02:00", -1h, ""}), "/duration");
}

TEST(ScheduleValidationTest, DurationAboveMaxLengthIsInvalid) {
  EXPECT_EQ(FieldOfInvalid({"UTC", "2026-03-01T02:00", 3h, ""}, 2h), "/duration");
  EXPECT_EQ(FieldOfInvalid({"UTC", "2026-03-01T02:00", 2h, ""}, 2h), "ok");
  EXPECT_EQ(FieldOfInvalid({"UTC", "2026-03-01T02:00", 3h, ""}), "ok");
}

TEST(ScheduleValidationTest, RuleLibicalRejectsOrWithoutFreqIsInvalid) {
  for (const char* rule : {"FREQ=SOMETIMES", "BYDAY=SU", "RRULE:FREQ=WEEKLY", "FREQ=WEEKLY;BYDAY=XX",
                           "FREQ=WEEKLY;COUNT=2;UNTIL=20260401", "FREQ=WEEKLY;INTERVAL=0",
                           "FREQ=MONTHLY;BYYEARDAY=3"}) {
    EXPECT_EQ(FieldOfInvalid({"UTC", "2026-03-01T02:00", 1h, rule}), "/rrule") << rule;
  }
}

TEST(ScheduleValidationTest, PartsLibicalGetsWrongOrSubHourlyFrequenciesAreInvalid) {
  for (const char* rule : {"FREQ=YEARLY;BYWEEKNO=1;BYDAY=MO", "FREQ=WEEKLY;BYDAY=MO,TU;BYSETPOS=1",
                           "FREQ=WEEKLY;BYDAY=1MO", "FREQ=DAILY;RSCALE=GREGORIAN", "FREQ=DAILY;COUNT=10001",
                           "FREQ=MINUTELY;INTERVAL=30", "FREQ=SECONDLY"}) {
    EXPECT_EQ(FieldOfInvalid({"UTC", "2026-03-01T02:00", 1h, rule}), "/rrule") << rule;
  }
}

TEST(ScheduleValidationTest, RuleRecurringMoreOftenThanTheDurationIsInvalid) {
  EXPECT_EQ(FieldOfInvalid({"UTC", "2026-03-01T02:00", 25h, "FREQ=DAILY"}), "/rrule");
  EXPECT_EQ(FieldOfInvalid({"UTC", "2026-03-02T02:00", 36h, "FREQ=WEEKLY;BYDAY=MO,TU"}), "/rrule");
  EXPECT_EQ(FieldOfInvalid({"UTC", "2026-03-01T02:00", 24h, "FREQ=DAILY"}), "ok");  // back to back
}

TEST(ScheduleValidationTest, RuleWithNoOccurrenceIsInvalid) {
  EXPECT_EQ(FieldOfInvalid({"UTC", "2026-03-01T02:00", 1h, "FREQ=WEEKLY;UNTIL=20260201T000000"}), "/rrule");
}

}  // namespace
}  // namespace correlate
