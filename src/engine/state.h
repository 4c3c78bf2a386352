// The engine's whole in-memory state (one Model per domain module), its canonical encoding, and the fold of one
// record into it, dispatched by the record's type tag.
#pragma once

#include <string>
#include <string_view>

#include "core/result.h"
#include "domain/classify/model.h"
#include "domain/coord/model.h"
#include "domain/correlate/model.h"
#include "domain/correlate/records.h"
#include "domain/escalation/model.h"
#include "domain/incident/lifecycle.h"
#include "domain/incident/model.h"
#include "domain/pools/model.h"
#include "journal/record.h"

namespace engine {

struct State {
  incident::Model incidents;
  correlate::Model alerts;  // labelled alerts and silences (Alertmanager's API)
  escalation::Model paging;  // escalations, the delivery outbox, drill runs
  classify::Model classify;  // SLO samples and verdicts, routine degradations
  coord::Model coord;        // incident roles, channels, status updates and their cadence
  pools::Model pools;        // shared responder pools: who holds a slot, who waits
};

std::string EncodeState(const State& state);
core::Result<State> DecodeState(std::string_view bytes);

// Sizes the state's tables for about `records` more records (each can open at most one alert or incident), so a
// replay does not rehash as it grows. Capped, so a huge journal does not reserve memory it will never use.
void ReserveFor(State& state, uint64_t records);

// kCorrupt for a type no module owns, or whatever the owning module's Apply reports.
core::Status ApplyRecord(State& state, const journal::Record& record, incident::Observer* observer);
// The same for a record whose payload is at hand decoded (the writer's, just linked): what ApplyRecord does after
// decoding it. `record.type` must be the payload's.
core::Status ApplyRecord(State& state, const journal::Record& record, incident::Payload payload,
                         incident::Observer* observer);
core::Status ApplyRecord(State& state, const journal::Record& record, correlate::Payload payload);

// "incident.opened", ... or "unknown".
const char* RecordTypeName(uint16_t type);

}  // namespace engine
