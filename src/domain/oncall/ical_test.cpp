#include "domain/oncall/ical.h"

#include <gtest/gtest.h>

#include <libical/ical.h>

namespace oncall {
namespace {

core::Timestamp Utc(const char* text) { return core::ParseRfc3339(text).value(); }

Schedule Daily() {
  Definition d;
  d.name = "primary";
  Rotation r;
  r.participants = {"alice", "bob"};
  r.frequency = Frequency::kDaily;
  r.start_local = "2026-12-01T09:00";
  r.time_zone = "Europe/Berlin";
  d.layers.push_back(Layer{"base", {r}});
  return Schedule::Make(d).value();
}

// Parses the feed back with libical and returns its events' (DTSTART, SUMMARY).
std::vector<std::pair<std::string, std::string>> Events(const std::string& feed) {
  std::vector<std::pair<std::string, std::string>> out;
  icalcomponent* cal = icalparser_parse_string(feed.c_str());
  EXPECT_NE(cal, nullptr);
  if (cal == nullptr) return out;
  for (icalcomponent* e = icalcomponent_get_first_component(cal, ICAL_VEVENT_COMPONENT); e != nullptr;
       e = icalcomponent_get_next_component(cal, ICAL_VEVENT_COMPONENT)) {
    out.emplace_back(icaltime_as_ical_string(icalcomponent_get_dtstart(e)), icalcomponent_get_summary(e));
  }
  icalcomponent_free(cal);
  return out;
}

TEST(ICalendarTest, AScheduleFeedHasOneEventPerShiftInUtc) {
  std::string feed = ICalendar(Daily(), Utc("2026-12-01T08:00:00Z"), Utc("2026-12-04T08:00:00Z"), "",
                               Utc("2026-11-29T12:00:00Z"));
  EXPECT_NE(feed.find("BEGIN:VCALENDAR"), std::string::npos);
  EXPECT_NE(feed.find("X-WR-CALNAME:On call: primary"), std::string::npos);
  auto events = Events(feed);
  ASSERT_EQ(events.size(), 3u);
  EXPECT_EQ(events[0], (std::pair<std::string, std::string>{"20261201T080000Z", "On call: alice"}));
  EXPECT_EQ(events[1], (std::pair<std::string, std::string>{"20261202T080000Z", "On call: bob"}));
}

TEST(ICalendarTest, APersonsFeedHasOnlyTheirShiftsWithStableUids) {
  const Schedule s = Daily();
  std::string bob = ICalendar(s, Utc("2026-12-01T08:00:00Z"), Utc("2026-12-05T08:00:00Z"), "bob",
                              Utc("2026-11-29T12:00:00Z"));
  auto events = Events(bob);
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[0].first, "20261202T080000Z");
  EXPECT_EQ(events[0].second, "On call (primary)");
  std::string again = ICalendar(s, Utc("2026-12-01T08:00:00Z"), Utc("2026-12-05T08:00:00Z"), "bob",
                                Utc("2026-11-30T12:00:00Z"));
  auto uid = [](const std::string& feed) { return feed.substr(feed.find("UID:"), 30); };
  EXPECT_EQ(uid(bob), uid(again));  // refreshed later: the same event, not a new one
}

}  // namespace
}  // namespace oncall
