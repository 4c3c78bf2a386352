// How incidentctl shows things to people: ages, aligned tables, one-line summaries. Pure functions of their input.
#pragma once

#include <string>
#include <vector>

#include "core/time.h"

namespace cli {

// "45s", "12m", "3h", "5d": the largest whole unit, like kubectl. Negative durations (clock skew) read "0s".
std::string FormatAge(core::Duration age);

// The age of an RFC 3339 time at `now`, or "?" when `rfc3339` does not parse.
std::string AgeOf(const std::string& rfc3339, core::Timestamp now);

// Left-aligned columns separated by two spaces; the last column is not padded. `rows` may be ragged.
std::string RenderTable(const std::vector<std::vector<std::string>>& rows);

// Cuts `text` to at most `max_chars` code points, ending with "..." when cut. Keeps UTF-8 sequences whole.
std::string Truncate(const std::string& text, size_t max_chars);

// Replaces control characters (newlines, tabs, escapes) with spaces so one value stays on one line.
std::string OneLine(const std::string& text);

}  // namespace cli
