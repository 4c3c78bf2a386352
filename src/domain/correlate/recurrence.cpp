#include "domain/correlate/recurrence.h"

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cstdlib>
#include <exception>
#include <memory>
#include <numeric>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <date/date.h>
#include <date/tz.h>
#include <libical/ical.h>

#include "core/local_time.h"

namespace correlate {
namespace {

using std::chrono::hours;
using std::chrono::minutes;
using std::chrono::seconds;
using LocalSeconds = date::local_seconds;
using LocalTime = date::local_time<core::Duration>;

constexpr core::Duration kMaxDuration = hours(24 * 3660);
constexpr int64_t kMakeSteps = 10 * Schedule::kMaxStepsPerQuery;
constexpr int64_t kOverlapCheckOccurrences = 1000;
constexpr const char* kRruleField = "/rrule";

// libical (64-bit time_t) generates nothing after the year 2582.
constexpr LocalSeconds kLibicalEnd{date::local_days{date::year{2583} / 1 / 1}};
// Queries outside these bounds are clamped (before) or empty (after): every occurrence lies in between, and keeping t
// in range keeps the local-time arithmetic far from overflow.
constexpr core::Timestamp kQueryBegin{date::sys_days{date::year{1900} / 1 / 1}};
constexpr core::Timestamp kQueryEnd{date::sys_days{date::year{2583} / 1 / 1}};

// A floating (zone-less) libical date-time.
icaltimetype ToIcal(LocalSeconds t) {
  const date::local_days day = date::floor<date::days>(t);
  const date::year_month_day ymd{day};
  const date::hh_mm_ss<seconds> time{t - day};
  icaltimetype out = icaltime_null_time();
  out.year = static_cast<int>(ymd.year());
  out.month = static_cast<int>(static_cast<unsigned>(ymd.month()));
  out.day = static_cast<int>(static_cast<unsigned>(ymd.day()));
  out.hour = static_cast<int>(time.hours().count());
  out.minute = static_cast<int>(time.minutes().count());
  out.second = static_cast<int>(time.seconds().count());
  out.is_date = 0;
  out.zone = nullptr;
  return out;
}

date::year_month_day DateOf(const icaltimetype& t) {
  return date::year_month_day{date::year{t.year}, date::month{static_cast<unsigned>(t.month)},
                              date::day{static_cast<unsigned>(t.day)}};
}

seconds TimeOfDay(const icaltimetype& t) { return hours(t.hour) + minutes(t.minute) + seconds(t.second); }

LocalSeconds FromIcal(const icaltimetype& t) { return LocalSeconds{date::local_days{DateOf(t)}} + TimeOfDay(t); }

bool HasPart(const short* list) { return list[0] != ICAL_RECURRENCE_ARRAY_MAX; }

int64_t PartSize(const short* list, size_t capacity) {
  size_t n = 0;
  while (n < capacity && list[n] != ICAL_RECURRENCE_ARRAY_MAX) ++n;
  return static_cast<int64_t>(n);
}

// libical walks BYSECOND/BYMINUTE/BYHOUR in the order written, so "BYHOUR=23,1" came out of order. They are sets.
void SortPart(short* list, size_t capacity) {
  const size_t n = static_cast<size_t>(PartSize(list, capacity));
  std::sort(list, list + n);
  short* end = std::unique(list, list + n);
  if (end < list + capacity) *end = ICAL_RECURRENCE_ARRAY_MAX;
}

// False when no BYMONTHDAY value exists in any BYMONTH month (February 30th, April 31st): libical would search on
// to the year 20000 before giving up.
bool MonthDaysCanMatch(const icalrecurrencetype& ical) {
  if (!HasPart(ical.by_month) || !HasPart(ical.by_month_day)) return true;
  static constexpr int kLongestMonth[13] = {0, 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  for (size_t m = 0; m < ICAL_BY_MONTH_SIZE && ical.by_month[m] != ICAL_RECURRENCE_ARRAY_MAX; ++m) {
    const int month = ical.by_month[m];
    if (month < 1 || month > 12) return true;  // not ours to judge; libical decides
    for (size_t d = 0; d < ICAL_BY_MONTHDAY_SIZE && ical.by_month_day[d] != ICAL_RECURRENCE_ARRAY_MAX; ++d) {
      if (std::abs(ical.by_month_day[d]) <= kLongestMonth[month]) return true;
    }
  }
  return false;
}

bool StartsWithNoCase(std::string_view s, std::string_view prefix) {
  if (s.size() < prefix.size()) return false;
  for (size_t i = 0; i < prefix.size(); ++i) {
    if (std::toupper(static_cast<unsigned char>(s[i])) != prefix[i]) return false;
  }
  return true;
}

// The RRULE with COUNT and UNTIL taken out: the caller enforces them, so libical only generates the unbounded
// sequence and can be started anywhere in it.
struct ParsedRule {
  icalrecurrencetype ical;
  int count = 0;
  std::optional<LocalSeconds> last_start;  // from a floating or date UNTIL (inclusive)
  std::optional<core::Timestamp> until;    // from a UTC UNTIL (inclusive)
};

core::Result<ParsedRule> ParseRule(const std::string& text) {
  if (StartsWithNoCase(text, "RRULE:")) {
    return core::Invalid("write the rule without the \"RRULE:\" prefix", kRruleField);
  }
  icalerror_clear_errno();
  ParsedRule out;
  out.ical = icalrecurrencetype_from_string(text.c_str());
  if (out.ical.rscale != nullptr) {
    icalmemory_free_buffer(out.ical.rscale);
    return core::Invalid("RSCALE (non-Gregorian calendars) is not supported", kRruleField);
  }
  if (icalerrno != ICAL_NO_ERROR || out.ical.freq == ICAL_NO_RECURRENCE) {
    icalerror_clear_errno();
    return core::Invalid("not an RFC 5545 recurrence rule with a FREQ", kRruleField);
  }
  icalrecurrencetype& ical = out.ical;
  // Below HOURLY libical steps second by second or minute by minute (and ignores INTERVAL with BYSECOND), so a sparse
  // rule costs seconds to rule out; a maintenance window does not repeat more often than hourly anyway.
  if (ical.freq == ICAL_SECONDLY_RECURRENCE || ical.freq == ICAL_MINUTELY_RECURRENCE) {
    return core::Invalid("FREQ must be HOURLY, DAILY, WEEKLY, MONTHLY or YEARLY", kRruleField);
  }
  if (!MonthDaysCanMatch(ical)) {
    return core::Invalid("no BYMONTHDAY exists in the BYMONTH months (like February 30th)", kRruleField);
  }
  const bool monthly_or_yearly = ical.freq == ICAL_MONTHLY_RECURRENCE || ical.freq == ICAL_YEARLY_RECURRENCE;
  // Parts libical 3.0.16 accepts but expands wrongly: BYWEEKNO when started mid-rule; BYSETPOS is ignored below
  // MONTHLY; a numbered BYDAY below MONTHLY (not valid RFC 5545) gives wrong days or never returns.
  if (HasPart(ical.by_week_no)) return core::Invalid("BYWEEKNO is not supported", kRruleField);
  if (!monthly_or_yearly && HasPart(ical.by_set_pos)) {
    return core::Invalid("BYSETPOS needs FREQ=MONTHLY or FREQ=YEARLY", kRruleField);
  }
  for (size_t i = 0; !monthly_or_yearly && i < ICAL_BY_DAY_SIZE && ical.by_day[i] != ICAL_RECURRENCE_ARRAY_MAX;
       ++i) {
    if (icalrecurrencetype_day_position(ical.by_day[i]) != 0) {
      return core::Invalid("a numbered BYDAY (like 1MO) needs FREQ=MONTHLY or FREQ=YEARLY", kRruleField);
    }
  }
  if (ical.count > Schedule::kMaxCount) {
    return core::Invalid("COUNT is above " + std::to_string(Schedule::kMaxCount) + "; use UNTIL", kRruleField);
  }
  SortPart(ical.by_second, ICAL_BY_SECOND_SIZE);
  SortPart(ical.by_minute, ICAL_BY_MINUTE_SIZE);
  SortPart(ical.by_hour, ICAL_BY_HOUR_SIZE);

  if (!icaltime_is_null_time(ical.until)) {
    const icaltimetype& u = ical.until;
    if (!DateOf(u).ok()) return core::Invalid("UNTIL is not a valid date", kRruleField);
    if (u.is_date) {
      out.last_start = LocalSeconds{date::local_days{DateOf(u)} + date::days{1}} - seconds{1};
    } else if (icaltime_is_utc(u)) {
      out.until = core::Timestamp{date::sys_days{DateOf(u)} + TimeOfDay(u)};
    } else {
      out.last_start = FromIcal(u);
    }
    ical.until = icaltime_null_time();
  }
  out.count = ical.count;
  ical.count = 0;
  return out;
}

// The length of one FREQ*INTERVAL period when it is fixed in floating local time (HOURLY to WEEKLY), else 0.
seconds FixedPeriod(const icalrecurrencetype& ical) {
  seconds unit{0};
  switch (ical.freq) {
    case ICAL_HOURLY_RECURRENCE: unit = hours{1}; break;
    case ICAL_DAILY_RECURRENCE: unit = date::days{1}; break;
    case ICAL_WEEKLY_RECURRENCE: unit = date::weeks{1}; break;
    default: break;
  }
  return unit * ical.interval;
}

// libical starts its sequence at DTSTART with the time of day overwritten by the first BYHOUR, BYMINUTE and BYSECOND
// values (set_datetime): for FREQ=HOURLY;INTERVAL=5;BYHOUR=1,3 from 02:30 the grid of 5 hours starts at 01:30. This is
// that adjusted start, the anchor the sequence is a grid of periods from.
LocalSeconds LibicalAnchor(const icalrecurrencetype& ical, LocalSeconds dtstart) {
  const date::local_days day = date::floor<date::days>(dtstart);
  const date::hh_mm_ss<seconds> time{dtstart - day};
  const auto part = [](const short* list, auto fallback) {
    return HasPart(list) ? static_cast<int64_t>(list[0]) : static_cast<int64_t>(fallback.count());
  };
  return day + hours(part(ical.by_hour, time.hours())) + minutes(part(ical.by_minute, time.minutes())) +
         seconds(part(ical.by_second, time.seconds()));
}

// The step to move DTSTART forward by without changing the sequence: whole periods that keep the anchor's time of
// day where a BY list sets it (so libical's overwrite is a no-op), i.e. also whole days with BYHOUR, whole hours with
// BYMINUTE, whole minutes with BYSECOND. 0 when the period is not fixed. With HOURLY and BYHOUR that is at most 24
// periods.
seconds ShiftStep(const icalrecurrencetype& ical, seconds period) {
  if (period <= seconds::zero()) return seconds::zero();
  seconds cycle{1};
  if (HasPart(ical.by_hour)) {
    cycle = date::days{1};
  } else if (HasPart(ical.by_minute)) {
    cycle = hours{1};
  } else if (HasPart(ical.by_second)) {
    cycle = minutes{1};
  }
  return seconds{std::lcm(period.count(), cycle.count())};
}

// How many candidate times libical tries per FREQ period: the product of the BY lists that expand it.
int64_t StepsPerPeriod(const icalrecurrencetype& ical) {
  const int64_t s = std::max<int64_t>(1, PartSize(ical.by_second, ICAL_BY_SECOND_SIZE));
  const int64_t m = std::max<int64_t>(1, PartSize(ical.by_minute, ICAL_BY_MINUTE_SIZE));
  const int64_t h = std::max<int64_t>(1, PartSize(ical.by_hour, ICAL_BY_HOUR_SIZE));
  switch (ical.freq) {
    case ICAL_HOURLY_RECURRENCE: return m * s;
    case ICAL_DAILY_RECURRENCE: return h * m * s;
    case ICAL_WEEKLY_RECURRENCE: return 7 * h * m * s;
    default: return 1;
  }
}

using IteratorPtr = std::unique_ptr<icalrecur_iterator, decltype(&icalrecur_iterator_free)>;

IteratorPtr NewIterator(const icalrecurrencetype& ical, LocalSeconds dtstart) {
  // set_start (called by _new) tests icalerrno without clearing it first, so a stale error would fail it.
  icalerror_clear_errno();
  return IteratorPtr(icalrecur_iterator_new(ical, ToIcal(dtstart)), &icalrecur_iterator_free);
}

}  // namespace

struct Schedule::Rule {
  enum class End { kStopped, kExhausted, kStepLimit };

