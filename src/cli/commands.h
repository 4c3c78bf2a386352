// The incidentctl commands. Each sends its requests through a Transport, writes what it found to `out` and any
// problem to `err`, and returns the process exit code.
#pragma once

#include <cstdint>
#include <iosfwd>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "cli/transport.h"
#include "core/time.h"

namespace cli {

inline constexpr int kExitOk = 0;
inline constexpr int kExitFailed = 1;       // the server refused, or the journal is broken
inline constexpr int kExitUnreachable = 2;  // the server could not be reached
inline constexpr int kExitUsage = 64;       // bad command line (EX_USAGE)

struct Console {
  std::ostream& out;
  std::ostream& err;
};

struct ListOptions {
  std::vector<std::string> states;  // any of; empty = all
  std::string service;
  std::string severity;
  uint32_t limit = 0;  // 0: 50, or 500 per page with `all`
  bool all = false;    // follow next_before to the last page
  bool json = false;
};

// ID STATE SEVERITY SERVICE AGE TITLE, newest first; ages are relative to `now`.
int ListIncidents(Transport& transport, const ListOptions& options, core::Timestamp now, Console console);
int ShowIncident(Transport& transport, uint64_t id, bool json, core::Timestamp now, Console console);
int AcknowledgeIncident(Transport& transport, uint64_t id, Console console);
int ResolveIncident(Transport& transport, uint64_t id, const std::optional<std::string>& note, Console console);
int AddNote(Transport& transport, uint64_t id, const std::string& text, Console console);
// Every entry (following pages), one per line: TIME ACTOR KIND TEXT.
int ShowTimeline(Transport& transport, uint64_t id, bool json, Console console);

struct EventOptions {
  std::string routing_key;
  std::string action = "trigger";  // trigger, acknowledge, resolve
  std::string dedup_key;           // empty: the server makes one (triggers only)
  std::string summary;
  std::string source;              // empty: `hostname` for triggers
  std::string severity;            // empty: "error" for triggers
  std::string custom_details;      // a JSON text, empty for none
  std::string hostname;
};

// The /v2/enqueue body for `options`; kInvalid (field "--custom-details") when custom_details is not JSON.
core::Result<std::string> BuildEvent(const EventOptions& options);
// Posts the event and prints the dedup_key the server answered with.
int SendEvent(Transport& transport, const EventOptions& options, Console console);

// incidentctl maintenance create: the window as the command line gives it. Empty strings and lists are left out of
// the request (the server's defaults apply: time zone UTC, max_length 12h, remind_before 15m, one-off).
struct WindowOptions {
  std::string name;
  std::string owner;
  std::string start;     // local wall-clock time in time_zone, "2026-12-06T02:00"
  std::string duration;  // "2h"
  std::string time_zone;
  std::string rrule;
  std::string max_length;
  std::string remind_before;
  std::vector<std::string> services;
  std::vector<std::string> hosts;
  std::vector<std::string> matchers;
  std::vector<std::string> expect_services;
  std::vector<std::string> expect_alertnames;
  std::vector<std::string> expect_severities;
  bool keep_pending = false;  // cancel_pending false: opening does not cancel the scope's pending notifications
  bool json = false;          // print the API's JSON instead of a line
};

// The POST /api/v1/maintenance body for `options`.
std::string BuildWindow(const WindowOptions& options);
// The command-line option that sets a field of that body ("/time_zone" → "--time-zone"), "" when none does.
std::string WindowOption(std::string_view field);

// ID STATE FROM UNTIL NAME OWNER: open windows first, then scheduled, then ended.
int ListWindows(Transport& transport, bool json, Console console);
// The window's definition, its current or next occurrence (relative to `now`) and the alerts it suppressed.
int ShowWindow(Transport& transport, const std::string& id, bool json, core::Timestamp now, Console console);
// Creates the window and prints its id and state; a refusal names the option at fault.
int CreateWindow(Transport& transport, const WindowOptions& options, Console console);
// Moves the open occurrence's end to `until` (RFC 3339), or `by` (a duration) past its current end; exactly one of
// them is non-empty (kExitUsage otherwise, nothing sent).
int ExtendWindow(Transport& transport, const std::string& id, const std::string& until, const std::string& by,
                 Console console);
// Ends the open occurrence now; with `cancel`, also every later one (DELETE).
int EndWindow(Transport& transport, const std::string& id, bool cancel, Console console);

// The topology in force: segments, hosts, services and their dependencies, failure rules.
int ShowTopology(Transport& transport, bool json, Console console);

// Paging (paging_commands.cpp).
// The incident's escalation (policy, rule, step, who was paged, problems) and its deliveries.
int ShowPaging(Transport& transport, uint64_t id, bool json, Console console);
// Restarts the escalation with a person or a policy (exactly one non-empty; kExitUsage otherwise, nothing sent).
int Reassign(Transport& transport, uint64_t id, const std::string& user, const std::string& policy, Console console);
// The outbox, newest first; `state` one of pending, delivered, failed, cancelled, or empty for all.
int ListDeliveries(Transport& transport, const std::string& state, bool json, Console console);
// NAME SERVICE NEXT RUN LAST RESULT BROKEN LINK PASSED FAILED.
int ListDrills(Transport& transport, bool json, Console console);
// One drill and its runs with pass/fail and the broken link.
int ShowDrill(Transport& transport, const std::string& name, bool json, Console console);
int RunDrill(Transport& transport, const std::string& name, Console console);
// Moves the incident's running escalation to its next step now (the reason, when given, goes on the timeline).
int Escalate(Transport& transport, uint64_t id, const std::string& reason, Console console);

// On-call overrides made at run time (paging_commands.cpp). Prints the new override's id.
struct OverrideOptions {
  std::string schedule;
  std::string start;  // RFC 3339
  std::string end;    // RFC 3339
  std::string kind = "replace";
  std::string user;
  std::string replaces;  // replace only; empty = whoever is on call
  std::string reason;
  bool json = false;
};
int AddOverride(Transport& transport, const OverrideOptions& options, Console console);
int RemoveOverride(Transport& transport, const std::string& schedule, uint64_t id, Console console);

// Classification (classify_commands.cpp).
int Reclassify(Transport& transport, uint64_t id, const std::string& category, const std::string& subcategory,
               const std::string& reason, Console console);
// Makes a team the incident's primary owner (recorded on the timeline).
int AssignOwner(Transport& transport, uint64_t id, const std::string& team, const std::string& reason,
                Console console);
// Category, major, severity, priority and owner, each with its reason.
int ShowClassification(Transport& transport, uint64_t id, bool json, Console console);

// Coordination (coord_commands.cpp).
int AssignRole(Transport& transport, uint64_t id, const std::string& role, const std::string& user, bool handoff,
               const std::string& reason, Console console);
int AddLogEntry(Transport& transport, uint64_t id, const std::string& kind, const std::string& text,
                Console console);
int PostStatusUpdate(Transport& transport, uint64_t id, const std::string& text, bool no_change, Console console);
int ShowCoordination(Transport& transport, uint64_t id, bool json, Console console);
// Shared responder pools (pools_commands.cpp).
// POOL NAME CAPACITY HOLDING WAITING CONFLICTS BREACHED.
int ListPools(Transport& transport, bool json, Console console);
// The holders, the waiting requests in order (position, priority, waited, expected response, breach, conflict,
// why) and the recent yields.
int ShowPoolQueue(Transport& transport, const std::string& pool, bool json, Console console);
// Requests the pool and prints the incident's standing: holding, or its position and expected response.
int RequestPool(Transport& transport, uint64_t id, const std::string& pool, const std::string& note,
                Console console);
int ReleasePool(Transport& transport, uint64_t id, const std::string& pool, Console console);
// `from` yields its slot of the pool to the waiting `to` (commander or admin).
int YieldPool(Transport& transport, const std::string& pool, uint64_t from, uint64_t to, const std::string& reason,
              Console console);
// CATEGORY INCIDENTS SHARE RECLASSIFIED AWAY RECLASSIFIED TO: every category of the taxonomy, used or not.
int ShowTaxonomyUsage(Transport& transport, bool json, Console console);

// Who the token is (GET /api/v1/whoami): name, role, actor and teams.
int Whoami(Transport& transport, bool json, Console console);

// The outcome of a journal verification, however it was obtained.
struct JournalCheck {
  bool ok = false;
  uint64_t records = 0;
  uint64_t head_seq = 0;
  std::string head_hash;
  std::string error;
};

// "OK: N records, head seq N hash H" (kExitOk) or "BROKEN: <error> (N records verified before it)" (kExitFailed).
int ReportJournalCheck(const JournalCheck& check, Console console);
// Asks the server to verify its journal (GET /api/v1/journal/verify).
int VerifyJournalOnline(Transport& transport, Console console);
// "record N hash H (previous P)": the live journal's record, to compare a bundle's last hash with.
int ShowRecordHash(Transport& transport, uint64_t seq, Console console);

// The incident's bundle (GET /api/v1/incidents/{id}/bundle) in `format` ("json" or "markdown"), written to the file
// `output`, or to console.out when it is empty. Nothing is written when the server refuses.
int ExportIncident(Transport& transport, uint64_t id, const std::string& format, const std::string& output,
                   Console console);

}  // namespace cli
