#include "domain/oncall/schedule.h"

#include <algorithm>
#include <array>
#include <chrono>
#include <exception>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <date/date.h>
#include <date/tz.h>

#include "core/local_time.h"

namespace oncall {
namespace {

using std::chrono::hours;
using std::chrono::minutes;
using std::chrono::seconds;
using LocalSeconds = date::local_seconds;


// A weekday range and a local time-of-day range: on each day in `days`, from `begin` to `end` (end > begin; an end
// past 24:00 runs into the next day).
struct Restriction {
  std::array<bool, 7> days{};  // indexed by date::weekday::c_encoding(): Sunday = 0
  minutes begin{};
  minutes end{};
};

constexpr std::array<std::string_view, 7> kDayNames = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};

std::optional<unsigned> ParseDay(std::string_view s) {
  for (unsigned i = 0; i < kDayNames.size(); ++i) {
    if (s == kDayNames[i]) return i;
  }
  return std::nullopt;
}

// "HH:MM", 00:00..24:00.
std::optional<minutes> ParseTimeOfDay(std::string_view s) {
  int h = 0, m = 0;
  if (s.size() != 5 || !core::ReadDigits(s, 0, 2, h) || s[2] != ':' || !core::ReadDigits(s, 3, 2, m)) {
    return std::nullopt;
  }
  if (m > 59 || h > 24 || (h == 24 && m != 0)) return std::nullopt;
  return hours(h) + minutes(m);
}

// "Mon-Fri 09:00-17:00", "Sat,Sun 10:00-14:00", "Mon-Fri 22:00-06:00".
std::optional<Restriction> ParseRestriction(std::string_view s) {
  const size_t space = s.find(' ');
  if (space == std::string_view::npos) return std::nullopt;
  Restriction out;
  std::string_view days = s.substr(0, space);
  while (true) {
    const size_t comma = days.find(',');
    const std::string_view item = days.substr(0, comma);
    const size_t dash = item.find('-');
    const std::optional<unsigned> first = ParseDay(item.substr(0, dash));
    const std::optional<unsigned> last = dash == std::string_view::npos ? first : ParseDay(item.substr(dash + 1));
    if (!first || !last) return std::nullopt;
    for (unsigned d = *first;; d = (d + 1) % 7) {
      out.days[d] = true;
      if (d == *last) break;
    }
    if (comma == std::string_view::npos) break;
    days = days.substr(comma + 1);
  }
  const std::string_view times = s.substr(space + 1);
  if (times.size() != 11 || times[5] != '-') return std::nullopt;
  const std::optional<minutes> begin = ParseTimeOfDay(times.substr(0, 5));
  const std::optional<minutes> end = ParseTimeOfDay(times.substr(6));
  if (!begin || !end || *begin == *end || *begin == hours(24)) return std::nullopt;
  out.begin = *begin;
  out.end = *end < *begin ? *end + hours(24) : *end;
  return out;
}

int64_t FloorDiv(int64_t a, int64_t b) {
  const int64_t q = a / b;
  return (a % b != 0 && ((a < 0) != (b < 0))) ? q - 1 : q;
}

// A rotation ready to answer: everything parsed, the zone located.
struct PreparedRotation {
  const date::time_zone* zone = nullptr;
  const std::vector<std::string>* participants = nullptr;  // points into the Schedule's Definition (shared, immutable)
  LocalSeconds first_local{};
  core::Timestamp first{};        // the first hand-off's instant
  core::Duration hour_step{};     // hourly/custom: elapsed length of a shift; zero for daily/weekly
  int64_t day_step = 0;           // daily/weekly: calendar days per shift; zero for hourly/custom
  std::vector<Restriction> restrictions;

  // The local-to-instant rule shared with correlate::Schedule: gap -> first instant after it; overlap -> earlier.
  core::Timestamp ToInstant(LocalSeconds t) const { return core::LocalToInstant(*zone, t); }

  LocalSeconds ToLocal(core::Timestamp t) const { return date::floor<seconds>(zone->to_local(t)); }

  core::Timestamp HandOff(int64_t k) const {
    if (day_step == 0) return first + k * hour_step;
    return ToInstant(first_local + date::days{k * day_step});
  }

  // The index of the shift containing t (t >= first): arithmetic for elapsed-hour shifts; for day shifts a guess from
  // the local calendar, corrected by at most a step or two around DST changes.
  int64_t IndexAt(core::Timestamp t) const {
    if (day_step == 0) return FloorDiv((t - first).count(), hour_step.count());
    const int64_t step_seconds = day_step * 86400;
    int64_t k = std::max<int64_t>(0, FloorDiv((ToLocal(t) - first_local).count(), step_seconds));
    while (k > 0 && HandOff(k) > t) --k;
    while (HandOff(k + 1) <= t) ++k;
    return k;
  }

  // The restriction periods of the local days around day d, as instants.
  template <typename Visit>
  void RestrictionPeriods(date::local_days day, Visit&& visit) const {
    const unsigned wd = date::weekday{day}.c_encoding();
    for (const Restriction& r : restrictions) {
      if (!r.days[wd]) continue;
      const core::Timestamp begin = ToInstant(LocalSeconds{day} + r.begin);
      const core::Timestamp end = ToInstant(LocalSeconds{day} + r.end);
      if (begin < end) visit(begin, end);
    }
  }

