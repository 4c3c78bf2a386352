#include "domain/classify/regulatory.h"

#include <date/date.h>
#include <date/tz.h>

#include <algorithm>

#include "core/local_time.h"

namespace classify {
namespace {

using date::days;
using date::sys_days;

struct AnchorName {
  Anchor anchor;
  const char* id;
  const char* text;
};
constexpr AnchorName kAnchors[] = {
    {Anchor::kAwareness, "awareness", "awareness"},
    {Anchor::kAwarenessOfSignificant, "awareness_of_significant_incident", "awareness of a significant incident"},
    {Anchor::kClassificationAsMajor, "classification_as_major", "classification as major"},
    {Anchor::kPreviousSubmission, "submission_of_previous_report", "submission of the previous report"},
    {Anchor::kMaterialityDetermination, "materiality_determination", "materiality determination"},
    {Anchor::kDiscovery, "discovery", "discovery"},
    {Anchor::kDeterminationOfBreach, "determination_of_breach", "determination of the breach"},
    {Anchor::kEndOfCalendarYear, "end_of_calendar_year", "31 December of the year of discovery"},
};

const char* Text(Anchor a) {
  for (const auto& n : kAnchors) {
    if (n.anchor == a) return n.text;
  }
  return "?";
}

sys_days Nth(date::year y, date::month m, date::weekday wd, unsigned n) {
  return sys_days(y / m / wd[n]);
}
sys_days Last(date::year y, date::month m, date::weekday wd) { return sys_days(y / m / wd[date::last]); }

// A fixed-date holiday as observed: Saturday → Friday before, Sunday → Monday after.
sys_days Observed(sys_days d) {
  date::weekday wd{d};
  if (wd == date::Saturday) return d - days(1);
  if (wd == date::Sunday) return d + days(1);
  return d;
}

bool HolidayOfYear(sys_days d, date::year y) {
  using namespace date;
  const sys_days fixed[] = {sys_days(y / January / 1), sys_days(y / July / 4), sys_days(y / November / 11),
                            sys_days(y / December / 25)};
  for (sys_days f : fixed) {
    if (Observed(f) == d) return true;
  }
  if (y >= year(2021) && Observed(sys_days(y / June / 19)) == d) return true;  // Juneteenth, since 2021
  return d == Nth(y, January, Monday, 3) ||   // Martin Luther King Jr. Day
         d == Nth(y, February, Monday, 3) ||  // Washington's Birthday
         d == Last(y, May, Monday) ||         // Memorial Day
         d == Nth(y, September, Monday, 1) || // Labor Day
         d == Nth(y, October, Monday, 2) ||   // Columbus Day
         d == Nth(y, November, Thursday, 4);  // Thanksgiving Day
}

bool BusinessDay(sys_days d) {
  date::weekday wd{d};
  if (wd == date::Saturday || wd == date::Sunday) return false;
  return !IsUsFederalHoliday(d.time_since_epoch().count());
}

// When `t` falls on a Saturday or Sunday in `zone`: 12:00 of the following Monday there. nullopt on a weekday or
// for an unknown zone.
std::optional<core::Timestamp> NextWorkingNoon(core::Timestamp t, const std::string& zone_name) {
  const date::time_zone* zone = nullptr;
  try {
    zone = date::locate_zone(zone_name);
  } catch (const std::exception&) {
    return std::nullopt;
  }
  const auto local = zone->to_local(date::floor<std::chrono::seconds>(t));
  sys_days day{date::floor<days>(local).time_since_epoch()};
  const date::weekday wd{day};
  if (wd != date::Saturday && wd != date::Sunday) return std::nullopt;
  day += days(wd == date::Saturday ? 2 : 1);
  return core::LocalToInstant(*zone, date::local_time<core::Duration>(day.time_since_epoch()) + std::chrono::hours(12));
}

std::string Amount(Unit unit, int64_t n) {
  std::string s = std::to_string(n);
  switch (unit) {
    case Unit::kHours: return s + " h";
    case Unit::kCalendarDays: return s + (n == 1 ? " calendar day" : " calendar days");
    case Unit::kUsBusinessDays: return s + (n == 1 ? " US business day" : " US business days");
    case Unit::kMonths: return s + (n == 1 ? " month" : " months");
    case Unit::kUndueDelay: return "without undue delay";
  }
  return s;
}

}  // namespace

const char* ToString(Anchor anchor) {
  for (const auto& n : kAnchors) {
    if (n.anchor == anchor) return n.id;
  }
  return "?";
}

std::optional<Anchor> ParseAnchor(std::string_view text) {
  for (const auto& n : kAnchors) {
    if (text == n.id) return n.anchor;
  }
  return std::nullopt;
}

const char* ToString(Unit unit) {
  switch (unit) {
    case Unit::kHours: return "hours";
    case Unit::kCalendarDays: return "calendar_days";
    case Unit::kUsBusinessDays: return "us_business_days";
    case Unit::kMonths: return "months";
    case Unit::kUndueDelay: return "without_undue_delay";
  }
  return "?";
}

std::optional<Unit> ParseUnit(std::string_view text) {
  for (Unit u : {Unit::kHours, Unit::kCalendarDays, Unit::kUsBusinessDays, Unit::kMonths, Unit::kUndueDelay}) {
    if (text == ToString(u)) return u;
  }
  return std::nullopt;
}

bool IsUsFederalHoliday(int64_t days_since_epoch) {
  const sys_days d{days(days_since_epoch)};
  const date::year y = date::year_month_day(d).year();
  // New Year's Day on a Saturday is observed on 31 December of the year before.
  return HolidayOfYear(d, y) || HolidayOfYear(d, y + date::years(1));
}

core::Timestamp AddTime(core::Timestamp t, Unit unit, int64_t amount) {
  switch (unit) {
    case Unit::kHours: return t + std::chrono::hours(amount);
    case Unit::kCalendarDays: return t + days(amount);
    case Unit::kMonths: {
      const sys_days day = date::floor<days>(t);
      const auto time_of_day = t - day;
      date::year_month_day ymd(day);
      date::year_month ym = ymd.year() / ymd.month() + date::months(amount);
      date::year_month_day target = ym / std::min(ymd.day(), (ym / date::last).day());
      return sys_days(target) + time_of_day;
    }
    case Unit::kUsBusinessDays: {
      // The filing day is counted in New York: the n-th business day after the day of `t`, due at 17:30 there.
      static const date::time_zone* ny = date::locate_zone("America/New_York");
      const auto local = ny->to_local(date::floor<std::chrono::seconds>(t));
      sys_days day{date::floor<days>(local).time_since_epoch()};
      for (int64_t n = 0; n < amount;) {
        day += days(1);
        if (BusinessDay(day)) ++n;
      }
      const auto due_local = date::local_time<core::Duration>(day.time_since_epoch()) + std::chrono::hours(17) +
                             std::chrono::minutes(30);
      return core::LocalToInstant(*ny, due_local);
    }
    case Unit::kUndueDelay: return t;  // no fixed period
  }
  return t;
}

core::Status Validate(const std::vector<Regime>& regimes) {
  std::set<std::string> ids;
  for (size_t i = 0; i < regimes.size(); ++i) {
    const Regime& r = regimes[i];
    const std::string at = "/" + std::to_string(i);
    if (r.id.empty() || !ids.insert(r.id).second) return core::Invalid("a regime needs a unique id", at + "/id");
    if (!r.effective.empty() && (r.effective.size() != 10 || !core::ParseLocalDateTime(r.effective + "T00:00"))) {
      return core::Invalid("effective must be a date YYYY-MM-DD", at + "/effective");
    }
    if (r.stages.empty()) return core::Invalid("a regime needs at least one stage", at + "/stages");
    std::set<std::string> stages;
    for (size_t k = 0; k < r.stages.size(); ++k) {
      const Stage& s = r.stages[k];
      const std::string sat = at + "/stages/" + std::to_string(k);
      if (s.id.empty() || !stages.insert(s.id).second) return core::Invalid("a stage needs a unique id", sat + "/id");
      if (s.amount <= 0 && s.unit != Unit::kUndueDelay) {
        return core::Invalid("a stage needs a positive amount", sat + "/amount");
      }
      if (s.anchor == Anchor::kPreviousSubmission && k == 0) {
        return core::Invalid("the first stage has no previous report to count from", sat + "/anchor");
      }
      if (s.outer_anchor && s.outer_hours <= 0) {
        return core::Invalid("an outer limit needs positive hours", sat + "/outer_hours");
      }
    }
  }
  return core::Ok();
}

bool Applies(const Regime& r, const Facts& f) {
  auto any = [](const std::vector<std::string>& want, const std::set<std::string>& have) {
    if (want.empty()) return true;
    for (const auto& w : want) {
      if (have.count(w)) return true;
    }
    return false;
  };
  const Scope& s = r.scope;
  if (!any(s.jurisdictions, f.jurisdictions) || !any(s.data, f.data) || !any(s.entity, f.entity)) return false;
  if (!s.categories.empty() &&
      std::find(s.categories.begin(), s.categories.end(), f.category) == s.categories.end()) {
    return false;
  }
  if ((s.major && !f.major) || (s.breach && !f.breach) || (s.material && !f.material) ||
      (s.high_risk && !f.high_risk)) {
    return false;
  }
  if (!r.effective.empty()) {
    auto aware = f.anchors.find(Anchor::kAwareness);
    auto effective = core::ParseLocalDateTime(r.effective + "T00:00");
    if (aware != f.anchors.end() && effective &&
        aware->second < core::Timestamp(std::chrono::duration_cast<core::Duration>(effective->time_since_epoch()))) {
      return false;
    }
  }
  return true;
}

std::vector<Deadline> Evaluate(const std::vector<Regime>& regimes, const Facts& f) {
  std::vector<Deadline> out;
  for (const Regime& r : regimes) {
    if (!Applies(r, f)) continue;
    for (size_t k = 0; k < r.stages.size(); ++k) {
      const Stage& s = r.stages[k];
      Deadline d;
      d.regime = r.id;
      d.regime_name = r.name;
      d.stage = s.id;
      d.stage_name = s.name;
      d.required_fields = s.required_fields;
      if (auto sub = f.submissions.find({r.id, s.id}); sub != f.submissions.end()) d.submitted = sub->second;
      std::optional<core::Timestamp> anchor;
      std::string anchor_text = Text(s.anchor);
      if (s.anchor == Anchor::kPreviousSubmission) {
        const Stage& prev = r.stages[k - 1];
        anchor_text = "submission of the " + (prev.name.empty() ? prev.id : prev.name);
        if (auto p = f.submissions.find({r.id, prev.id}); p != f.submissions.end()) anchor = p->second;
      } else if (s.anchor == Anchor::kEndOfCalendarYear) {
        if (auto disc = f.anchors.find(Anchor::kDiscovery); disc != f.anchors.end()) {
          const date::year y = date::year_month_day(date::floor<days>(disc->second)).year();
          anchor = core::Timestamp(sys_days((y + date::years(1)) / date::January / 1).time_since_epoch());
        }
      } else if (auto a = f.anchors.find(s.anchor); a != f.anchors.end()) {
        anchor = a->second;
      }
      d.undue_delay = s.unit == Unit::kUndueDelay;
      if (!anchor) {
        d.waiting_for = anchor_text;
        d.basis = Amount(s.unit, s.amount) + " from " + anchor_text + " (not yet known)";
        out.push_back(std::move(d));
        continue;
      }
      if (d.undue_delay) {
        d.basis = "without undue delay (no fixed period) from " + anchor_text + " (" + core::FormatRfc3339(*anchor) +
                  ")";
        out.push_back(std::move(d));
        continue;
      }
      core::Timestamp due = AddTime(*anchor, s.unit, s.amount);
      d.basis = Amount(s.unit, s.amount) + " from " + anchor_text + " (" + core::FormatRfc3339(*anchor) + ")";
      if (s.unit == Unit::kUsBusinessDays) d.basis += ", by 17:30 New York time";
      if (s.outer_anchor) {
        auto outer = f.anchors.find(*s.outer_anchor);
        if (outer != f.anchors.end()) {
          const core::Timestamp limit = outer->second + std::chrono::hours(s.outer_hours);
          if (*anchor > limit) {
            d.basis += "; " + std::string(Text(s.anchor)) + " came after the " + std::to_string(s.outer_hours) +
                       " h outer limit from " + Text(*s.outer_anchor) + ", so it governs alone";
          } else if (limit < due) {
            due = limit;
            d.basis += ", capped at " + std::to_string(s.outer_hours) + " h from " + Text(*s.outer_anchor) + " (" +
                       core::FormatRfc3339(outer->second) + ")";
          }
        }
      }
      if (s.weekend_to_noon) {
        bool excluded = false;
        for (const auto& e : s.weekend_excluded) excluded = excluded || f.entity.count(e) != 0;
        if (excluded) {
          d.basis += "; the weekend rule does not apply to this entity";
        } else if (auto moved = NextWorkingNoon(due, f.time_zone)) {
          d.basis += "; falls on a weekend in " + f.time_zone + " (" + core::FormatRfc3339(due) +
                     "): moved to 12:00 on the next working day (bank holidays not counted)";
          due = *moved;
        }
      }
      d.due = due;
      out.push_back(std::move(d));
    }
  }
  return out;
}

}  // namespace classify