  const date::time_zone* zone = nullptr;
  LocalSeconds first{};
  core::Duration duration{};
  bool recurring = false;
  icalrecurrencetype ical{};                // COUNT and UNTIL cleared: enforced through the two bounds below
  std::optional<LocalSeconds> last_start;   // COUNT's last occurrence, or a floating or date UNTIL
  std::optional<core::Timestamp> until;     // a UTC UNTIL: no occurrence starts after it
  seconds period{0};                        // FixedPeriod(ical)
  LocalSeconds anchor{};                    // LibicalAnchor(ical, first)
  seconds shift_step{0};                    // ShiftStep(ical, period)
  int64_t steps_per_period = 1;             // StepsPerPeriod(ical)

  // The instant a local time denotes, by the rules in the header: the first instant after a gap, the earlier of two.
  core::Timestamp ToInstant(LocalTime t) const { return core::LocalToInstant(*zone, t); }

  // Calls visit(local start) for each occurrence starting at or after `from`, in order, until visit returns false,
  // the rule ends, or `max_steps` libical steps or occurrences have been spent.
  template <typename Visit>
  End Expand(LocalSeconds from, int64_t max_steps, Visit&& visit) const {
    if (!recurring) {
      if (first < from) return End::kExhausted;
      return visit(first) ? End::kExhausted : End::kStopped;
    }
    // Start libical near `from` instead of at start_local. For fixed-length periods, move DTSTART forward by whole
    // shift steps from the anchor: the sequence is unchanged from there on (the BY defaults taken from DTSTART, its
    // weekday and time of day, stay the same), while libical 3.0's set_start ignores INTERVAL below DAILY. MONTHLY
    // and YEARLY use set_start, which matched a from-the-start expansion for every rule kind tried except BYWEEKNO
    // (refused).
    LocalSeconds dtstart = first;
    bool use_set_start = false;
    if (from > first) {
      if (shift_step > seconds::zero()) {
        if (from > anchor) dtstart = std::max(first, anchor + ((from - anchor) / shift_step) * shift_step);
      } else {
        use_set_start = true;
      }
    }
    // libical checks UNTIL at every internal step, so an UNTIL bounds its work even for a rule that matches rarely
    // (FREQ=HOURLY;BYMONTH=2;BYMONTHDAY=29 would otherwise step hour by hour for years inside one call).
    icalrecurrencetype bounded = ical;
    std::optional<LocalSeconds> stop = last_start;
    if (until) {
      // A superset: the wall clock never falls back by two days. The exact test on instants is below.
      const LocalSeconds local_until = date::floor<seconds>(zone->to_local(*until)) + date::days{2};
      if (!stop || local_until < *stop) stop = local_until;
    }
    bool stop_is_step_limit = false;
    if (period > seconds::zero()) {
      // Counted from DTSTART, so catching up from a shifted DTSTART to `from` spends from the same bound.
      const int64_t periods = std::max<int64_t>(1, max_steps / steps_per_period);
      const LocalSeconds horizon = dtstart + periods * period;
      if (horizon < from) return End::kStepLimit;
      if (horizon < kLibicalEnd && (!stop || horizon < *stop)) {
        stop = horizon;
        stop_is_step_limit = true;
      }
    }
    if (stop) {
      if (*stop < from) return End::kExhausted;
      bounded.until = ToIcal(*stop);
    }
    IteratorPtr it = NewIterator(bounded, dtstart);
    if (!it) return End::kExhausted;
    if (use_set_start) {
      icalerror_clear_errno();
      if (!icalrecur_iterator_set_start(it.get(), ToIcal(from))) return End::kExhausted;
    }
    std::optional<LocalSeconds> previous;
    for (int64_t step = 0; step < max_steps; ++step) {
      const icaltimetype next = icalrecur_iterator_next(it.get());
      if (icaltime_is_null_time(next)) return stop_is_step_limit ? End::kStepLimit : End::kExhausted;
      const LocalSeconds start = FromIcal(next);
      // Callers rely on increasing starts; SortPart fixed the one disorder seen, this drops any other.
      if (previous && start <= *previous) continue;
      previous = start;
      if (start < from) continue;
      if (last_start && start > *last_start) return End::kExhausted;
      if (until && ToInstant(start) > *until) return End::kExhausted;
      if (!visit(start)) return End::kStopped;
    }
    return End::kStepLimit;
  }