  bool Restricted(core::Timestamp t) const {
    if (restrictions.empty()) return false;
    const date::local_days today = date::floor<date::days>(ToLocal(t));
    bool in = false;
    // An overnight range starts the day before; a midnight DST change can put t's local day one off.
    for (int offset = -2; offset <= 1 && !in; ++offset) {
      RestrictionPeriods(today + date::days{offset}, [&](core::Timestamp b, core::Timestamp e) {
        in = in || (b <= t && t < e);
      });
    }
    return !in;
  }

  const std::string* At(core::Timestamp t) const {
    if (t < first || Restricted(t)) return nullptr;
    const int64_t n = static_cast<int64_t>(participants->size());
    const int64_t k = IndexAt(t);
    return &(*participants)[static_cast<size_t>(((k % n) + n) % n)];
  }

  // Adds every instant in (from, to) at which this rotation's answer may change.
  void Boundaries(core::Timestamp from, core::Timestamp to, std::vector<core::Timestamp>& out) const {
    int64_t k = from < first ? 0 : IndexAt(from) + 1;
    for (core::Timestamp h = HandOff(k); h < to; h = HandOff(++k)) {
      if (h > from) out.push_back(h);
    }
    if (restrictions.empty()) return;
    const date::local_days last = date::floor<date::days>(ToLocal(to)) + date::days{1};
    for (date::local_days d = date::floor<date::days>(ToLocal(from)) - date::days{2}; d <= last; d += date::days{1}) {
      RestrictionPeriods(d, [&](core::Timestamp b, core::Timestamp e) {
        if (b > from && b < to) out.push_back(b);
        if (e > from && e < to) out.push_back(e);
      });
    }
  }
};

std::string RotationField(size_t layer, size_t rotation, const std::string& field) {
  return "/layers/" + std::to_string(layer) + "/rotations/" + std::to_string(rotation) + "/" + field;
}

core::Result<PreparedRotation> Prepare(const Rotation& r, size_t layer, size_t index) {
  PreparedRotation p;
  try {
    p.zone = date::locate_zone(r.time_zone);
  } catch (const std::exception&) {
    return core::Invalid("unknown time zone \"" + r.time_zone + "\"", RotationField(layer, index, "time_zone"));
  }
  if (r.participants.empty()) {
    return core::Invalid("a rotation needs at least one participant", RotationField(layer, index, "participants"));
  }
  for (size_t i = 0; i < r.participants.size(); ++i) {
    if (r.participants[i].empty()) {
      return core::Invalid("a participant name is empty",
                           RotationField(layer, index, "participants/" + std::to_string(i)));
    }
  }
  p.participants = &r.participants;
  int64_t max_length = Schedule::kMaxShiftHours;
  if (r.frequency == Frequency::kDaily) max_length = Schedule::kMaxShiftDays;
  if (r.frequency == Frequency::kWeekly) max_length = Schedule::kMaxShiftWeeks;
  if (r.shift_length <= 0 || r.shift_length > max_length) {
    return core::Invalid("shift_length must be 1 to " + std::to_string(max_length),
                         RotationField(layer, index, "shift_length"));
  }
  switch (r.frequency) {
    case Frequency::kHourly:
    case Frequency::kCustom: p.hour_step = hours(r.shift_length); break;
    case Frequency::kDaily: p.day_step = r.shift_length; break;
    case Frequency::kWeekly: p.day_step = 7 * r.shift_length; break;
  }
  const std::optional<LocalSeconds> first = core::ParseLocalDateTime(r.start_local);
  if (!first) {
    return core::Invalid("start_local must be a local date-time YYYY-MM-DDTHH:MM[:SS] (no offset) in the years " +
                             std::to_string(core::kMinLocalYear) + " to " + std::to_string(core::kMaxLocalYear),
                         RotationField(layer, index, "start_local"));
  }
  p.first_local = *first;
  p.first = p.ToInstant(*first);
  for (size_t i = 0; i < r.restrictions.size(); ++i) {
    std::optional<Restriction> parsed = ParseRestriction(r.restrictions[i]);
    if (!parsed) {
      return core::Invalid("a restriction is \"<days> HH:MM-HH:MM\", like \"Mon-Fri 09:00-17:00\"",
                           RotationField(layer, index, "restrictions/" + std::to_string(i)));
    }
    p.restrictions.push_back(*parsed);
  }
  return p;
}

void AddUnique(std::vector<std::string>& users, const std::string& user) {
  if (std::find(users.begin(), users.end(), user) == users.end()) users.push_back(user);
}

}  // namespace

struct Schedule::Plan {
  // The prepared rotations and `overrides` point into this definition, which nothing modifies.
  std::shared_ptr<const Definition> definition;
  std::vector<std::vector<PreparedRotation>> layers;

