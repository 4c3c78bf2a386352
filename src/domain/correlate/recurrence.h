// When a maintenance window is open: a one-off or RFC 5545 RRULE recurrence of a wall-clock interval in an IANA time
// zone, turned into UTC intervals. Pure: time is passed in; the only outside data read is the system tz database.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/result.h"
#include "core/time.h"

namespace correlate {

struct Recurrence {
  std::string time_zone = "UTC";  // IANA name, e.g. "Europe/Berlin"
  std::string start_local;        // first occurrence's local start, "2026-03-01T02:00:00" (seconds optional)
  core::Duration duration{};      // wall-clock length: an occurrence ends at local start + duration
  std::string rrule;              // "FREQ=WEEKLY;BYDAY=SU" (without "RRULE:"); empty = one-off
};

// [start, end), start < end.
struct Interval {
  core::Timestamp start;
  core::Timestamp end;
  bool operator==(const Interval&) const = default;
};

// A Recurrence parsed and checked once; cheap to query. Immutable and deterministic: the same Recurrence and tz
// database give the same answers. Copies share the parsed rule; const methods may be called from several threads.
//
// Occurrences are computed in local wall-clock time: the RRULE is expanded from start_local in floating local time
// (libical, no TZID), and each occurrence runs from local start to local start + duration. Each local time is then
// turned into an instant with the zone's rules:
// - a local time in a spring-forward gap moves to the first instant after the gap (Berlin 2026-03-29 02:30 ->
//   03:00 CEST = 01:00Z);
// - an ambiguous local time (autumn overlap) is the EARLIER of its two instants, for start and end alike, so a window
//   never runs past the first time the clock shows its end time;
// - an occurrence whose end is then not after its start (it lies inside a gap) is skipped. It still counts towards
//   COUNT.
// So a window Sunday 02:00-04:00 Europe/Berlin lasts 2 h on a normal Sunday, 1 h on 2026-03-29 (01:00Z-02:00Z) and
// 3 h on 2026-10-25 (00:00Z-03:00Z). Occurrences never overlap and are ordered by start and by end alike.
//
// RRULE reading: start_local anchors the rule (its time of day and the defaults of absent BY* parts, like DTSTART);
// when start_local does not match the rule it is not an occurrence, and the first occurrence is the first match
// after it. UNTIL is inclusive and may be a local date-time ("20261231T235959"), a UTC date-time ("...Z": no
// occurrence starts after that instant) or a date ("20261231": through the end of that local day). Occurrences end
// in the year 2582 (libical's limit).
class Schedule {
 public:
  // Work bound of one query: libical steps (candidate times tried) and occurrences visited. A rule so sparse that its
  // next occurrence lies further away than this (FREQ=HOURLY;BYMONTH=2;BYMONTHDAY=29 queried on March 1st 2028)
  // reports no occurrence rather than searching for years.
  static constexpr int64_t kMaxStepsPerQuery = 10000;
  static constexpr int64_t kMaxCount = 10000;  // largest COUNT accepted (use UNTIL beyond)

  // Parses and checks `r`. kInvalid naming the field:
  // - "/time_zone": not a zone in the tz database;
  // - "/start_local": not "YYYY-MM-DDTHH:MM[:SS]" (no offset, no fraction), not a real calendar date-time, or a
  //   year outside 1970..2500;
  // - "/duration": not > 0, longer than `max_length` when max_length > 0, or longer than 3660 days;
  // - "/rrule": libical rejects it or it has no FREQ; it has an "RRULE:" prefix; FREQ=SECONDLY or MINUTELY; it uses
  //   a part libical 3.0 gets wrong (BYWEEKNO; BYSETPOS other than with MONTHLY/YEARLY; a numbered BYDAY like 1MO
  //   other than with MONTHLY/YEARLY) or RSCALE; a BYMONTHDAY no BYMONTH month has (February 30th); COUNT >
  //   kMaxCount; it recurs more often than the duration, so occurrences would
  //   overlap (checked over the first 1000 occurrences, or all COUNT of them); or it has no occurrence (or fewer
  //   than COUNT) within a search of 10 * kMaxStepsPerQuery steps from start_local.
  // A one-off (empty rrule) in the past is valid: it just has no future occurrence.
  static core::Result<Schedule> Make(Recurrence r, core::Duration max_length = {});

  // The occurrence containing t (start <= t < end), if any.
  std::optional<Interval> ActiveAt(core::Timestamp t) const;

  // The first occurrence whose end is after t: the one active at t, else the next one. nullopt when the rule is
  // exhausted (COUNT/UNTIL, a one-off in the past, the year 2582) or nothing is found within kMaxStepsPerQuery.
  std::optional<Interval> NextEndingAfter(core::Timestamp t) const;

  // Up to n occurrences ending after t, in order (the first is NextEndingAfter(t)). Fewer when the rule is
  // exhausted or the kMaxStepsPerQuery bound is reached.
  std::vector<Interval> Upcoming(core::Timestamp t, size_t n) const;

  const Recurrence& recurrence() const { return recurrence_; }

 private:
  struct Rule;  // the parsed form; holds libical and date/tz types, so it stays in the .cpp
  Schedule(Recurrence r, std::shared_ptr<const Rule> rule) : recurrence_(std::move(r)), rule_(std::move(rule)) {}

  Recurrence recurrence_;
  std::shared_ptr<const Rule> rule_;
};

}  // namespace correlate
