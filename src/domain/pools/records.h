// Journal record payloads of shared responder pools (type tags 500..599): requests for a pool, the slot given or
// the place in the queue, releases, yields between incidents, priority conflicts and missed response times.
// Versioned encoding.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "core/result.h"

namespace pools {

enum class RecordType : uint16_t {
  kRequested = 500,
  kAssigned = 501,
  kQueued = 502,
  kReleased = 503,
  kYielded = 504,
  kConflict = 505,
  kBreached = 506,
};
constexpr uint16_t kFirstType = 500;
constexpr uint16_t kLastType = 599;
const char* TypeName(uint16_t type);

// An incident asked for a pool. `priority` 1..5 (P1..P5, from classify::Assess when asked) orders the queue;
// `unit` is the business unit whose response-time expectation applies (`expect_ms`, 0: none).
struct Requested {
  uint64_t incident_id = 0;
  std::string pool;
  uint8_t priority = 5;
  std::string severity;  // SEV1..SEV5 when asked
  std::string reason;    // why this priority
  std::string unit;
  int64_t expect_ms = 0;
  std::string note;
};
// The incident got a slot of the pool: a free one (`from` 0), or the one `from` released. `displaced`: an
// incident assigned at the very same instant with a lower priority, which goes back to the queue (requests decided
// together are ordered by priority, not by which reached the engine first).
struct Assigned {
  uint64_t incident_id = 0;
  std::string pool;
  uint64_t from = 0;
  uint64_t displaced = 0;
};
// No slot was free: the incident waits at `position` (1: next). `holders` are the incidents holding the slots
// then; `respond_by_ms` is when the expectation for its unit runs out (0: no expectation).
struct Queued {
  uint64_t incident_id = 0;
  std::string pool;
  uint32_t position = 0;
  std::vector<uint64_t> holders;
  int64_t respond_by_ms = 0;
};
// The incident gave its slot back, or stopped waiting (`held` false). `reason`: "released", "incident resolved", ...
struct Released {
  uint64_t incident_id = 0;
  std::string pool;
  bool held = false;
  std::string reason;
};
// A person resolved a conflict: `incident_id` gave its slot to `to` and waits again at its own priority.
struct Yielded {
  uint64_t incident_id = 0;
  uint64_t to = 0;
  std::string pool;
  std::string reason;
};
// A request had to wait while incidents of lower priority held every slot (`holders`). Not preempted: a person
// decides (a yield, or nothing).
struct Conflict {
  uint64_t incident_id = 0;
  std::string pool;
  uint8_t priority = 5;
  std::vector<uint64_t> holders;
};
// A queued request waited longer than the expectation for its business unit. Once per request.
struct Breached {
  uint64_t incident_id = 0;
  std::string pool;
  std::string unit;
  int64_t expect_ms = 0;
  int64_t waited_ms = 0;
};

using Payload = std::variant<Requested, Assigned, Queued, Released, Yielded, Conflict, Breached>;
RecordType TypeOf(const Payload& payload);
constexpr uint16_t kPayloadVersion = 1;
std::string EncodePayload(const Payload& payload);
core::Result<Payload> DecodePayload(uint16_t type, uint16_t version, std::string_view bytes);
// One human-readable line for the timeline (`actor`: who caused the record).
std::string Describe(const Payload& payload, const std::string& actor);
// The incident the record is mainly about.
uint64_t IncidentOf(const Payload& payload);
// Every incident whose timeline shows the record (the requester first; then holders, the other side of a yield).
std::vector<uint64_t> IncidentsOf(const Payload& payload);
// "timeline kind" of the record: pool_request, pool_assigned, ...
const char* TimelineKind(const Payload& payload);

}  // namespace pools
