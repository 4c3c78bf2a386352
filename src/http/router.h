// Internal: the route table (path and method → endpoint and the permission it needs) and the dispatch to handlers.
#pragma once

#include <cstdint>
#include <string_view>

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
  // Paging (paging_handlers.cpp)
  kIncidentPaging,
  kReassign,
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
  kRegulatory,
  kClassification,
  kAssignOwner,
  kRegulatoryFact,
  kRegulatorySubmission,
};

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

// Matches the path exactly (no trailing slash, no percent-decoding: our paths have none). HEAD is not served.
RouteMatch MatchRoute(Method method, std::string_view path);

// Runs the endpoint's handler. `request.principal` is set for every endpoint that needs a permission.
boost::asio::awaitable<Response> Dispatch(Context& ctx, Endpoint endpoint, Request& request);

}  // namespace http
