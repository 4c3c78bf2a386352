#include "domain/oncall/schedule.h"

#include <gtest/gtest.h>

#include <ostream>
#include <string>
#include <vector>

// Every expected instant below was checked against Python's zoneinfo and `date -u -d 'TZ="..." ...'`.

namespace oncall {

void PrintTo(const Shift& s, std::ostream* os) {
  *os << "[" << core::FormatRfc3339(s.start) << ", " << core::FormatRfc3339(s.end) << ") {";
  for (const std::string& u : s.users) *os << " " << u;
  *os << " }";
}

void PrintTo(const Interval& i, std::ostream* os) {
  *os << "[" << core::FormatRfc3339(i.start) << ", " << core::FormatRfc3339(i.end) << ")";
}

namespace {

using Users = std::vector<std::string>;

core::Timestamp At(const char* text) { return core::ParseRfc3339(text).value(); }

Shift S(const char* start, const char* end, Users users) { return Shift{At(start), At(end), std::move(users)}; }

Rotation MakeRotation(Frequency frequency, int64_t length, std::string start_local, std::string zone, Users people,
                      std::vector<std::string> restrictions = {}) {
  Rotation r;
  r.name = "r";
  r.participants = std::move(people);
  r.frequency = frequency;
  r.shift_length = length;
  r.start_local = std::move(start_local);
  r.time_zone = std::move(zone);
  r.restrictions = std::move(restrictions);
  return r;
}

Definition OneLayer(Rotation r) {
  Definition d;
  d.name = "s";
  d.layers.push_back(Layer{"base", {std::move(r)}});
  return d;
}

Schedule MakeSchedule(Definition d) {
  core::Result<Schedule> s = Schedule::Make(std::move(d));
  if (!s.ok()) ADD_FAILURE() << "Make: " << s.error().message << " (" << s.error().field << ")";
  return std::move(s).value();
}

Schedule MakeSchedule(Rotation r) { return MakeSchedule(OneLayer(std::move(r))); }

// kInvalid's field, or "ok" / another code's name.
std::string FieldOfInvalid(Definition d) {
  core::Result<Schedule> s = Schedule::Make(std::move(d));
  if (s.ok()) return "ok";
  if (s.error().code != core::ErrorCode::kInvalid) return core::ToString(s.error().code);
  return s.error().field;
}

// --- hand-offs across DST ---

TEST(ScheduleTest, WeeklyBerlinHandOffKeeps0900AndTheSpringShiftIs167Hours) {
  Schedule s = MakeSchedule(MakeRotation(Frequency::kWeekly, 1, "2026-03-02T09:00", "Europe/Berlin", {"a", "b", "c"}));

  std::vector<Shift> shifts = s.Shifts(At("2026-03-16T08:00:00Z"), At("2026-04-06T07:00:00Z"));

  EXPECT_EQ(shifts, (std::vector<Shift>{S("2026-03-16T08:00:00Z", "2026-03-23T08:00:00Z", {"c"}),
                                        S("2026-03-23T08:00:00Z", "2026-03-30T07:00:00Z", {"a"}),
                                        S("2026-03-30T07:00:00Z", "2026-04-06T07:00:00Z", {"b"})}));
  EXPECT_EQ(shifts[1].end - shifts[1].start, std::chrono::hours(167));
}

TEST(ScheduleTest, WeeklyBerlinHandOffKeeps0900AndTheAutumnShiftIs169Hours) {
  Schedule s = MakeSchedule(MakeRotation(Frequency::kWeekly, 1, "2026-03-02T09:00", "Europe/Berlin", {"a", "b", "c"}));

  std::vector<Shift> shifts = s.Shifts(At("2026-10-12T07:00:00Z"), At("2026-11-02T08:00:00Z"));

  // 33 weeks after 2026-03-02 (a), so a again on 2026-10-19; nobody skipped or doubled.
  EXPECT_EQ(shifts, (std::vector<Shift>{S("2026-10-12T07:00:00Z", "2026-10-19T07:00:00Z", {"c"}),
                                        S("2026-10-19T07:00:00Z", "2026-10-26T08:00:00Z", {"a"}),
                                        S("2026-10-26T08:00:00Z", "2026-11-02T08:00:00Z", {"b"})}));
  EXPECT_EQ(shifts[1].end - shifts[1].start, std::chrono::hours(169));
}

TEST(ScheduleTest, WeeklyBerlinGivesTheRightPersonEveryHourOfTheChangeWeekend) {
  Schedule s = MakeSchedule(MakeRotation(Frequency::kWeekly, 1, "2026-03-02T09:00", "Europe/Berlin", {"a", "b", "c"}));

  for (core::Timestamp t = At("2026-03-27T00:00:00Z"); t < At("2026-03-30T07:00:00Z"); t += std::chrono::hours(1)) {
    EXPECT_EQ(s.OnCallAt(t), Users{"a"}) << core::FormatRfc3339(t);
  }
  EXPECT_EQ(s.OnCallAt(At("2026-03-30T06:59:59.999Z")), Users{"a"});
  EXPECT_EQ(s.OnCallAt(At("2026-03-30T07:00:00Z")), Users{"b"});
}

TEST(ScheduleTest, DailyNewYorkHandOffKeeps0900AcrossBothChanges) {
  Schedule s = MakeSchedule(MakeRotation(Frequency::kDaily, 1, "2026-03-01T09:00", "America/New_York", {"a", "b"}));

  // 2026-03-07 is day 6 (a), 2026-10-31 day 244 (a).
  EXPECT_EQ(s.Shifts(At("2026-03-07T14:00:00Z"), At("2026-03-09T13:00:00Z")),
            (std::vector<Shift>{S("2026-03-07T14:00:00Z", "2026-03-08T13:00:00Z", {"a"}),
                                S("2026-03-08T13:00:00Z", "2026-03-09T13:00:00Z", {"b"})}));
  EXPECT_EQ(s.Shifts(At("2026-10-31T13:00:00Z"), At("2026-11-02T14:00:00Z")),
            (std::vector<Shift>{S("2026-10-31T13:00:00Z", "2026-11-01T14:00:00Z", {"a"}),
                                S("2026-11-01T14:00:00Z", "2026-11-02T14:00:00Z", {"b"})}));
}

TEST(ScheduleTest, DailySydneyShiftIs25HoursWhenDstEndsAnd23WhenItStarts) {
  Schedule s = MakeSchedule(MakeRotation(Frequency::kDaily, 1, "2026-04-01T09:00", "Australia/Sydney", {"a", "b"}));

  // 2026-04-04 is day 3 (b); 2026-10-03 is day 185 (b).
  EXPECT_EQ(s.Shifts(At("2026-04-03T22:00:00Z"), At("2026-04-05T23:00:00Z")),
            (std::vector<Shift>{S("2026-04-03T22:00:00Z", "2026-04-04T23:00:00Z", {"b"}),
                                S("2026-04-04T23:00:00Z", "2026-04-05T23:00:00Z", {"a"})}));
  EXPECT_EQ(s.Shifts(At("2026-10-02T23:00:00Z"), At("2026-10-04T22:00:00Z")),
            (std::vector<Shift>{S("2026-10-02T23:00:00Z", "2026-10-03T22:00:00Z", {"b"}),
                                S("2026-10-03T22:00:00Z", "2026-10-04T22:00:00Z", {"a"})}));
}

TEST(ScheduleTest, HandOffInTheSpringGapMovesToTheEndOfTheGapAndAmbiguousTakesTheEarlier) {
  Schedule s = MakeSchedule(MakeRotation(Frequency::kDaily, 1, "2026-03-28T02:30", "Europe/Berlin", {"a", "b"}));

  // 03-28 02:30 CET, 03-29 02:30 does not exist -> 03:00 CEST, 03-30 02:30 CEST.
  EXPECT_EQ(s.Shifts(At("2026-03-28T01:30:00Z"), At("2026-03-31T00:30:00Z")),
            (std::vector<Shift>{S("2026-03-28T01:30:00Z", "2026-03-29T01:00:00Z", {"a"}),
                                S("2026-03-29T01:00:00Z", "2026-03-30T00:30:00Z", {"b"}),
                                S("2026-03-30T00:30:00Z", "2026-03-31T00:30:00Z", {"a"})}));
  // 2026-10-25 is day 211 (b); its 02:30 happens twice and the hand-off is at the first (CEST).
  EXPECT_EQ(s.OnCallAt(At("2026-10-25T00:29:59Z")), Users{"a"});
  EXPECT_EQ(s.OnCallAt(At("2026-10-25T00:30:00Z")), Users{"b"});
  EXPECT_EQ(s.OnCallAt(At("2026-10-25T01:30:00Z")), Users{"b"});
}

TEST(ScheduleTest, CustomEightHourShiftsStayEightHoursAcrossTheChange) {
  Schedule s = MakeSchedule(MakeRotation(Frequency::kCustom, 8, "2026-03-01T00:00", "Europe/Berlin", {"x", "y", "z"}));

  // Shift 84 starts 2026-03-28T23:00Z; the local hand-off moves from 00:00/08:00/16:00 to 01:00/09:00/17:00.
  EXPECT_EQ(s.Shifts(At("2026-03-28T23:00:00Z"), At("2026-03-30T07:00:00Z")),
            (std::vector<Shift>{S("2026-03-28T23:00:00Z", "2026-03-29T07:00:00Z", {"x"}),
                                S("2026-03-29T07:00:00Z", "2026-03-29T15:00:00Z", {"y"}),
                                S("2026-03-29T15:00:00Z", "2026-03-29T23:00:00Z", {"z"}),
                                S("2026-03-29T23:00:00Z", "2026-03-30T07:00:00Z", {"x"})}));
}

TEST(ScheduleTest, QueryTenYearsAfterTheStartIsStillExact) {
  Schedule weekly =
      MakeSchedule(MakeRotation(Frequency::kWeekly, 1, "2026-03-02T09:00", "Europe/Berlin", {"a", "b", "c"}));
  Schedule hours = MakeSchedule(MakeRotation(Frequency::kHourly, 8, "2026-03-01T00:00", "Europe/Berlin", {"x", "y", "z"}));

  // Week 539 (c) began Monday 2036-06-30 09:00 CEST; 8 h shift 11326 (y) began 2036-07-01T07:00Z. (Ten years, not
  // twenty: date/tz reading the system tz database has no DST rules after 2037, see schedule.h.)
  EXPECT_EQ(weekly.OnCallAt(At("2036-07-01T12:00:00Z")), Users{"c"});
  EXPECT_EQ(weekly.OnCallAt(At("2036-06-30T06:59:59Z")), Users{"b"});
  EXPECT_EQ(weekly.OnCallAt(At("2036-06-30T07:00:00Z")), Users{"c"});
  EXPECT_EQ(hours.NextShifts(At("2036-07-01T12:00:00Z"), 2),
            (std::vector<Shift>{S("2036-07-01T12:00:00Z", "2036-07-01T15:00:00Z", {"y"}),
                                S("2036-07-01T15:00:00Z", "2036-07-01T23:00:00Z", {"z"})}));
}

TEST(ScheduleTest, NobodyIsOnCallBeforeTheFirstHandOff) {
  Schedule s = MakeSchedule(MakeRotation(Frequency::kDaily, 1, "2026-03-01T09:00", "UTC", {"a"}));

  EXPECT_EQ(s.OnCallAt(At("2026-03-01T08:59:59Z")), Users{});
  EXPECT_EQ(s.OnCallAt(At("2026-03-01T09:00:00Z")), Users{"a"});
}

// --- restrictions and layers ---

TEST(ScheduleTest, RestrictedRotationIsOnOnlyInsideItsRanges) {
  Schedule s = MakeSchedule(
      MakeRotation(Frequency::kWeekly, 1, "2026-01-05T00:00", "Europe/Berlin", {"a"}, {"Mon-Fri 09:00-17:00"}));

  EXPECT_EQ(s.OnCallAt(At("2026-01-07T07:59:59Z")), Users{});
  EXPECT_EQ(s.OnCallAt(At("2026-01-07T08:00:00Z")), Users{"a"});
  EXPECT_EQ(s.OnCallAt(At("2026-01-07T15:59:59Z")), Users{"a"});
  EXPECT_EQ(s.OnCallAt(At("2026-01-07T16:00:00Z")), Users{});
  EXPECT_EQ(s.OnCallAt(At("2026-01-10T12:00:00Z")), Users{});  // Saturday
}

TEST(ScheduleTest, OvernightRestrictionRunsIntoTheNextDay) {
  Schedule s =
      MakeSchedule(MakeRotation(Frequency::kWeekly, 1, "2026-01-05T00:00", "UTC", {"a"}, {"Fri 22:00-06:00"}));

  EXPECT_EQ(s.Shifts(At("2026-01-05T00:00:00Z"), At("2026-01-12T00:00:00Z")),
            (std::vector<Shift>{S("2026-01-09T22:00:00Z", "2026-01-10T06:00:00Z", {"a"})}));
}

TEST(ScheduleTest, FollowTheSunDayLayerOverridesTheBaseOnlyInItsHours) {
  Definition d;
  d.layers.push_back(Layer{"base", {MakeRotation(Frequency::kWeekly, 1, "2026-01-05T00:00", "UTC", {"base"})}});
  d.layers.push_back(
      Layer{"day",
            {MakeRotation(Frequency::kWeekly, 1, "2026-01-05T00:00", "Europe/Berlin", {"emea"}, {"Mon-Fri 09:00-17:00"}),
             MakeRotation(Frequency::kWeekly, 1, "2026-01-05T00:00", "America/New_York", {"amer"},
                          {"Mon-Fri 09:00-17:00"})}});
  Schedule s = MakeSchedule(std::move(d));

  // Wednesday 2026-01-07: Berlin 09-17 = 08-16Z, New York 09-17 = 14-22Z.
  EXPECT_EQ(s.Shifts(At("2026-01-07T00:00:00Z"), At("2026-01-08T00:00:00Z")),
            (std::vector<Shift>{S("2026-01-07T00:00:00Z", "2026-01-07T08:00:00Z", {"base"}),
                                S("2026-01-07T08:00:00Z", "2026-01-07T14:00:00Z", {"emea"}),
                                S("2026-01-07T14:00:00Z", "2026-01-07T16:00:00Z", {"emea", "amer"}),
                                S("2026-01-07T16:00:00Z", "2026-01-07T22:00:00Z", {"amer"}),
                                S("2026-01-07T22:00:00Z", "2026-01-08T00:00:00Z", {"base"})}));
  EXPECT_EQ(s.OnCallAt(At("2026-01-10T12:00:00Z")), Users{"base"});  // Saturday: the day layer has nobody
}

TEST(ScheduleTest, GapsAreTheHoursARestrictionLeavesUncovered) {
  Schedule s = MakeSchedule(
      MakeRotation(Frequency::kDaily, 1, "2026-01-05T00:00", "UTC", {"a", "b"}, {"Mon-Fri 09:00-17:00"}));

  EXPECT_EQ(s.Gaps(At("2026-01-05T00:00:00Z"), At("2026-01-07T00:00:00Z")),
            (std::vector<Interval>{{At("2026-01-05T00:00:00Z"), At("2026-01-05T09:00:00Z")},
                                   {At("2026-01-05T17:00:00Z"), At("2026-01-06T09:00:00Z")},
                                   {At("2026-01-06T17:00:00Z"), At("2026-01-07T00:00:00Z")}}));
  EXPECT_EQ(s.Gaps(At("2026-01-05T00:00:00Z"), At("2026-01-19T00:00:00Z")).size(), 11u);  // the first morning, 8 weeknights, 2 weekends
}

TEST(ScheduleTest, TwentyFourSevenScheduleHasNoGaps) {
  Schedule s = MakeSchedule(MakeRotation(Frequency::kDaily, 1, "2026-01-05T00:00", "Europe/Berlin", {"a", "b"}));

  EXPECT_TRUE(s.Gaps(At("2026-03-20T00:00:00Z"), At("2026-04-03T00:00:00Z")).empty());
}

TEST(ScheduleTest, ShiftsMergeConsecutiveHandOffsToTheSamePerson) {
  Schedule s = MakeSchedule(MakeRotation(Frequency::kDaily, 1, "2026-01-05T09:00", "UTC", {"a", "a", "b"}));

  EXPECT_EQ(s.Shifts(At("2026-01-05T09:00:00Z"), At("2026-01-09T09:00:00Z")),
            (std::vector<Shift>{S("2026-01-05T09:00:00Z", "2026-01-07T09:00:00Z", {"a"}),
                                S("2026-01-07T09:00:00Z", "2026-01-08T09:00:00Z", {"b"}),
                                S("2026-01-08T09:00:00Z", "2026-01-09T09:00:00Z", {"a"})}));
}

TEST(ScheduleTest, NextShiftsStartsWithTheShiftInProgress) {
  Schedule s = MakeSchedule(MakeRotation(Frequency::kDaily, 1, "2026-01-05T09:00", "UTC", {"a", "b"}));

  EXPECT_EQ(s.NextShifts(At("2026-01-05T12:00:00Z"), 3),
            (std::vector<Shift>{S("2026-01-05T12:00:00Z", "2026-01-06T09:00:00Z", {"a"}),
                                S("2026-01-06T09:00:00Z", "2026-01-07T09:00:00Z", {"b"}),
                                S("2026-01-07T09:00:00Z", "2026-01-08T09:00:00Z", {"a"})}));
}

// --- overrides ---

Definition DailyAB() {
  return OneLayer(MakeRotation(Frequency::kDaily, 1, "2026-01-05T00:00", "UTC", {"a", "b"}));
}

Override MakeOverride(const char* start, const char* end, OverrideKind kind, std::string user,
                      std::string replaced = {}) {
  return Override{At(start), At(end), kind, std::move(user), std::move(replaced)};
}

TEST(ScheduleTest, ReplaceOverrideTakesOverForItsPeriodOnly) {
  Definition d = DailyAB();
  d.overrides.push_back(MakeOverride("2026-01-05T10:00:00Z", "2026-01-05T12:00:00Z", OverrideKind::kReplace, "r"));
  Schedule s = MakeSchedule(std::move(d));

  EXPECT_EQ(s.Shifts(At("2026-01-05T00:00:00Z"), At("2026-01-06T00:00:00Z")),
            (std::vector<Shift>{S("2026-01-05T00:00:00Z", "2026-01-05T10:00:00Z", {"a"}),
                                S("2026-01-05T10:00:00Z", "2026-01-05T12:00:00Z", {"r"}),
                                S("2026-01-05T12:00:00Z", "2026-01-06T00:00:00Z", {"a"})}));
}

TEST(ScheduleTest, ReplaceNamingAUserOnlyReplacesThatUser) {
  Definition d = DailyAB();
  d.overrides.push_back(
      MakeOverride("2026-01-05T00:00:00Z", "2026-01-07T00:00:00Z", OverrideKind::kReplace, "r", "b"));
  Schedule s = MakeSchedule(std::move(d));

  EXPECT_EQ(s.OnCallAt(At("2026-01-05T12:00:00Z")), Users{"a"});
  EXPECT_EQ(s.OnCallAt(At("2026-01-06T12:00:00Z")), Users{"r"});
}

TEST(ScheduleTest, AddOverrideMakesSeveralPeopleOnCall) {
  Definition d = DailyAB();
  d.overrides.push_back(MakeOverride("2026-01-05T10:00:00Z", "2026-01-05T12:00:00Z", OverrideKind::kAdd, "shadow"));
  Schedule s = MakeSchedule(std::move(d));

  EXPECT_EQ(s.OnCallAt(At("2026-01-05T11:00:00Z")), (Users{"a", "shadow"}));
  EXPECT_EQ(s.OnCallAt(At("2026-01-05T12:00:00Z")), Users{"a"});
}

TEST(ScheduleTest, RemoveOverrideLeavesAGapWhenNobodyElseIsOn) {
  Definition d = DailyAB();
  d.overrides.push_back(MakeOverride("2026-01-05T10:00:00Z", "2026-01-05T12:00:00Z", OverrideKind::kRemove, "a"));
  Schedule s = MakeSchedule(std::move(d));

  EXPECT_EQ(s.Gaps(At("2026-01-05T00:00:00Z"), At("2026-01-06T00:00:00Z")),
            (std::vector<Interval>{{At("2026-01-05T10:00:00Z"), At("2026-01-05T12:00:00Z")}}));
  EXPECT_EQ(s.OnCallAt(At("2026-01-06T11:00:00Z")), Users{"b"});
}

// --- validation ---

TEST(ScheduleTest, InvalidInputsNameTheirField) {
  auto with = [](auto change) {
    Definition d;
    d.layers.push_back(Layer{"l", {MakeRotation(Frequency::kDaily, 1, "2026-01-05T09:00", "UTC", {"a"}),
                                   MakeRotation(Frequency::kDaily, 1, "2026-01-05T09:00", "UTC", {"a"})}});
    change(d);
    return FieldOfInvalid(std::move(d));
  };

  EXPECT_EQ(with([](Definition&) {}), "ok");
  EXPECT_EQ(with([](Definition& d) { d.time_zone = "Mars/Olympus"; }), "/time_zone");
  EXPECT_EQ(with([](Definition& d) { d.layers[0].rotations[1].time_zone = "Europe/Berlinn"; }),
            "/layers/0/rotations/1/time_zone");
  EXPECT_EQ(with([](Definition& d) { d.layers[0].rotations[1].participants.clear(); }),
            "/layers/0/rotations/1/participants");
  EXPECT_EQ(with([](Definition& d) { d.layers[0].rotations[0].participants.push_back(""); }),
            "/layers/0/rotations/0/participants/1");
  EXPECT_EQ(with([](Definition& d) { d.layers[0].rotations[0].shift_length = 0; }),
            "/layers/0/rotations/0/shift_length");
  EXPECT_EQ(with([](Definition& d) { d.layers[0].rotations[0].shift_length = -8; }),
            "/layers/0/rotations/0/shift_length");
  EXPECT_EQ(with([](Definition& d) { d.layers[0].rotations[0].start_local = "2026-02-30T09:00"; }),
            "/layers/0/rotations/0/start_local");
  EXPECT_EQ(with([](Definition& d) { d.layers[0].rotations[0].start_local = "2026-01-05T09:00Z"; }),
            "/layers/0/rotations/0/start_local");
  for (const char* bad : {"Mon-Fri", "Mon-Fri 09:00", "Mo-Fr 09:00-17:00", "Mon-Fri 9:00-17:00",
                          "Mon-Fri 09:00-09:00", "Mon-Fri 09:00-25:00", "Mon-Fri 09:60-17:00", "Mon-Fri  09:00-17:00"}) {
    EXPECT_EQ(with([&](Definition& d) { d.layers[0].rotations[1].restrictions = {"Sat 10:00-14:00", bad}; }),
              "/layers/0/rotations/1/restrictions/1")
        << bad;
  }
  EXPECT_EQ(with([](Definition& d) { d.layers.push_back(Layer{"empty", {}}); }), "/layers/1/rotations");
  EXPECT_EQ(with([](Definition& d) {
              d.overrides.push_back(
                  MakeOverride("2026-01-05T10:00:00Z", "2026-01-05T10:00:00Z", OverrideKind::kAdd, "x"));
            }),
            "/overrides/0/end");
  EXPECT_EQ(with([](Definition& d) {
              d.overrides.push_back(MakeOverride("2026-01-05T10:00:00Z", "2026-01-05T11:00:00Z", OverrideKind::kAdd, ""));
            }),
            "/overrides/0/user");
}

TEST(ScheduleTest, RestrictionSyntaxAcceptsListsWrappingRangesAnd2400) {
  Schedule s = MakeSchedule(MakeRotation(Frequency::kWeekly, 1, "2026-01-05T00:00", "UTC", {"a"},
                                         {"Sat-Sun 00:00-24:00", "Mon,Wed 12:00-13:00"}));

  EXPECT_EQ(s.Shifts(At("2026-01-05T00:00:00Z"), At("2026-01-12T00:00:00Z")),
            (std::vector<Shift>{S("2026-01-05T12:00:00Z", "2026-01-05T13:00:00Z", {"a"}),
                                S("2026-01-07T12:00:00Z", "2026-01-07T13:00:00Z", {"a"}),
                                S("2026-01-10T00:00:00Z", "2026-01-12T00:00:00Z", {"a"})}));
}

}  // namespace
}  // namespace oncall
