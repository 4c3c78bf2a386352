// Time as a value: millisecond timestamps and durations, RFC 3339 formatting and parsing. Nothing here reads a clock.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

#include "core/result.h"

namespace core {

using Duration = std::chrono::milliseconds;
using Timestamp = std::chrono::time_point<std::chrono::system_clock, Duration>;

inline Timestamp FromUnixMillis(int64_t ms) { return Timestamp(Duration(ms)); }
inline int64_t ToUnixMillis(Timestamp t) { return t.time_since_epoch().count(); }

// "2024-03-10T13:00:00.123Z" (always UTC, milliseconds only when non-zero).
std::string FormatRfc3339(Timestamp t);

// Accepts RFC 3339 / ISO 8601 date-times with 'Z' or a numeric offset and optional fractional seconds
// (truncated to milliseconds). Returns kInvalid for anything else, including out-of-range fields.
Result<Timestamp> ParseRfc3339(std::string_view text);

// Parses "90s", "5m", "1h30m", "2d", "250ms" (Prometheus-style). kInvalid on anything else.
Result<Duration> ParseDuration(std::string_view text);

// The inverse of ParseDuration for display: "1h30m", "250ms", "0s".
std::string FormatDuration(Duration d);

}  // namespace core
