// iCalendar (RFC 5545) feeds of on-call shifts, built with libical: one per schedule, or one person's shifts, so
// people can subscribe in their calendar. Pure: the period and the stamp time are passed in.
#pragma once

#include <string>
#include <string_view>

#include "core/time.h"
#include "domain/oncall/schedule.h"

namespace oncall {

// A VCALENDAR with one VEVENT per shift of `schedule` in [from, to): times in UTC, SUMMARY "On call: alice" (or
// "On call (primary)" for a person's feed), a UID stable for the same shift. With `user` set, only the shifts that
// person is on. `now` is the DTSTAMP.
std::string ICalendar(const Schedule& schedule, core::Timestamp from, core::Timestamp to, std::string_view user,
                      core::Timestamp now);

}  // namespace oncall
