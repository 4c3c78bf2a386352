// Watching from outside while real programs talk to incidentd: a poll with a deadline, the incident an alert
// opened, and a counter read from a program's /metrics page.
#pragma once

#include <boost/json/object.hpp>
#include <gtest/gtest.h>

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <thread>

#include "core/time.h"
#include "interop/external_program.h"
#include "support/http_client.h"

namespace interop {

// Calls `condition` every 200 ms until it returns true (then true) or `timeout` passes (then false). For waiting on
// other processes; never for asserting how long something took.
template <typename Condition>
bool Eventually(Condition condition, core::Duration timeout = kStartTimeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    if (condition()) return true;
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
}

// The newest incident whose group_key or title contains `text`, read from GET /api/v1/incidents. nullopt when
// there is none or the request fails (no test failure: callers poll); `last_answer` then says what came back.
std::optional<boost::json::object> FindIncident(test_support::HttpClient& client, std::string_view text,
                                                std::string* last_answer = nullptr);

// FindIncident polled (Eventually) until the incident exists and `accept` holds for it; a test failure naming the
// last answer when it never does.
template <typename Accept>
std::optional<boost::json::object> AwaitIncident(test_support::HttpClient& client, const std::string& text,
                                                 Accept accept) {
  std::optional<boost::json::object> found;
  std::string last_answer;
  const bool seen = Eventually([&] {
    found = FindIncident(client, text, &last_answer);
    return found.has_value() && accept(*found);
  });
  if (!seen) {
    ADD_FAILURE() << "no incident for " << text << " in the expected state; last GET /api/v1/incidents: "
                  << last_answer;
    return std::nullopt;
  }
  return found;
}

// The sum of the samples of counter `name` whose label set contains `label` (e.g. `integration="webhook"`; empty
// matches all) on the Prometheus text page `metrics`; nullopt when no sample matches.
std::optional<double> MetricSum(const std::string& metrics, std::string_view name, std::string_view label = "");

// The wall clock now, as RFC 3339 with milliseconds (for alert bodies sent to Alertmanager).
std::string NowRfc3339();

}  // namespace interop