  std::vector<Interval> Collect(core::Timestamp t, size_t n) const {
    std::vector<Interval> out;
    if (n == 0 || t >= kQueryEnd) return out;
    t = std::max(t, kQueryBegin);
    // An occurrence starting at or before local(t) - duration ends at or before local(t), which is no later than t
    // (the local-to-instant mapping is monotonic and maps local(t) to t or, in an overlap, earlier).
    const LocalSeconds from = date::floor<seconds>(zone->to_local(t) - duration);
    Expand(from, kMaxStepsPerQuery, [&](LocalSeconds local_start) {
      const Interval occurrence{ToInstant(local_start), ToInstant(LocalTime{local_start} + duration)};
      if (occurrence.end <= occurrence.start || occurrence.end <= t) return true;
      out.push_back(occurrence);
      return out.size() < n;
    });
    return out;
  }
};

core::Result<Schedule> Schedule::Make(Recurrence r, core::Duration max_length) {
  auto rule = std::make_shared<Rule>();
  try {
    date::get_tzdb();
  } catch (const std::exception& e) {
    return core::Internal(std::string("time zone database unavailable: ") + e.what());
  }
  try {
    rule->zone = date::locate_zone(r.time_zone);
  } catch (const std::exception&) {
    return core::Invalid("unknown time zone \"" + r.time_zone + "\"", "/time_zone");
  }
  const std::optional<LocalSeconds> first = core::ParseLocalDateTime(r.start_local);
  if (!first) {
    return core::Invalid("start_local must be a local date-time YYYY-MM-DDTHH:MM[:SS] (no offset) in the years " +
                             std::to_string(core::kMinLocalYear) + " to " + std::to_string(core::kMaxLocalYear),
                         "/start_local");
  }
  rule->first = *first;
  if (r.duration <= core::Duration::zero()) return core::Invalid("duration must be positive", "/duration");
  if (max_length > core::Duration::zero() && r.duration > max_length) {
    return core::Invalid("duration is longer than the maximum of " + core::FormatDuration(max_length), "/duration");
  }
  if (r.duration > kMaxDuration) return core::Invalid("duration is longer than 3660 days", "/duration");
  rule->duration = r.duration;
  if (r.rrule.empty()) return Schedule(std::move(r), std::move(rule));

  core::Result<ParsedRule> parsed = ParseRule(r.rrule);
  if (!parsed.ok()) return parsed.error();
  rule->recurring = true;
  rule->ical = parsed->ical;
  rule->last_start = parsed->last_start;
  rule->until = parsed->until;
  rule->period = FixedPeriod(rule->ical);
  rule->anchor = LibicalAnchor(rule->ical, rule->first);
  rule->shift_step = ShiftStep(rule->ical, rule->period);
  rule->steps_per_period = StepsPerPeriod(rule->ical);
  if (!NewIterator(rule->ical, rule->first)) {
    icalerror_clear_errno();
    return core::Invalid("libical rejects this combination of rule parts", kRruleField);
  }

  // One pass from the start: the overlap check, that there is an occurrence at all, and COUNT's last occurrence.
  const int64_t count = parsed->count;
  int64_t seen = 0;
  bool overlap = false;
  std::optional<LocalSeconds> previous;
  const Rule::End end = rule->Expand(rule->first, kMakeSteps, [&](LocalSeconds start) {
    if (previous && start - *previous < rule->duration) {
      overlap = true;
      return false;
    }
    previous = start;
    ++seen;
    return seen < (count > 0 ? count : kOverlapCheckOccurrences);
  });
  if (overlap) {
    return core::Invalid("the rule repeats more often than the duration, so occurrences would overlap", kRruleField);
  }
  if (seen == 0) {
    return core::Invalid(end == Rule::End::kStepLimit ? "no occurrence found near start_local: the rule is too sparse"
                                                      : "the rule has no occurrence at or after start_local",
                         kRruleField);
  }
  if (count > 0) {
    if (seen < count && end == Rule::End::kStepLimit) {
      return core::Invalid("the rule's COUNT occurrences are too far apart to expand", kRruleField);
    }
    rule->last_start = previous;
  }
  return Schedule(std::move(r), std::move(rule));
}

std::optional<Interval> Schedule::ActiveAt(core::Timestamp t) const {
  std::optional<Interval> next = NextEndingAfter(t);
  if (next && next->start <= t) return next;
  return std::nullopt;
}

std::optional<Interval> Schedule::NextEndingAfter(core::Timestamp t) const {
  std::vector<Interval> next = rule_->Collect(t, 1);
  if (next.empty()) return std::nullopt;
  return next.front();
}

std::vector<Interval> Schedule::Upcoming(core::Timestamp t, size_t n) const { return rule_->Collect(t, n); }

}  // namespace correlate
