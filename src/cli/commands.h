// The incidentctl commands. Each sends its requests through a Transport, writes what it found to `out` and any
// problem to `err`, and returns the process exit code.
#pragma once

#include <cstdint>
#include <iosfwd>
#include <optional>
#include <string>
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

}  // namespace cli
