// Shared responder pools: a team several incidents may need at once (the DBAs), with a capacity. Incidents request
// a pool at a priority derived from their severity and business function (classify::Assess); requests wait in
// priority order; a freed slot goes to the first waiting; a higher-priority request that finds every slot held by
// lower-priority incidents is recorded as a conflict (never preempted automatically) for a person to resolve by a
// yield; a request waiting longer than its business unit's expectation is a breach, recorded once.
// Pure: time comes from the Emitter.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "domain/classify/pipeline.h"
#include "domain/coord/coord.h"
#include "domain/pools/model.h"
#include "domain/pools/records.h"

namespace pools {

struct Pool {
  std::string id;    // "dba": in paths and records
  std::string name;  // "Database administrators"
  std::vector<std::string> members;  // people (people:) told when the pool is assigned to an incident
  size_t capacity = 0;               // incidents worked at once (0: one per member)
  // Business unit → the response time it expects; "default" for the others (absent: no expectation).
  std::map<std::string, core::Duration> expectations;
  size_t Capacity() const { return capacity != 0 ? capacity : members.size(); }
};

struct Config {
  std::vector<Pool> pools;  // key `pools`
  const Pool* Find(std::string_view id) const;
};

class Emitter : public coord::Emitter {
 public:
  using coord::Emitter::Emit;
  virtual uint64_t Emit(const Payload& payload) = 0;
};

struct View {
  const Model& pools;
  const Config& config;
  const classify::View& classification;
};

// The business unit whose expectation applies to an incident on `service`: the first of the service's business
// functions (classify catalogue) the pool has an expectation for, else "default"; and that expectation (0: none).
std::pair<std::string, core::Duration> UnitOf(const View& view, const Pool& pool, const std::string& service);

// Requests `pool` for an incident. Assigned at once when a slot is free; otherwise it waits (pool.queued with its
// position), and when lower-priority incidents hold every slot a pool.conflict names them. A request decided in the
// same instant as a lower-priority assignment takes that slot instead (the other waits). kInvalid naming /pool for
// a pool not configured, /note over 10000 bytes; kNotFound for an incident closed or unknown; kConflict for a
// resolved one. No record when the incident already has a request for the pool.
core::Status RequestPool(const View& view, uint64_t incident_id, const std::string& pool, const std::string& note,
                         Emitter& emit);

// The incident gives its slot back (the first waiting request gets it) or stops waiting. kNotFound when it has no
// request for the pool.
core::Status ReleasePool(const View& view, uint64_t incident_id, const std::string& pool, const std::string& reason,
                         Emitter& emit);

// `from` (holding a slot) yields it to `to` (waiting) and waits again at its own priority. kInvalid naming /reason
// (required, at most 10000 bytes) or /to (the same incident); kNotFound for a pool not configured or an incident
// without a request for it; kConflict when `from` does not hold a slot or `to` is not waiting.
core::Status YieldPool(const View& view, uint64_t from, uint64_t to, const std::string& pool,
                       const std::string& reason, Emitter& emit);

// Reacts to an incident record: a resolved or merged incident releases every pool it requested.
void React(const View& view, const incident::Payload& record, Emitter& emit);

// Breaches due at emit.now(): each waiting request past its expectation, once, with a notification to the people
// paged for the incident.
void FireTimers(const View& view, Emitter& emit);

// What GET /api/v1/pools/{id}/queue shows. For a waiting request the expected response is the time left of the
// agreed expectation for its business unit (respond_by = requested + expectation; negative when late): incidentd
// does not predict when a holder will finish, so it does not promise an earlier time than the agreement.
struct Entry {
  const Request* request = nullptr;
  uint32_t position = 0;                      // waiting: 1 is next; 0 for a holder
  core::Duration waited{0};                   // waiting: since the request; holder: since it got the slot
  std::optional<core::Timestamp> respond_by;  // waiting, with an expectation
  core::Duration remaining{0};                // respond_by − now (negative: late)
  bool late = false;                          // past respond_by (or recorded as breached)
  std::vector<uint64_t> conflicts_with;       // waiting: lower-priority incidents holding slots now
};
struct Queue {
  size_t capacity = 0;
  size_t free = 0;
  std::vector<Entry> holders;
  std::vector<Entry> waiting;
};
Queue QueueOf(const Model& model, const Pool& pool, core::Timestamp now);

}  // namespace pools
