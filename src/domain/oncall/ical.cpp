#include "domain/oncall/ical.h"

#include <algorithm>
#include <memory>

#include <libical/ical.h>

#include "core/labels.h"

namespace oncall {
namespace {

icaltimetype Utc(core::Timestamp t) {
  return icaltime_from_timet_with_zone(static_cast<time_t>(core::ToUnixMillis(t) / 1000), 0,
                                       icaltimezone_get_utc_timezone());
}

std::string Join(const std::vector<std::string>& users) {
  std::string out;
  for (const auto& u : users) out += (out.empty() ? "" : ", ") + u;
  return out;
}

}  // namespace

std::string ICalendar(const Schedule& schedule, core::Timestamp from, core::Timestamp to, std::string_view user,
                      core::Timestamp now) {
  std::unique_ptr<icalcomponent, decltype(&icalcomponent_free)> cal(icalcomponent_new_vcalendar(),
                                                                     &icalcomponent_free);
  const std::string& name = schedule.definition().name;
  icalcomponent_add_property(cal.get(), icalproperty_new_version("2.0"));
  icalcomponent_add_property(cal.get(), icalproperty_new_prodid("-//incidentd//on-call//EN"));
  std::string title = "On call: " + name + (user.empty() ? "" : " (" + std::string(user) + ")");
  icalproperty* cal_name = icalproperty_new_x(title.c_str());
  icalproperty_set_x_name(cal_name, "X-WR-CALNAME");
  icalcomponent_add_property(cal.get(), cal_name);
  for (const Shift& shift : schedule.Shifts(from, to)) {
    if (!user.empty() && std::find(shift.users.begin(), shift.users.end(), user) == shift.users.end()) continue;
    icalcomponent* event = icalcomponent_new_vevent();
    // Stable for the same shift of the same schedule (and person), so a refreshed feed updates, not duplicates.
    std::string uid = core::FingerprintHex(core::Fnv1a64Pair(name, std::string(user) + '\x1f' +
                                                                       std::to_string(core::ToUnixMillis(shift.start)))) +
                      "@incidentd";
    icalcomponent_add_property(event, icalproperty_new_uid(uid.c_str()));
    icalcomponent_add_property(event, icalproperty_new_dtstamp(Utc(now)));
    icalcomponent_add_property(event, icalproperty_new_dtstart(Utc(shift.start)));
    icalcomponent_add_property(event, icalproperty_new_dtend(Utc(shift.end)));
    std::string summary = user.empty() ? "On call: " + Join(shift.users) : "On call (" + name + ")";
    icalcomponent_add_property(event, icalproperty_new_summary(summary.c_str()));
    icalcomponent_add_component(cal.get(), event);
  }
  return icalcomponent_as_ical_string(cal.get());
}

}  // namespace oncall
