// Paging decisions: an incident's notifications become escalations (routing rule → policy → steps → people →
// contact methods → outbox deliveries), acknowledgement stops them, the outbox's attempts are recorded with
// backoff, and fire drills test the whole chain. Pure: time comes from the Emitter, nothing here does I/O.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/result.h"
#include "domain/correlate/pipeline.h"
#include "domain/escalation/config.h"
#include "domain/escalation/model.h"
#include "domain/escalation/records.h"
#include "domain/incident/config.h"
#include "domain/incident/model.h"
#include "domain/incident/records.h"

namespace escalation {

// Where decisions go: paging records, and the incident and correlate records drills cause.
class Emitter : public correlate::Emitter {
 public:
  using correlate::Emitter::Emit;
  virtual uint64_t Emit(const Payload& payload) = 0;
};

struct View {
  const Model& paging;
  const incident::Model& incidents;
  const Config& config;
  const incident::Config& services;
  // Per incident, a line every notification about it carries (its coordination channel and bridge); may be null.
  const std::map<uint64_t, std::string>* channel_lines = nullptr;
};

// The policy a routing rule picks for an incident now, and why. Empty policy when no rule matches.
struct RouteChoice {
  std::string policy;
  std::string rule;
  std::string reason;
};
RouteChoice Route(const Config& config, const incident::Incident& incident, core::Timestamp now);

// Reacts to an incident record the incident lifecycle just emitted (the engine calls this for every record of
// types incident.acknowledged, incident.unacknowledged, incident.resolved, incident.merged and
// notification.requested, in order). A first notification starts the escalation; later ones go to the people it
// paged; acknowledgement and resolution stop it and cancel pages not yet sent; an expired acknowledgement restarts
// it; a drill incident's acknowledgement may pass its drill.
void React(const View& view, const incident::Payload& record, Emitter& emit);

// Restarts the incident's escalation with another policy, or pages one person. kNotFound / kConflict (not open),
// kInvalid naming /policy or /user.
core::Status Reassign(const View& view, uint64_t incident_id, const std::string& policy, const std::string& user,
                      Emitter& emit);

// Moves the incident's running escalation to its next step (or the first step of its next round) now, paging as
// that step does on its timeout; the timeline says who asked and why (escalation.forced). kNotFound for an incident
// never issued; kConflict when the incident is not open and triggered, no escalation is running, or it is at its
// last step of its last round.
core::Status EscalateNow(const View& view, uint64_t incident_id, const std::string& reason, const std::string& actor,
                         Emitter& emit);

// What the outbox worker saw when it tried a delivery.
struct AttemptReport {
  uint64_t delivery_id = 0;
  uint32_t attempt = 0;  // must be the delivery's attempts + 1
  bool ok = false;
  bool permanent = false;
  int32_t status = 0;
  std::string error;
  int64_t retry_after_ms = 0;  // the receiver asked to wait at least this long (0: no ask)
};
// Records the attempt and when the next one is due (exponential backoff from retry_base, doubling, capped at
// retry_cap, with a deterministic ±20% jitter from the key; never before retry_after; given up after
// give_up_after). kNotFound for an unknown delivery; kConflict when it is no longer pending or `attempt` is stale
// (a report of an attempt already recorded): nothing is written.
core::Status RecordAttempt(const View& view, const AttemptReport& report, Emitter& emit);

// When attempt `attempt` (1-based) failed at `now`: the next attempt's time, or 0 to give up.
int64_t NextAttemptMs(const Config& config, const Delivery& delivery, uint32_t attempt, int64_t now_ms,
                      int64_t retry_after_ms);

// Escalation steps due, scheduled drills due, drills past their deadline.
void FireTimers(const View& view, Emitter& emit);

// Starts a run of the drill now (on request). kNotFound for an unknown drill; kConflict while a run of it is still
// going. Returns the run id.
core::Result<uint64_t> RunDrill(const View& view, const std::string& drill, Emitter& emit);
// The dedup key and routing key of a run's synthetic event.
struct DrillEvent {
  std::string routing_key;
  std::string dedup_key;
  std::string summary;
  std::string severity;
};
std::optional<DrillEvent> DrillEventOf(const View& view, uint64_t run);
// After an event was handled: when it was the synthetic event of an armed run, links the run to its incident.
void LinkDrillEvent(const View& view, const std::string& dedup_key, uint64_t incident_id, Emitter& emit);

// A timeline line for a paging record about an incident (incident id 0: not about one).
struct TimelineLine {
  uint64_t incident_id = 0;
  std::string kind;
  std::string text;
};
std::optional<TimelineLine> Describe(const Model& model, const Payload& payload);

}  // namespace escalation
