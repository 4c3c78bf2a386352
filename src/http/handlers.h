// Internal: the endpoint handlers (translate only: request → command or query → response) and their shared steps.
// Parse request bodies in plain functions, not in the coroutines: g++ 12 mishandles temporaries such as the array of
// an initializer list in a range-for inside a coroutine (it corrupted the heap in HandlePostSli).
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include <boost/asio/awaitable.hpp>
#include <boost/json/fwd.hpp>
#include <boost/json/storage_ptr.hpp>

#include "core/result.h"
#include "engine/command.h"
#include "http/exchange.h"

namespace http {

struct Session;

template <typename T>
using Task = boost::asio::awaitable<T>;

// ops_handlers.cpp
// "ok", or "follower" on a follower (ServerOptions::writer set).
Response HandleHealthz(const Context& ctx);
Response HandleReadyz(Context& ctx);
Response HandleMetrics(Context& ctx);
Task<Response> HandleVerifyJournal(Context& ctx);
// {"name", "role", "actor", "teams"} of the caller (request.principal).
Response HandleWhoami(const Request& request);

// events_handler.cpp
Task<Response> HandleEnqueue(Context& ctx, Request& request);
// A random UUID v4 ("xxxxxxxx-xxxx-4xxx-yxxx-xxxxxxxxxxxx") from OpenSSL's CSPRNG.
std::string NewDedupKey();

// incidents_handlers.cpp
Task<Response> HandleListIncidents(Context& ctx, Request& request);
Task<Response> HandleGetIncident(Context& ctx, Request& request);
Task<Response> HandleTimeline(Context& ctx, Request& request);
Task<Response> HandleAcknowledge(Context& ctx, Request& request);
Task<Response> HandleResolve(Context& ctx, Request& request);
Task<Response> HandleNotes(Context& ctx, Request& request);

// bundle_handlers.cpp
// The incident's bundle (journal/bundle.h) as JSON, or as Markdown with ?format=markdown or Accept: text/markdown;
// 400 for another format, 404 for an unknown incident, 409 when it spans more than engine::kMaxBundleRecords.
Task<Response> HandleIncidentBundle(Context& ctx, Request& request);
// {"seq","hash","prev","time"} of the journal record `request.id`; 404 past the head.
Task<Response> HandleRecordHash(Context& ctx, Request& request);

// alertmanager_handlers.cpp: Alertmanager API v2 (alerts, groups, status, receivers, silences) and its webhook
Task<Response> HandleAmPostAlerts(Context& ctx, Request& request);
// The alert reads scan every held alert, so they run on the blocking pool, not on an I/O thread.
Task<Response> HandleAmGetAlerts(Context& ctx, Request& request);
Task<Response> HandleAmAlertGroups(Context& ctx, Request& request);
Response HandleAmStatus(Context& ctx);
Response HandleAmReceivers(Context& ctx);
Response HandleAmListSilences(Context& ctx, Request& request);
Task<Response> HandleAmPostSilence(Context& ctx, Request& request);
Response HandleAmGetSilence(Context& ctx, Request& request);
Task<Response> HandleAmDeleteSilence(Context& ctx, Request& request);
Response HandleAmReady(Context& ctx);
// GET /api/v1/alerts (alerts_handlers.cpp): the alerts of both ingest paths with their state, what suppresses them,
// their incident and their role there; ?state=firing|suppressed|resolved, ?service=, ?limit= (1..5000, default 500).
Task<Response> HandleListAlerts(Context& ctx, Request& request);
Task<Response> HandleAmWebhook(Context& ctx, Request& request);

// maintenance_handlers.cpp: maintenance windows and the topology in force
Response HandleListWindows(Context& ctx);
// 201 with the window; 400 naming the field (nothing written) for what correlate::ParseWindow refuses.
Task<Response> HandleCreateWindow(Context& ctx, Request& request);
// The window plus "suppressed": the alerts it held (at most 1000, oldest first); 404 for an unknown id.
Task<Response> HandleGetWindow(Context& ctx, Request& request);
// {"until": RFC 3339} or {"by": duration, counted from the open occurrence's end}; 409 when not open or past
// max_length.
Task<Response> HandleExtendWindow(Context& ctx, Request& request);
// Ends the open occurrence now (409 when none is open); with `cancel` (DELETE) also every later one.
Task<Response> HandleEndWindow(Context& ctx, Request& request, bool cancel);
Response HandleTopology(Context& ctx);

// schedule_handlers.cpp
// {"schedules":[{name, time_zone, on_call_now, next_handoff, gaps_next_14_days}]}.
Response HandleListSchedules(Context& ctx);
// One schedule: on_call_now, shifts and gaps over ?from=&to= (RFC 3339; default: now and 14 days on); 404 when
// not configured, 400 naming the parameter.
Response HandleGetSchedule(Context& ctx, Request& request);
// The schedule's shifts as iCalendar (text/calendar), from a week back to ?days= (default 60) on; ?user= for one
// person's shifts.
Response HandleScheduleCalendar(Context& ctx, Request& request);
// POST /api/v1/schedules/{name}/overrides {start, end, kind, user, replaced_user?, reason?}: 201 with the override;
// 400 naming the field, 404 for a schedule not configured.
Task<Response> HandleCreateOverride(Context& ctx, Request& request);
// DELETE /api/v1/schedules/{name}/overrides/{id}: 204; 404 when the schedule has no created override with that id.
Task<Response> HandleDeleteOverride(Context& ctx, Request& request);

// paging_handlers.cpp
// {"drill", "escalation": {policy, rule, active, step, round, next_step_at, paged, problems, stopped} | null,
//  "deliveries": [...]}; 404 for an id never issued.
Response HandleIncidentPaging(Context& ctx, Request& request);
// {"policy": name} or {"user": name}: restarts the escalation (400 naming the field, 404, 409 when not open).
Task<Response> HandleReassign(Context& ctx, Request& request);
// {"reason"?}: moves the running escalation to its next step now; answers the paging view. 404 for an id never
// issued, 409 when no escalation is running or it is at its last step.
Task<Response> HandleEscalate(Context& ctx, Request& request);
// The outbox, newest first: ?state=pending|delivered|failed|cancelled, ?limit= (1..1000, default 100).
Response HandleListDeliveries(Context& ctx, Request& request);
Response HandleEscalationPolicies(Context& ctx);
Response HandleListDrills(Context& ctx);
// One drill with its run history (newest first).
Response HandleGetDrill(Context& ctx, Request& request);
// 202 {"run": id}; 404 unknown drill; 409 while a run is going.
Task<Response> HandleRunDrill(Context& ctx, Request& request);
// GET: a page with a button; POST: acknowledges as "link:<user>". 403 for a bad token, 410 when expired.
Task<Response> HandleAckLink(Context& ctx, Request& request);

// classify_handlers.cpp
// {"categories":[{name, subcategories}], "rules":[{name, category, subcategory, matchers, text}]}.
Response HandleTaxonomy(Context& ctx);
// Per category: incidents assigned, share, reclassified from/to (every category of the list, used or not).
Response HandleTaxonomyUsage(Context& ctx);
// {"category", "subcategory", "reason"}: 400 naming the field for a choice the taxonomy lacks.
Task<Response> HandleReclassify(Context& ctx, Request& request);
// {"service", "slo", "samples": [{"time"?, "good", "total"}]}: 202 once durable; 400 naming the field; 404 for an
// SLO not configured.
Task<Response> HandlePostSli(Context& ctx, Request& request);
// Every SLO with its burn rate in each rule's windows now, and its verdict.
Response HandleListSlos(Context& ctx);
// Routine (ticket-level) degradations, newest first: recorded, not paged.
Response HandleRoutine(Context& ctx);
// Coordination (coord_handlers.cpp). GET /api/v1/incidents/{id}/coordination: roles, channel, status-update cadence.
Response HandleCoordination(Context& ctx, Request& request);
// POST /api/v1/incidents/{id}/roles {role, user, handoff, reason}: 409 for a second commander without a hand-off,
// 403 for a hand-off by someone other than the outgoing commander or an admin.
Task<Response> HandleAssignRole(Context& ctx, Request& request);
// POST /api/v1/incidents/{id}/log {kind: decision|action|observation|note, text}.
Task<Response> HandleLogEntry(Context& ctx, Request& request);
// POST /api/v1/incidents/{id}/status-updates {text, no_change}.
Task<Response> HandleStatusUpdate(Context& ctx, Request& request);
// Vendor access: GET /api/v1/vendors; GET|POST /api/v1/incidents/{id}/vendor-grants (POST answers 201 with the
// token, shown once); POST /api/v1/vendor-grants/{id}/revoke.
Response HandleListVendors(Context& ctx);
Response HandleListGrants(Context& ctx, Request& request);
Task<Response> HandleGrantVendor(Context& ctx, Request& request);
Response GrantCreated(Context& ctx, uint64_t grant_id, const std::string& token);
Task<Response> HandleRevokeGrant(Context& ctx, Request& request);
// Shared responder pools (pools_handlers.cpp).
// GET /api/v1/pools: every pool with its capacity, members, expectations and how many hold, wait, conflict, are late.
Response HandleListPools(Context& ctx);
// GET /api/v1/pools/{name}/queue: holders, the waiting requests in order (position, priority and reason, waited,
// expected response, breach flag, conflicts), the open conflicts and the recent yields. 404 for a pool not
// configured.
Response HandlePoolQueue(Context& ctx, Request& request);
// GET /api/v1/incidents/{id}/pools: the incident's requests with their standing. 404 for an incident not known.
Response HandleIncidentPools(Context& ctx, Request& request);
// POST /api/v1/incidents/{id}/pools {pool, note}: assigned or queued; answers the incident's requests. 400 naming
// /pool for a pool not configured, 409 for a resolved incident.
Task<Response> HandleRequestPool(Context& ctx, Request& request);
// POST /api/v1/incidents/{id}/pools/release {pool}: 404 when the incident has no request for it.
Task<Response> HandleReleasePool(Context& ctx, Request& request);
// POST /api/v1/pools/{name}/yield {from, to, reason}: `from` gives its slot to the waiting `to`; answers the queue.
// 409 when `from` does not hold a slot or `to` is not waiting.
Task<Response> HandleYieldPool(Context& ctx, Request& request);
// GET /api/v1/config/changes: the journaled configuration changes, newest first, and the section digests in force.
Response HandleConfigChanges(Context& ctx);
// Every classification decision of an open or resolved incident with its reason: category, major, severity,
// priority (impact × urgency), owner.
Response HandleClassification(Context& ctx, Request& request);
// {"team", "reason"}: a person makes a team the primary owner (recorded); answers the classification.
Task<Response> HandleAssignOwner(Context& ctx, Request& request);
// The incident's regulatory facts and every applicable deadline (due, seconds left, basis, checklist, submitted).
Response HandleRegulatory(Context& ctx, Request& request);
// {"fact": "breach"|"material"|"high_risk", "note"}: the anchor is now.
Task<Response> HandleRegulatoryFact(Context& ctx, Request& request);
// {"regime", "stage", "reference"}: the submission is now; the next stage counts from it.
Task<Response> HandleRegulatorySubmission(Context& ctx, Request& request);

// session_handlers.cpp: the web UI's files and sessions (docs/ui.md)
// GET /: ui/index.html; GET /ui/{file}: that file (404 problem for another name). Both with the UI's security
// headers, an ETag and 304 for a matching If-None-Match.
Response HandleUiIndex(const Request& request);
Response HandleUiFile(const Request& request);
// POST /api/v1/session {"user","password"}: 200 with the session and its cookie; 401 for a wrong user name or
// password; 429 with Retry-After after too many failures for the user name; 403 when Origin is another site's.
Task<Response> HandleSignIn(Context& ctx, Request& request);
// GET /api/v1/session: the session of the cookie (with its csrf_token); 401 without one.
Response HandleGetSession(Context& ctx, const Request& request);
// DELETE /api/v1/session (cookie and X-CSRF-Token): 204, ends the session and clears the cookie.
Response HandleSignOut(Context& ctx, const Request& request);
// The CSRF refusal (403 naming X-CSRF-Token or Origin) of a cookie-authenticated request with an unsafe method that
// lacks the session's token, or whose Origin is not its Host's; nullopt when it may proceed.
std::optional<Response> CheckCsrf(const Request& request, const Session& session);

// query.cpp
// Visits each percent-decoded name=value of a query string ('+' is a space); kInvalid on a malformed escape.
core::Status ForEachQueryParam(std::string_view query,
                               const std::function<core::Status(const std::string&, const std::string&)>& visit);

// engine_call.cpp
// Submits and suspends until the engine has committed (resuming on the caller's executor). The error is Submit's
// own refusal (kOverloaded, kUnavailable); a command that failed inside the engine comes back as an Outcome whose
// status is the error.
Task<core::Result<engine::Outcome>> SubmitAndWait(Context& ctx, engine::Command command);
// SubmitAndWait for the native API: nullopt when committed (the outcome in `out`), else the problem response for
// Submit's refusal or the command's own error (counted in the rejection metrics).
Task<std::optional<Response>> RunCommand(Context& ctx, engine::Command command, engine::Outcome& out);

// Submits a parsed command and, once it is committed, answers with `view` (or with the refusal). Not a coroutine
// over the parsing: the caller parses the command in a plain function (see above).
template <typename Cmd>
Task<Response> CommandThenView(Context& ctx, Request& request, core::Result<Cmd> cmd,
                               Response (*view)(Context&, Request&)) {
  if (!cmd.ok()) co_return ErrorResponse(cmd.error());
  engine::Outcome outcome;
  engine::Command command{request.principal->actor, std::move(cmd).value()};
  if (auto refused = co_await RunCommand(ctx, std::move(command), outcome)) co_return std::move(*refused);
  co_return view(ctx, request);
}

// json_body.cpp
// True for a JSON media type: application/json or application/<x>+json, any parameters, any case.
bool IsJsonContentType(std::string_view content_type);
// Parses an untrusted body: kInvalid when it is not UTF-8, not JSON, truncated or nested deeper than `max_depth`.
// The value's memory comes from `storage`.
core::Result<boost::json::value> ParseJsonBody(std::string_view body, int max_depth, boost::json::storage_ptr storage);
// The request's body as a JSON object (within the server's depth limit), its memory from `storage`; kInvalid when
// it is not an object. Plain functions: call them outside coroutine bodies.
core::Result<boost::json::value> ParseObjectBody(const Context& ctx, const Request& request,
                                                 boost::json::storage_ptr storage);
// An optional string field: absent or null leaves `out` as it is; kInvalid naming "/<key>" when it is not a string
// or longer than `max` bytes.
core::Status ReadStringField(const boost::json::object& body, const char* key, size_t max, std::string& out);
// An optional boolean field: absent or null leaves `out`; kInvalid naming "/<key>" otherwise.
core::Status ReadBoolField(const boost::json::object& body, const char* key, bool& out);

}  // namespace http
