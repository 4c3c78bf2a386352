// Journal record payloads of paging: escalations, the delivery outbox, fire drills, on-call overrides made at run
// time. Type tags 200..299.
#pragma once

#include <cstdint>
#include <string>
#include <variant>
#include <vector>

#include "core/result.h"

namespace escalation {

enum class RecordType : uint16_t {
  kEscalationStarted = 200,
  kEscalationStepped = 201,
  kEscalationStopped = 202,
  kEscalationForced = 203,
  kDeliveryQueued = 210,
  kDeliveryAttempted = 211,
  kDeliveryCancelled = 212,
  kDrillStarted = 220,
  kDrillLinked = 221,
  kDrillFinished = 222,
  kOverrideCreated = 230,
  kOverrideRemoved = 231,
};
constexpr uint16_t kFirstType = 200;
constexpr uint16_t kLastType = 299;

const char* TypeName(uint16_t type);

// A routing rule picked a policy for an incident (or a person reassigned it); step 0 follows at once.
struct EscalationStarted {
  uint64_t incident_id = 0;
  std::string policy;  // empty: no rule matched (nobody is paged; the reason says why)
  std::string rule;    // the routing rule that matched, or "reassigned"
  std::string reason;  // "rule sev1-night: severity critical, off hours in Europe/Berlin (Sun 03:00)"
};
// One step of the policy ran: `users` were paged; the next step (or round) is due at next_at_ms (0: none left).
struct EscalationStepped {
  uint64_t incident_id = 0;
  uint32_t step = 0;
  uint32_t round = 0;
  std::vector<std::string> users;
  std::vector<std::string> problems;  // targets that gave nobody: "schedule primary has nobody on call"
  int64_t next_at_ms = 0;
};
struct EscalationStopped {
  uint64_t incident_id = 0;
  std::string reason;  // acknowledged, resolved, merged, exhausted, reassigned
};

// A person moved the incident's escalation on to its next step now (an escalation.stepped follows).
struct EscalationForced {
  uint64_t incident_id = 0;
  std::string reason;  // optional
  std::string actor;   // who asked ("user:alice")
};

// One message for one person over one contact method. Its id is the record's seq; `key` stays the same over
// every attempt, so a receiver can drop duplicates.
struct DeliveryQueued {
  uint64_t incident_id = 0;  // 0: not about one incident (maintenance summaries)
  std::string user;
  std::string channel;
  std::string address;
  std::string kind;     // triggered, updated, resolved, merged, escalated, ...
  std::string subject;
  std::string text;
  std::string key;      // idempotency key
  int64_t due_ms = 0;   // first attempt not before
  bool page = false;    // a page: cancelled when the incident is acknowledged or resolved before it goes out
};
struct DeliveryAttempted {
  uint64_t delivery_id = 0;
  uint32_t attempt = 0;    // 1, 2, ...
  bool ok = false;
  bool permanent = false;  // the receiver refused it for good (no retry)
  int32_t status = 0;      // HTTP status or SMTP reply code; 0 = no answer
  std::string error;
  int64_t next_at_ms = 0;  // the next attempt; 0 = done (delivered, refused, or given up)
};
struct DeliveryCancelled {
  uint64_t delivery_id = 0;
  std::string reason;
};

// A drill run starts: its synthetic event (dedup key `dedup_key`) is injected at the source; it must be delivered
// and acknowledged by deadline_ms. The run id is the record's seq.
struct DrillStarted {
  std::string drill;
  std::string dedup_key;
  int64_t deadline_ms = 0;
  bool manual = false;  // run on request rather than by its schedule
};
// The run's synthetic event opened (or joined) this incident.
struct DrillLinked {
  uint64_t run = 0;
  uint64_t incident_id = 0;
};
struct DrillFinished {
  uint64_t run = 0;
  bool passed = false;
  std::string link;    // pass: how it got through; fail: the broken link (ingest, routing, schedule, channel, ack)
  std::string detail;  // human-readable
  int64_t ack_ms = 0;  // time from start to acknowledgement (pass)
};

// An on-call override made at run time (the API), applied after the schedule's configured overrides.
struct OverrideCreated {
  uint64_t id = 0;  // 1, 2, ... in creation order (Model::next_override_id)
  std::string schedule;
  int64_t start_ms = 0;
  int64_t end_ms = 0;
  std::string kind;  // replace, add, remove
  std::string user;
  std::string replaced_user;  // replace only; empty = whoever is on call
  std::string reason;
  std::string actor;  // who made it ("user:alice")
};
struct OverrideRemoved {
  uint64_t id = 0;
  std::string schedule;
  std::string actor;
};

using Payload = std::variant<EscalationStarted, EscalationStepped, EscalationStopped, DeliveryQueued,
                             DeliveryAttempted, DeliveryCancelled, DrillStarted, DrillLinked, DrillFinished,
                             EscalationForced, OverrideCreated, OverrideRemoved>;

RecordType TypeOf(const Payload& payload);
constexpr uint16_t kPayloadVersion = 1;
std::string EncodePayload(const Payload& payload);
core::Result<Payload> DecodePayload(uint16_t type, uint16_t version, std::string_view bytes);

}  // namespace escalation
