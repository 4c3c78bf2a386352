// Wall-clock time in IANA zones (date/tz over the system tzdata): parsing local date-times, and the one rule incidentd
// uses everywhere (maintenance windows, on-call hand-offs) to turn a local time into an instant across DST changes.
#pragma once

#include <optional>
#include <string_view>

#include <date/tz.h>

#include "core/time.h"

namespace core {

using LocalSeconds = date::local_seconds;

inline constexpr int kMinLocalYear = 1970;
inline constexpr int kMaxLocalYear = 2500;

// "YYYY-MM-DDTHH:MM" or "YYYY-MM-DDTHH:MM:SS" (no offset, no fraction), a real calendar date-time with a year in
// [kMinLocalYear, kMaxLocalYear]; nullopt otherwise.
std::optional<LocalSeconds> ParseLocalDateTime(std::string_view text);

// The instant a local time denotes in `zone`: a time in a spring-forward gap is the first instant after the gap, an
// ambiguous time (autumn overlap) the earlier of its two instants.
Timestamp LocalToInstant(const date::time_zone& zone, date::local_time<Duration> t);

// Parses "HH" style fixed-width decimal digits at s[pos, pos + n); false when out of range or not all digits.
bool ReadDigits(std::string_view s, size_t pos, size_t n, int& out);

}  // namespace core
