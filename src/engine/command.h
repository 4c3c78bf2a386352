// Commands: what the edges ask the engine to do, and the Outcome each caller gets back after commit.
#pragma once

#include <cstdint>
#include <string>
#include <variant>

#include "core/result.h"
#include "domain/ingest/event.h"

namespace engine {

// An Events-v2-shaped event, already parsed and validated at the edge (dedup_key filled in for triggers).
struct SubmitEvent {
  ingest::Event event;
};
struct AcknowledgeIncident {
  uint64_t incident_id = 0;
};
struct ResolveIncident {
  uint64_t incident_id = 0;
  std::string note;  // optional; recorded on the timeline
};
struct AddNote {
  uint64_t incident_id = 0;
  std::string text;
};
// Evaluates timers (ack timeouts, auto-close) that are due at the engine's now. Queued by the writer itself.
struct Tick {};

struct Command {
  std::string actor;  // who asks: "token:<name>", "user:<name>", "system"
  std::variant<SubmitEvent, AcknowledgeIncident, ResolveIncident, AddNote, Tick> body;
};

struct Outcome {
  core::Status status;      // the command's own error (nothing written), or ok
  std::string dedup_key;    // for events
  uint64_t incident_id = 0;
  bool dropped = false;     // an event that matched nothing to act on (PagerDuty semantics: accepted, no effect)
  std::string message;      // short human-readable result
  uint64_t seq = 0;         // last record written for this command, 0 when none
};

}  // namespace engine