  std::vector<std::string> At(core::Timestamp t) const {
    std::vector<std::string> users;
    for (auto layer = layers.rbegin(); layer != layers.rend() && users.empty(); ++layer) {
      for (const PreparedRotation& rotation : *layer) {
        if (const std::string* user = rotation.At(t)) AddUnique(users, *user);
      }
    }
    for (const Override& o : definition->overrides) {
      if (t < o.start || t >= o.end) continue;
      switch (o.kind) {
        case OverrideKind::kReplace:
          if (o.replaced_user.empty()) {
            users.assign(1, o.user);
          } else if (auto it = std::find(users.begin(), users.end(), o.replaced_user); it != users.end()) {
            // The newcomer takes the replaced user's place, unless already on call.
            if (std::find(users.begin(), users.end(), o.user) == users.end()) {
              *it = o.user;
            } else {
              users.erase(it);
            }
          }
          break;
        case OverrideKind::kAdd: AddUnique(users, o.user); break;
        case OverrideKind::kRemove: std::erase(users, o.user); break;
      }
    }
    return users;
  }
};

core::Result<Schedule> Schedule::Make(Definition d) {
  try {
    date::get_tzdb();
  } catch (const std::exception& e) {
    return core::Internal(std::string("time zone database unavailable: ") + e.what());
  }
  try {
    date::locate_zone(d.time_zone);
  } catch (const std::exception&) {
    return core::Invalid("unknown time zone \"" + d.time_zone + "\"", "/time_zone");
  }
  auto plan = std::make_shared<Plan>();
  plan->definition = std::make_shared<const Definition>(std::move(d));
  const Definition& def = *plan->definition;
  for (size_t l = 0; l < def.layers.size(); ++l) {
    const Layer& layer = def.layers[l];
    if (layer.rotations.empty()) {
      return core::Invalid("a layer needs at least one rotation", "/layers/" + std::to_string(l) + "/rotations");
    }
    std::vector<PreparedRotation>& prepared = plan->layers.emplace_back();
    for (size_t r = 0; r < layer.rotations.size(); ++r) {
      core::Result<PreparedRotation> p = Prepare(layer.rotations[r], l, r);
      if (!p.ok()) return p.error();
      prepared.push_back(std::move(p).value());
    }
  }
  for (size_t i = 0; i < def.overrides.size(); ++i) {
    const Override& o = def.overrides[i];
    const std::string field = "/overrides/" + std::to_string(i);
    if (o.end <= o.start) return core::Invalid("an override must end after it starts", field + "/end");
    if (o.user.empty()) return core::Invalid("an override needs a user", field + "/user");
  }
  return Schedule(std::move(plan));
}

const Definition& Schedule::definition() const { return *plan_->definition; }

std::vector<std::string> Schedule::OnCallAt(core::Timestamp t) const { return plan_->At(t); }

std::vector<Shift> Schedule::Timeline(core::Timestamp from, core::Timestamp to) const {
  std::vector<Shift> out;
  if (to <= from) return out;
  to = std::min(to, from + kMaxQueryPeriod);
  // Between two consecutive boundaries (hand-offs, restriction edges, override edges) nothing changes, so one
  // evaluation per piece is exact.
  std::vector<core::Timestamp> cuts{from, to};
  for (const std::vector<PreparedRotation>& layer : plan_->layers) {
    for (const PreparedRotation& rotation : layer) rotation.Boundaries(from, to, cuts);
  }
  for (const Override& o : plan_->definition->overrides) {
    if (o.start > from && o.start < to) cuts.push_back(o.start);
    if (o.end > from && o.end < to) cuts.push_back(o.end);
  }
  std::sort(cuts.begin(), cuts.end());
  cuts.erase(std::unique(cuts.begin(), cuts.end()), cuts.end());
  for (size_t i = 0; i + 1 < cuts.size(); ++i) {
    std::vector<std::string> users = plan_->At(cuts[i]);
    if (!out.empty() && out.back().users == users) {
      out.back().end = cuts[i + 1];
    } else {
      out.push_back(Shift{cuts[i], cuts[i + 1], std::move(users)});
    }
  }
  return out;
}

std::vector<Shift> Schedule::Shifts(core::Timestamp from, core::Timestamp to) const {
  std::vector<Shift> out = Timeline(from, to);
  std::erase_if(out, [](const Shift& s) { return s.users.empty(); });
  return out;
}

std::vector<Shift> Schedule::NextShifts(core::Timestamp t, size_t n) const {
  if (n == 0) return {};
  // Look a fortnight ahead, then further, until n shifts are known to be complete (one more has begun) or the
  // bound is reached.
  for (core::Duration ahead = hours(24 * 14);; ahead = std::min(ahead * 4, kMaxQueryPeriod)) {
    std::vector<Shift> shifts = Shifts(t, t + ahead);
    if (shifts.size() > n || ahead == kMaxQueryPeriod) {
      if (shifts.size() > n) shifts.resize(n);
      return shifts;
    }
  }
}

std::vector<Interval> Schedule::Gaps(core::Timestamp from, core::Timestamp to) const {
  std::vector<Interval> out;
  for (const Shift& s : Timeline(from, to)) {
    if (s.users.empty()) out.push_back(Interval{s.start, s.end});
  }
  return out;
}

}  // namespace oncall
