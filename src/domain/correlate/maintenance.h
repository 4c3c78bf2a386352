// Maintenance windows: what a window covers (scope) and expects, when it is open (one-off or recurring in a time
// zone), and the decisions at its edges (open, remind the owner, close and replay what it held). Pure.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include <boost/json/value.hpp>

#include "core/labels.h"
#include "core/matcher.h"
#include "core/result.h"
#include "core/time.h"
#include "domain/correlate/recurrence.h"
#include "domain/ingest/event.h"

namespace correlate {

struct Window {
  std::string id;
  std::string name;
  std::string owner;       // reminded before the end, told what was suppressed
  std::string created_by;
  Recurrence recurrence;   // when it is open
  core::Duration max_length = std::chrono::hours(12);          // no occurrence (or extension) runs longer
  core::Duration remind_before = std::chrono::minutes(15);     // the owner is reminded this long before the end
  // Scope: an alert is in scope when every non-empty list matches (services: its service; hosts: its host label;
  // matchers: its labels). At least one is set.
  std::vector<std::string> services;
  std::vector<std::string> hosts;
  std::vector<core::Matcher> matchers;
  // Expected: in-scope alerts are suppressed only when every non-empty list matches; other in-scope alerts page at
  // once, marked "during maintenance, not expected". All empty: everything in scope is expected.
  std::vector<std::string> expect_services;
  std::vector<std::string> expect_alertnames;  // alertname label, or the event's class
  std::vector<ingest::Severity> expect_severities;
  // Entering the window cancels the pending notifications of open incidents of its scope's services (the
  // escalations of issue 5 will hang off the same decision).
  bool cancel_pending = true;
  std::optional<core::Timestamp> cancelled_at;  // deleted: no occurrence from then on
  std::optional<core::Timestamp> extended_end;  // the open occurrence runs until then instead
  std::optional<core::Timestamp> ended_early;   // the open occurrence was ended then

};

constexpr size_t kMaxWindowListItems = 64;

// The body of POST /api/v1/maintenance: {name, owner, time_zone, start (local "2026-12-06T02:00"), duration,
// rrule?, max_length?, remind_before?, scope{services, hosts, matchers}, expect{services, alertnames, severities}}.
// kInvalid naming the field (JSON pointer) for anything missing or malformed, a scope with nothing in it, a schedule
// the recurrence module refuses (mapped to /time_zone, /start, /duration, /rrule), a duration over max_length.
core::Result<Window> ParseWindow(const boost::json::value& body, std::string id, std::string created_by);

// The alert attributes scope and expectation look at.
struct AlertFacts {
  std::string_view service;
  std::string_view host;       // port stripped; empty when the alert names none
  std::string_view kind_name;  // alertname or event class
  ingest::Severity severity = ingest::Severity::kError;
  const core::LabelSet* labels = nullptr;
};
bool InScope(const Window& w, const AlertFacts& a);
bool Expected(const Window& w, const AlertFacts& a);

// A window with its compiled schedule and where it stands.
struct WindowState {
  Window window;
  std::optional<Schedule> schedule;
  std::optional<Interval> open;  // the occurrence open now
  bool reminded = false;         // the owner was reminded about the open occurrence
  core::Timestamp closed_until{};  // the last closed occurrence's scheduled end: it does not open again
  int64_t due_ms = 0;            // when to look at it again (0: never)
};

// When the open occurrence ends (its scheduled end, extended or ended early).
core::Timestamp OpenEnd(const WindowState& w);
// The next time the window needs a decision after `now`: its next start, reminder or end; 0 when none.
int64_t NextDue(const WindowState& w, core::Timestamp now);

// JSON for the API: the definition plus state ("open", "scheduled", "ended"), the open or next occurrence.
boost::json::object WindowJson(const WindowState& w, core::Timestamp now);

std::string EncodeWindow(const Window& w);
core::Result<Window> DecodeWindow(std::string_view bytes);

}  // namespace correlate
