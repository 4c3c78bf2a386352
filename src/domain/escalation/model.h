// Paging state: running escalations, the delivery outbox (what is owed to whom, when it is next tried), drill runs
// and their history, on-call overrides made at run time; and the fold of paging records into it.
#pragma once

#include <cstdint>
#include <deque>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "core/result.h"
#include "core/time.h"
#include "core/timer_set.h"
#include "domain/oncall/schedule.h"
#include "journal/record.h"

namespace escalation {

struct Escalation {
  uint64_t incident_id = 0;
  std::string policy;              // empty: no rule matched
  std::string rule;
  uint64_t started_seq = 0;        // seq of its escalation.started (names its deliveries' keys)
  bool active = false;             // steps still to run
  uint32_t step = 0;               // the last step that ran
  uint32_t round = 0;
  int64_t next_at_ms = 0;          // when the next step runs (0: none)
  std::vector<std::string> paged;  // everyone paged so far, in order (updates and the resolution go to them)
  std::vector<std::string> problems;  // targets that gave nobody, over all steps
  std::string stopped;             // why it stopped ("" while active)
  friend bool operator==(const Escalation&, const Escalation&) = default;
};

enum class DeliveryState : uint8_t { kPending, kDelivered, kFailed, kCancelled };
const char* ToString(DeliveryState state);

struct Delivery {
  uint64_t id = 0;  // seq of delivery.queued
  uint64_t incident_id = 0;
  std::string user, channel, address, kind, subject, text, key;
  bool page = false;
  DeliveryState state = DeliveryState::kPending;
  int64_t queued_ms = 0;
  int64_t due_ms = 0;        // next attempt (pending)
  uint32_t attempts = 0;
  int32_t status = 0;        // last answer
  std::string error;         // last error
  int64_t done_ms = 0;       // delivered / failed / cancelled at
  friend bool operator==(const Delivery&, const Delivery&) = default;
};

struct DrillRun {
  uint64_t run = 0;  // seq of drill.started
  std::string drill;
  std::string dedup_key;
  bool manual = false;
  int64_t started_ms = 0;
  int64_t deadline_ms = 0;
  uint64_t incident_id = 0;
  bool finished = false;
  bool passed = false;
  std::string link, detail;
  int64_t ack_ms = 0;
  int64_t finished_ms = 0;
  friend bool operator==(const DrillRun&, const DrillRun&) = default;
};

// An on-call override made through the API (override.created), until removed or long past.
struct CreatedOverride {
  uint64_t id = 0;
  std::string schedule;
  int64_t start_ms = 0;
  int64_t end_ms = 0;
  oncall::OverrideKind kind = oncall::OverrideKind::kReplace;
  std::string user;
  std::string replaced_user;
  std::string reason;
  std::string created_by;  // the actor
  int64_t created_ms = 0;
  friend bool operator==(const CreatedOverride&, const CreatedOverride&) = default;
};

// Owned by the engine's writer thread.
struct Model {
  std::map<uint64_t, Escalation> escalations;       // by incident id (incidents that ever escalated, not closed)
  core::TimerSet step_timers;                       // (next step ms, incident id)
  std::map<uint64_t, Delivery> deliveries;          // pending ones, and the last kMaxDone finished
  core::TimerSet outbox;                            // (due ms, delivery id) of pending deliveries
  std::deque<uint64_t> done;                        // finished delivery ids, oldest first
  std::map<uint64_t, DrillRun> runs;                // the last kMaxRuns runs per drill, by run id
  std::map<uint64_t, uint64_t> drill_incidents;     // incident id → run id
  std::map<std::string, int64_t> drill_last_ms;     // drill → its last scheduled occurrence started (ms)
  std::map<uint64_t, CreatedOverride> overrides;    // by id: overrides made at run time, not removed
  uint64_t next_override_id = 1;

  const Escalation* FindEscalation(uint64_t incident_id) const;
  const Delivery* FindDelivery(uint64_t id) const;
  bool IsDrill(uint64_t incident_id) const { return drill_incidents.count(incident_id) != 0; }
  // Deliveries of an incident, oldest first.
  std::vector<const Delivery*> DeliveriesOf(uint64_t incident_id) const;
  // The armed (unfinished, not yet linked) run whose synthetic event has this dedup key; 0 when none.
  uint64_t ArmedRun(std::string_view dedup_key) const;
};

constexpr size_t kMaxDone = 10000;  // finished deliveries kept for display
constexpr size_t kMaxRuns = 50;     // runs kept per drill
// A created override that ended this long before a newer override.created is dropped from the state.
constexpr int64_t kOverrideKeepMs = int64_t{30} * 24 * 3600 * 1000;

// Folds one paging record (type kFirstType..kLastType). kCorrupt for a payload that does not decode or names a
// delivery or run the model does not have.
core::Status Apply(Model& model, const journal::Record& record);

// The incident closed: its escalation is dropped (called by the engine's fold of incident.closed).
void Forget(Model& model, uint64_t incident_id);

std::string EncodeModel(const Model& model);
core::Result<Model> DecodeModel(std::string_view bytes);

}  // namespace escalation
