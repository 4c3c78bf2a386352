// Internal: the route table (path and method → endpoint and the permission it needs) and the dispatch to handlers.
// The router matches only what Routes() lists, so a test that walks Routes() walks the whole API.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include <boost/asio/awaitable.hpp>

#include "http/auth.h"
#include "http/exchange.h"

namespace http {

enum class Endpoint {
  kHealthz,
  kReadyz,
  kMetrics,
  kEnqueue,
  kListIncidents,
  kGetIncident,
  kTimeline,
  kAcknowledge,
  kResolve,
  kNotes,
  kEvents,
  kVerifyJournal,
  kRecordHash,
  kIncidentBundle,
  // Alertmanager API v2 and its webhook receiver (alertmanager_handlers.cpp)
  kAmPostAlerts,
  kAmGetAlerts,
  kAmAlertGroups,
  kAmStatus,
  kAmReceivers,
  kAmListSilences,
  kAmPostSilence,
  kAmGetSilence,
  kAmDeleteSilence,
  kAmHealthy,
  kAmReady,
  kAmWebhook,
  // Maintenance windows and topology (maintenance_handlers.cpp)
  kListWindows,
  kCreateWindow,
  kGetWindow,
  kExtendWindow,
  kEndWindow,
  kCancelWindow,
  kTopology,
  // On-call schedules (schedule_handlers.cpp)
  kListSchedules,
  kGetSchedule,
  kScheduleCalendar,
  kCreateOverride,
  kDeleteOverride,
  // Paging (paging_handlers.cpp)
  kIncidentPaging,
  kReassign,
  kEscalate,
  kListAlerts,
  kListDeliveries,
  kEscalationPolicies,
  kListDrills,
  kGetDrill,
  kRunDrill,
  kAckLink,
  // Classification (classify_handlers.cpp)
  kTaxonomy,
  kTaxonomyUsage,
  kReclassify,
  kPostSli,
  kListSlos,
  kRoutine,
  kConfigChanges,
  kCoordination,
  kAssignRole,
  kLogEntry,
  kStatusUpdate,
  kListVendors,
  kListGrants,
  kGrantVendor,
  kRevokeGrant,
  kRegulatory,
  kClassification,
  kAssignOwner,
  kRegulatoryFact,
  kRegulatorySubmission,
  // Shared responder pools (pools_handlers.cpp)
  kListPools,
  kPoolQueue,
  kIncidentPools,
  kRequestPool,
  kReleasePool,
  kYieldPool,
  // Who is calling (ops_handlers.cpp)
  kWhoami,
  // The web UI: its files and sessions (session_handlers.cpp)
  kUiIndex,
  kUiFile,
  kSignIn,
  kGetSession,
  kSignOut,
};

// One row of the route table.
struct Route {
  Method method = Method::kGet;
  // The path with parameters in braces: {id} an incident id (1.., decimal, no leading zero), {token} an
  // acknowledgement token (1..1024 of [A-Za-z0-9._~%-]), any other {word} a name (1..200 of [A-Za-z0-9._-]).
  std::string_view pattern;
  Endpoint endpoint = Endpoint::kHealthz;
  Permission permission = Permission::kNone;
  bool json_body = false;  // the endpoint reads a JSON body (Content-Type is checked)
  std::string example;     // the pattern with its parameter filled in: "/api/v1/incidents/1/acknowledge"
};

// Every route, each (method, pattern) once. Built on first use and never changed; safe from any thread. No path
// fits two patterns (checked when the table is built: an ambiguous table aborts at start).
const std::vector<Route>& Routes();

// "GET", "POST", ...
const char* ToString(Method method);

struct RouteMatch {
  enum class Kind { kFound, kNotFound, kMethodNotAllowed };
  Kind kind = Kind::kNotFound;
  Endpoint endpoint = Endpoint::kHealthz;
  Permission permission = Permission::kNone;
  bool json_body = false;  // the endpoint reads a JSON body (Content-Type is checked)
  uint64_t id = 0;         // the {id} (or {seq}) path parameter
  std::string_view param;  // a text path parameter (silence or window id, service name), a view into the path
  std::string_view allow;  // for kMethodNotAllowed: the Allow header value
};

// Finds the route of Routes() the path fits, exactly (no trailing slash, no percent-decoding: our paths have none).
// kMethodNotAllowed when the path fits a pattern but not with this method; `allow` then lists the methods that
// pattern has. HEAD is not served.
RouteMatch MatchRoute(Method method, std::string_view path);

// Runs the endpoint's handler. `request.principal` is set for every endpoint that needs a permission.
boost::asio::awaitable<Response> Dispatch(Context& ctx, Endpoint endpoint, Request& request);

}  // namespace http
