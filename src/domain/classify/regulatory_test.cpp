#include "domain/classify/regulatory.h"

#include <gtest/gtest.h>

namespace classify {
namespace {

core::Timestamp At(const char* rfc3339) { return core::ParseRfc3339(rfc3339).value(); }
std::string Iso(const std::optional<core::Timestamp>& t) { return t ? core::FormatRfc3339(*t) : "unknown"; }

int64_t DaysOf(const char* rfc3339) {
  return std::chrono::duration_cast<std::chrono::hours>(At(rfc3339).time_since_epoch()).count() / 24;
}

Regime Dora() {
  Regime r;
  r.id = "dora";
  r.name = "DORA";
  r.effective = "2025-01-17";
  r.scope.jurisdictions = {"EU"};
  r.scope.entity = {"financial_entity"};
  r.scope.major = true;
  Stage initial{"initial_notification", "initial notification", Anchor::kClassificationAsMajor, Unit::kHours, 4,
                Anchor::kAwareness, 24, {"description"}};
  Stage intermediate{"intermediate_report", "intermediate report", Anchor::kPreviousSubmission, Unit::kHours, 72,
                     std::nullopt, 0, {}};
  Stage final_report{"final_report", "final report", Anchor::kPreviousSubmission, Unit::kMonths, 1, std::nullopt, 0,
                     {}};
  r.stages = {initial, intermediate, final_report};
  return r;
}

Regime Sec() {
  Regime r;
  r.id = "sec";
  r.scope.entity = {"sec_registrant"};
  r.scope.material = true;
  r.stages = {Stage{"form_8k", "Form 8-K", Anchor::kMaterialityDetermination, Unit::kUsBusinessDays, 4,
                    std::nullopt, 0, {}}};
  return r;
}

Facts DoraFacts(const char* awareness, const char* classified) {
  Facts f;
  f.jurisdictions = {"EU"};
  f.entity = {"financial_entity"};
  f.major = true;
  f.anchors[Anchor::kAwareness] = At(awareness);
  f.anchors[Anchor::kClassificationAsMajor] = At(classified);
  return f;
}

TEST(RegulatoryClock, DoraInitialNotificationIsFourHoursFromClassification) {
  auto d = Evaluate({Dora()}, DoraFacts("2026-03-02T08:00:00Z", "2026-03-02T10:00:00Z"));
  ASSERT_EQ(d.size(), 3u);
  EXPECT_EQ(Iso(d[0].due), "2026-03-02T14:00:00Z");
  EXPECT_EQ(d[0].basis, "4 h from classification as major (2026-03-02T10:00:00Z)");
  EXPECT_EQ(d[0].required_fields, std::vector<std::string>{"description"});
  // Later reports count from the previous submission: unknown until it is made.
  EXPECT_FALSE(d[1].due);
  EXPECT_EQ(d[1].waiting_for, "submission of the initial notification");
}

TEST(RegulatoryClock, DoraInitialNotificationIsCappedAtTwentyFourHoursFromAwareness) {
  // Classified 22 h after awareness: 4 h from then would be 26 h; the 24 h outer limit expires first.
  auto d = Evaluate({Dora()}, DoraFacts("2026-03-02T08:00:00Z", "2026-03-03T06:00:00Z"));
  EXPECT_EQ(Iso(d[0].due), "2026-03-03T08:00:00Z");
  EXPECT_NE(d[0].basis.find("capped at 24 h from awareness (2026-03-02T08:00:00Z)"), std::string::npos)
      << d[0].basis;
}

TEST(RegulatoryClock, DoraLateClassificationCountsFourHoursFromClassificationAlone) {
  // Classified 30 h after awareness (the 24 h limit had passed): 4 h from classification (2025/301 Art. 5(2)).
  auto d = Evaluate({Dora()}, DoraFacts("2026-03-02T08:00:00Z", "2026-03-03T14:00:00Z"));
  EXPECT_EQ(Iso(d[0].due), "2026-03-03T18:00:00Z");
  EXPECT_NE(d[0].basis.find("came after the 24 h outer limit from awareness, so it governs alone"), std::string::npos)
      << d[0].basis;
}

TEST(RegulatoryClock, DoraLaterReportsCountFromEachSubmission) {
  Facts f = DoraFacts("2026-03-02T08:00:00Z", "2026-03-02T10:00:00Z");
  f.submissions[{"dora", "initial_notification"}] = At("2026-03-02T13:00:00Z");
  auto d = Evaluate({Dora()}, f);
  EXPECT_EQ(Iso(d[0].submitted), "2026-03-02T13:00:00Z");
  EXPECT_EQ(Iso(d[1].due), "2026-03-05T13:00:00Z");  // 72 h after the initial notification
  EXPECT_FALSE(d[2].due);
  f.submissions[{"dora", "intermediate_report"}] = At("2026-03-31T09:00:00Z");
  d = Evaluate({Dora()}, f);
  EXPECT_EQ(Iso(d[2].due), "2026-04-30T09:00:00Z");  // a calendar month after the intermediate report
}

TEST(RegulatoryClock, DoraAppliesOnlyToMajorIncidentsOfFinancialEntitiesAfterItsEffectiveDate) {
  Facts f = DoraFacts("2026-03-02T08:00:00Z", "2026-03-02T10:00:00Z");
  EXPECT_TRUE(Applies(Dora(), f));
  f.major = false;
  EXPECT_FALSE(Applies(Dora(), f));
  f = DoraFacts("2024-12-30T08:00:00Z", "2024-12-30T10:00:00Z");
  EXPECT_FALSE(Applies(Dora(), f)) << "aware before 17 January 2025";
  f = DoraFacts("2026-03-02T08:00:00Z", "2026-03-02T10:00:00Z");
  f.entity = {"nis2_entity"};
  EXPECT_FALSE(Applies(Dora(), f));
}

Facts Material(const char* determined) {
  Facts f;
  f.entity = {"sec_registrant"};
  f.material = true;
  f.anchors[Anchor::kMaterialityDetermination] = At(determined);
  return f;
}

TEST(RegulatoryClock, SecCountsFourUsBusinessDaysSkippingThanksgiving) {
  // Determined on Wednesday 25 November 2026 (New York): Thursday 26 is Thanksgiving. Business days: Fri 27,
  // Mon 30, Tue 1, Wed 2 December; due 17:30 EST = 22:30Z.
  auto d = Evaluate({Sec()}, Material("2026-11-25T15:00:00Z"));
  ASSERT_EQ(d.size(), 1u);
  EXPECT_EQ(Iso(d[0].due), "2026-12-02T22:30:00Z");
  EXPECT_NE(d[0].basis.find("4 US business days from materiality determination"), std::string::npos) << d[0].basis;
}

TEST(RegulatoryClock, SecCountsTheDayInNewYorkAndSkipsAnObservedHoliday) {
  // 03:00Z on Wednesday 25 November is still Tuesday 24 November in New York: Wed 25, Fri 27, Mon 30, Tue 1.
  EXPECT_EQ(Iso(Evaluate({Sec()}, Material("2026-11-25T03:00:00Z"))[0].due), "2026-12-01T22:30:00Z");
  // 4 July 2026 is a Saturday, observed on Friday 3 July: determined Thursday 2 July → Mon 6, Tue 7, Wed 8,
  // Thu 9; 17:30 EDT = 21:30Z.
  EXPECT_EQ(Iso(Evaluate({Sec()}, Material("2026-07-02T14:00:00Z"))[0].due), "2026-07-09T21:30:00Z");
  // Not material yet: the regime does not apply.
  Facts f = Material("2026-07-02T14:00:00Z");
  f.material = false;
  EXPECT_TRUE(Evaluate({Sec()}, f).empty());
}

TEST(UsFederalHolidays, TheObservedHolidaysOf2026And2027) {
  for (const char* day : {"2026-01-01", "2026-01-19", "2026-02-16", "2026-05-25", "2026-06-19", "2026-07-03",
                          "2026-09-07", "2026-10-12", "2026-11-11", "2026-11-26", "2026-12-25", "2027-07-05",
                          "2027-12-24", "2027-12-31"}) {
    EXPECT_TRUE(IsUsFederalHoliday(DaysOf((std::string(day) + "T12:00:00Z").c_str()))) << day;
  }
  for (const char* day : {"2026-07-04", "2026-11-27", "2026-12-24", "2028-01-01", "2026-02-17"}) {
    EXPECT_FALSE(IsUsFederalHoliday(DaysOf((std::string(day) + "T12:00:00Z").c_str()))) << day;
  }
}

TEST(RegulatoryClock, CalendarMonthsClampToTheEndOfTheMonth) {
  EXPECT_EQ(core::FormatRfc3339(AddTime(At("2026-01-31T09:00:00Z"), Unit::kMonths, 1)), "2026-02-28T09:00:00Z");
  EXPECT_EQ(core::FormatRfc3339(AddTime(At("2028-01-31T09:00:00Z"), Unit::kMonths, 1)), "2028-02-29T09:00:00Z");
  EXPECT_EQ(core::FormatRfc3339(AddTime(At("2026-12-15T09:00:00Z"), Unit::kMonths, 1)), "2027-01-15T09:00:00Z");
  EXPECT_EQ(core::FormatRfc3339(AddTime(At("2026-03-27T09:00:00Z"), Unit::kCalendarDays, 60)),
            "2026-05-26T09:00:00Z");
}

TEST(RegulatoryClock, TheEndOfTheCalendarYearAnchorCountsFromTheFirstOfJanuary) {
  Regime hipaa;
  hipaa.id = "hipaa";
  hipaa.stages = {Stage{"hhs_small_log", "HHS log", Anchor::kEndOfCalendarYear, Unit::kCalendarDays, 60,
                        std::nullopt, 0, {}}};
  Facts f;
  f.anchors[Anchor::kDiscovery] = At("2026-06-10T12:00:00Z");
  auto d = Evaluate({hipaa}, f);
  EXPECT_EQ(Iso(d[0].due), "2027-03-02T00:00:00Z");
}

TEST(RegulatoryClock, AMissingAnchorLeavesTheDeadlineOpenSayingWhatItWaitsFor) {
  Facts f = Material("2026-07-02T14:00:00Z");
  f.anchors.clear();
  auto d = Evaluate({Sec()}, f);
  ASSERT_EQ(d.size(), 1u);
  EXPECT_FALSE(d[0].due);
  EXPECT_EQ(d[0].waiting_for, "materiality determination");
}

TEST(RegulatoryClock, GdprArt34AppliesOnlyToAHighRiskBreachAndIsDueWithoutUndueDelay) {
  Regime art34;
  art34.id = "gdpr_art34";
  art34.scope.jurisdictions = {"EU"};
  art34.scope.data = {"personal"};
  art34.scope.breach = true;
  art34.scope.high_risk = true;
  art34.stages = {Stage{"communication", "communication to the data subjects", Anchor::kAwareness,
                        Unit::kUndueDelay, 0, std::nullopt, 0, {"likely_consequences"}}};
  ASSERT_TRUE(Validate({art34}).ok()) << "no amount is needed without a fixed period";
  Facts f;
  f.jurisdictions = {"EU"};
  f.data = {"personal"};
  f.breach = true;
  f.anchors[Anchor::kAwareness] = At("2026-03-02T08:00:00Z");
  EXPECT_TRUE(Evaluate({art34}, f).empty()) << "a breach that is not a high risk to people is Art. 33 only";
  f.high_risk = true;
  auto d = Evaluate({art34}, f);
  ASSERT_EQ(d.size(), 1u);
  EXPECT_TRUE(d[0].undue_delay);
  EXPECT_FALSE(d[0].due) << "no fixed deadline to count down";
  EXPECT_TRUE(d[0].waiting_for.empty());
  EXPECT_EQ(d[0].basis, "without undue delay (no fixed period) from awareness (2026-03-02T08:00:00Z)");
}

TEST(RegulatoryClock, DoraDeadlinesOnAWeekendMoveToNoonOnTheNextWorkingDayExceptForExcludedEntities) {
  Regime dora = Dora();
  dora.stages[0].weekend_to_noon = true;
  dora.stages[0].weekend_excluded = {"credit_institution"};
  // Classified Saturday 2026-03-07 08:00 Berlin (07:00 UTC): 4 h later is Saturday 12:00 Berlin.
  Facts f = DoraFacts("2026-03-07T06:00:00Z", "2026-03-07T07:00:00Z");
  f.time_zone = "Europe/Berlin";
  auto d = Evaluate({dora}, f);
  EXPECT_EQ(Iso(d[0].due), "2026-03-09T11:00:00Z") << "Monday 12:00 in Berlin (UTC+1)";
  EXPECT_NE(d[0].basis.find("falls on a weekend in Europe/Berlin (2026-03-07T11:00:00Z)"), std::string::npos)
      << d[0].basis;
  f.entity.insert("credit_institution");
  d = Evaluate({dora}, f);
  EXPECT_EQ(Iso(d[0].due), "2026-03-07T11:00:00Z") << "a credit institution reports on the Saturday";
  // A weekday deadline does not move.
  f = DoraFacts("2026-03-04T06:00:00Z", "2026-03-04T07:00:00Z");
  f.time_zone = "Europe/Berlin";
  EXPECT_EQ(Iso(Evaluate({dora}, f)[0].due), "2026-03-04T11:00:00Z");
}

TEST(RegulatoryRules, ValidationNamesTheField) {
  std::vector<Regime> r = {Dora(), Dora()};
  EXPECT_EQ(Validate(r).error().field, "/1/id");
  r = {Dora()};
  r[0].stages[0].anchor = Anchor::kPreviousSubmission;
  EXPECT_EQ(Validate(r).error().field, "/0/stages/0/anchor");
  r = {Dora()};
  r[0].stages[1].amount = 0;
  EXPECT_EQ(Validate(r).error().field, "/0/stages/1/amount");
  r = {Dora()};
  r[0].effective = "17.1.2025";
  EXPECT_EQ(Validate(r).error().field, "/0/effective");
  EXPECT_TRUE(Validate({Dora(), Sec()}).ok());
  EXPECT_EQ(ParseAnchor("classification_as_major"), Anchor::kClassificationAsMajor);
  EXPECT_FALSE(ParseAnchor("whenever"));
}

}  // namespace
}  // namespace classify
