// Speaking incidentd's API in tests: event bodies, JSON parsing, and reading every incident across pages.
#pragma once

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include <initializer_list>
#include <string>
#include <string_view>
#include <vector>

#include "support/http_client.h"

namespace test_support {

// The response, or (recording a test failure) an empty one with status 0 when the exchange failed.
HttpResponse Must(const core::Result<HttpResponse>& response);

// A PagerDuty v2 trigger for /v2/enqueue.
std::string TriggerEvent(std::string_view routing_key, std::string_view dedup_key, std::string_view summary,
                         std::string_view source = "host-1", std::string_view severity = "critical");
// An acknowledge or resolve for /v2/enqueue (`action` as PagerDuty spells it).
std::string FollowUpEvent(std::string_view routing_key, std::string_view action, std::string_view dedup_key);

// The parsed body; a null value (and a test failure) when it is not JSON.
boost::json::value ParseJson(std::string_view text);
// A string member of a JSON object, or "" when absent or not a string.
std::string StringField(const boost::json::value& object, std::string_view key);
// An unsigned member of a JSON object, or 0 when absent or not a number.
uint64_t NumberField(const boost::json::value& object, std::string_view key);

// Every incident matching `query` (e.g. "service=checkout"), following next_before; newest first. Records a test
// failure and returns what it has when a request fails.
std::vector<boost::json::object> AllIncidents(HttpClient& client, const std::string& query = "");

// The incident's timeline entries (all pages).
std::vector<boost::json::object> TimelineOf(HttpClient& client, uint64_t incident_id);

// Whether some line of `text` contains every one of `parts` (for incidentctl's tables).
bool HasLineWith(const std::string& text, std::initializer_list<std::string_view> parts);

}  // namespace test_support
