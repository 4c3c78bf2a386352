// On-call schedules: rotations in IANA time zones, layered and overridden, answering who is on call at an instant,
// the shifts of a period and its coverage gaps. Pure: time is passed in; the only outside data read is the tz database.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "core/result.h"
#include "core/time.h"

namespace oncall {

// How a rotation's shift length is counted (see Schedule for what that means across DST changes).
enum class Frequency {
  kHourly,  // shift_length hours of elapsed time
  kDaily,   // shift_length calendar days: the hand-off keeps its local time of day
  kWeekly,  // shift_length calendar weeks: the hand-off keeps its weekday and local time of day
  kCustom,  // shift_length hours of elapsed time, like kHourly (for 8 h or 12 h shifts)
};

// One sequence of people taking turns: participant k % n holds the k-th shift from start_local on.
struct Rotation {
  std::string name;                       // for display only
  std::vector<std::string> participants;  // user names in turn order; a name may appear more than once
  Frequency frequency = Frequency::kWeekly;
  int64_t shift_length = 1;               // in hours (kHourly, kCustom), days (kDaily) or weeks (kWeekly)
  std::string start_local;                // first hand-off's local date-time, "2026-03-02T09:00" (seconds optional)
  std::string time_zone = "UTC";          // IANA name the hand-offs and restrictions are read in
  std::vector<std::string> restrictions;  // local "Mon-Fri 09:00-17:00" ranges the rotation is on in; empty = always
};

// Rotations whose people are on call together: at t the layer has everyone its rotations have (in rotation order).
struct Layer {
  std::string name;                // for display only
  std::vector<Rotation> rotations;
};

// What an override does to the people on call in [start, end).
enum class OverrideKind {
  kReplace,  // `user` takes over from `replaced_user`, or from everyone on call when replaced_user is empty
  kAdd,      // `user` is on call as well
  kRemove,   // `user` is not on call (may leave a gap)
};

// A change for a period on top of the layers; overrides apply in list order.
struct Override {
  core::Timestamp start;        // inclusive
  core::Timestamp end;          // exclusive, after start
  OverrideKind kind = OverrideKind::kReplace;
  std::string user;             // who comes in (replace, add) or goes out (remove)
  std::string replaced_user;    // replace only: who is replaced; empty = whoever is on call
};

// The input of Schedule::Make.
struct Definition {
  std::string name;               // for display only
  std::string time_zone = "UTC";  // IANA name for displaying the schedule; rotations carry their own zones
  std::vector<Layer> layers;      // later layers override earlier ones
  std::vector<Override> overrides;
};

// [start, end), start < end.
struct Interval {
  core::Timestamp start;
  core::Timestamp end;
  bool operator==(const Interval&) const = default;
};

// A period with the same people on call; users sorted by first appearance (layer rotation order, then additions).
struct Shift {
  core::Timestamp start;
  core::Timestamp end;
  std::vector<std::string> users;
  bool operator==(const Shift&) const = default;
};

// A Definition checked and prepared once. Immutable; const methods may be called from several threads; copies share
// the prepared form.
//
// Who is on call at t:
// - a rotation contributes nobody before its first hand-off, nor outside its restrictions (when it has any);
//   otherwise the participant of the shift containing t;
// - a layer has the union of its rotations' people; the LAST layer with somebody at t wins, so a layer with nobody
//   (restricted out) lets the earlier layers show through;
// - then each override active at t (start <= t < end) is applied, in list order.
//
// Hand-offs and DST. The k-th hand-off is start_local advanced by k shifts:
// - daily and weekly shifts add calendar days in local time, so the hand-off stays at the same local time of day
//   (09:00 stays 09:00) and a shift containing a DST change is an hour shorter (spring) or longer (autumn): never
//   dropped, never doubled;
// - hourly and custom shifts add elapsed hours to the first hand-off's instant, so an 8 h shift always lasts 8 h and
//   the local hand-off time moves by an hour across a change.
// Local times (hand-offs, restriction edges) become instants as in correlate::Schedule:
// - a local time in a spring-forward gap moves to the first instant after the gap (Berlin 2026-03-29 02:30 ->
//   03:00 CEST = 01:00Z);
// - an ambiguous local time (autumn overlap) is the EARLIER of its two instants (Berlin 2026-10-25 02:30 -> 02:30
//   CEST = 00:30Z); a restriction range therefore ends the first time the clock shows its end time.
// The shift index is computed arithmetically (hours) or by counting calendar days (days, weeks): a query years after
// start_local costs the same as one the day after.
// Limit: date/tz reading the system tz database ignores the TZif footer rule, so after 2037 a zone has no DST and
// its local times are read in standard time (as for correlate::Schedule).
class Schedule {
 public:
  static constexpr int64_t kMaxShiftHours = 24 * 366;  // longest hourly/custom shift
  static constexpr int64_t kMaxShiftDays = 366;        // longest daily shift
  static constexpr int64_t kMaxShiftWeeks = 52;        // longest weekly shift
  // Shifts() and Gaps() periods longer than this are cut to it; NextShifts() looks no further ahead.
  static constexpr core::Duration kMaxQueryPeriod = std::chrono::hours(24 * 366 * 2);

  // Checks and prepares `d`. kInvalid naming the field (rotation fields as "/layers/0/rotations/1/time_zone"):
  // - ".../time_zone", "/time_zone": not a zone in the tz database;
  // - ".../participants": empty; ".../participants/2": an empty name;
  // - ".../shift_length": not > 0 or above the kMaxShift* bound for the frequency;
  // - ".../start_local": not "YYYY-MM-DDTHH:MM[:SS]" (no offset), not a real date-time, or outside 1970..2500;
  // - ".../restrictions/0": not "<days> HH:MM-HH:MM" where days is "Mon", "Mon-Fri" (wrapping "Fri-Mon" allowed)
  //   or a comma list of those ("Mon,Wed-Thu"); the end may be 24:00; an end before the start runs into the next
  //   day ("Mon-Fri 22:00-06:00"); start == end is refused;
  // - "/layers/0/rotations": a layer without rotations;
  // - "/overrides/0/end": not after start; "/overrides/0/user": empty.
  // kInternal when the tz database cannot be read.
  static core::Result<Schedule> Make(Definition d);

  // Who is on call at t: usually one user, several with add overrides or multi-rotation layers, none in a gap.
  std::vector<std::string> OnCallAt(core::Timestamp t) const;

  // The final shifts (after layers, restrictions and overrides) in [from, to), clipped to it, ordered, merged where
  // consecutive shifts have the same people; gaps are left out (see Gaps). Empty when to <= from.
  std::vector<Shift> Shifts(core::Timestamp from, core::Timestamp to) const;

  // Up to n shifts from t on: the first is the one in progress at t (starting at t) or the next one. Looks at most
  // kMaxQueryPeriod ahead; the last shift returned may be cut there.
  std::vector<Shift> NextShifts(core::Timestamp t, size_t n) const;

  // The periods in [from, to) with nobody on call, ordered and merged.
  std::vector<Interval> Gaps(core::Timestamp from, core::Timestamp to) const;

  const Definition& definition() const;

 private:
  struct Plan;  // the prepared form; holds date/tz types, so it stays in the .cpp
  explicit Schedule(std::shared_ptr<const Plan> plan) : plan_(std::move(plan)) {}

  // Consecutive periods covering [from, to) with their people (empty = gap), merged where equal.
  std::vector<Shift> Timeline(core::Timestamp from, core::Timestamp to) const;

  std::shared_ptr<const Plan> plan_;
};

}  // namespace oncall
