#include "domain/pools/pools.h"

#include <algorithm>

namespace pools {
namespace {

using Kind = incident::NotificationRequested::Kind;

std::string PoolNames(const Config& config) {
  std::string s;
  for (const auto& p : config.pools) s += (s.empty() ? "" : ", ") + p.id;
  return s.empty() ? "none configured" : s;
}

std::vector<uint64_t> Ids(const std::vector<const Request*>& requests) {
  std::vector<uint64_t> out;
  for (const Request* r : requests) out.push_back(r->incident_id);
  return out;
}

uint32_t PositionOf(const Model& m, const std::string& pool, uint64_t incident_id) {
  const auto waiting = m.Waiting(pool);
  for (size_t i = 0; i < waiting.size(); ++i) {
    if (waiting[i]->incident_id == incident_id) return static_cast<uint32_t>(i + 1);
  }
  return 0;
}

// The request just became (or stayed) a waiting one: its position and who holds the slots.
void EmitQueued(const View& v, const std::string& pool, uint64_t incident_id, Emitter& emit) {
  const Request* r = v.pools.Find(pool, incident_id);
  if (r == nullptr) return;
  const int64_t respond_by = r->expect_ms > 0 ? r->requested_ms + r->expect_ms : 0;
  emit.Emit(Queued{incident_id, pool, PositionOf(v.pools, pool, incident_id), Ids(v.pools.Holders(pool)),
                   respond_by});
}

// Tells the pool's members which incident now has them.
void TellMembers(const View& v, const std::string& pool, uint64_t incident_id, const std::string& text,
                 Emitter& emit) {
  const Pool* p = v.config.Find(pool);
  if (p == nullptr) return;
  for (const auto& member : p->members) {
    emit.Emit(incident::NotificationRequested{incident_id, Kind::kDirect, text, member});
  }
}

void Assign(const View& v, const std::string& pool, uint64_t incident_id, uint64_t from, uint64_t displaced,
            Emitter& emit) {
  emit.Emit(Assigned{incident_id, pool, from, displaced});
  const incident::Incident* inc = v.classification.incidents.FindIncident(incident_id);
  TellMembers(v, pool, incident_id,
              "Pool " + pool + " is assigned to incident " + std::to_string(incident_id) +
                  (inc != nullptr ? " (" + inc->service + "): " + inc->title : ""),
              emit);
}

// Free slots go to the first waiting requests.
void HandOn(const View& v, const std::string& pool, uint64_t from, Emitter& emit) {
  const Pool* p = v.config.Find(pool);
  if (p == nullptr) return;  // no longer configured: nothing to hand on
  const size_t held = v.pools.Holders(pool).size();
  if (held >= p->Capacity()) return;
  const std::vector<uint64_t> next = Ids(v.pools.Waiting(pool));
  for (size_t i = 0; i < next.size() && i < p->Capacity() - held; ++i) Assign(v, pool, next[i], from, 0, emit);
}

}  // namespace

const Pool* Config::Find(std::string_view id) const {
  for (const auto& p : pools) {
    if (p.id == id) return &p;
  }
  return nullptr;
}

std::pair<std::string, core::Duration> UnitOf(const View& v, const Pool& pool, const std::string& service) {
  if (const classify::ServiceFacts* facts = v.classification.config.FindService(service)) {
    for (const auto& fn : facts->business_functions) {
      if (auto it = pool.expectations.find(fn); it != pool.expectations.end()) return {fn, it->second};
    }
  }
  auto it = pool.expectations.find("default");
  return {"default", it == pool.expectations.end() ? core::Duration(0) : it->second};
}

core::Status RequestPool(const View& v, uint64_t id, const std::string& pool_id, const std::string& note,
                         Emitter& emit) {
  const Pool* pool = v.config.Find(pool_id);
  if (pool == nullptr) return core::Invalid("no pool named '" + pool_id + "' (pools: " + PoolNames(v.config) + ")", "/pool");
  if (note.size() > 10000) return core::Invalid("note is longer than 10000 bytes", "/note");
  const incident::Incident* inc = v.classification.incidents.FindIncident(id);
  if (inc == nullptr || inc->state == incident::State::kClosed) {
    return core::NotFound("incident " + std::to_string(id) + " is closed or unknown");
  }
  if (!inc->open()) return core::Conflict("incident " + std::to_string(id) + " is resolved");
  if (v.pools.Find(pool_id, id) != nullptr) return core::Ok();

  const classify::Assessment a = classify::Assess(v.classification, *inc);
  const auto [unit, expect] = UnitOf(v, *pool, inc->service);
  Requested req;
  req.incident_id = id;
  req.pool = pool_id;
  req.priority = static_cast<uint8_t>(a.priority.size() == 2 ? std::clamp(a.priority[1] - '0', 1, 5) : 5);
  req.severity = a.severity;
  req.reason = a.priority_reason;
  req.unit = unit;
  req.expect_ms = std::chrono::duration_cast<std::chrono::milliseconds>(expect).count();
  req.note = note;
  emit.Emit(req);

  const auto holders = v.pools.Holders(pool_id);
  if (holders.size() < pool->Capacity()) {
    Assign(v, pool_id, id, 0, 0, emit);
    return core::Ok();
  }
  // Requests decided in the same instant are ordered by priority: a lower-priority incident given a slot at this
  // very moment (nobody can have started on it yet) waits instead. Anything older is never preempted.
  const int64_t now = core::ToUnixMillis(emit.now());
  const Request* displaced = nullptr;
  for (const Request* h : holders) {
    if (h->assigned_ms == now && h->priority > req.priority &&
        (displaced == nullptr || h->priority >= displaced->priority)) {
      displaced = h;
    }
  }
  if (displaced != nullptr) {
    const uint64_t other = displaced->incident_id;
    Assign(v, pool_id, id, 0, other, emit);
    EmitQueued(v, pool_id, other, emit);
    return core::Ok();
  }
  EmitQueued(v, pool_id, id, emit);
  std::vector<uint64_t> lower;
  for (const Request* h : holders) {
    if (h->priority > req.priority) lower.push_back(h->incident_id);
  }
  if (!lower.empty()) emit.Emit(Conflict{id, pool_id, req.priority, lower});
  return core::Ok();
}

core::Status ReleasePool(const View& v, uint64_t id, const std::string& pool, const std::string& reason,
                         Emitter& emit) {
  const Request* r = v.pools.Find(pool, id);
  if (r == nullptr) {
    return core::NotFound("incident " + std::to_string(id) + " has no request for pool '" + pool + "'");
  }
  const bool held = r->holding();
  emit.Emit(Released{id, pool, held, reason.empty() ? "released" : reason});
  if (held) HandOn(v, pool, id, emit);
  return core::Ok();
}

core::Status YieldPool(const View& v, uint64_t from, uint64_t to, const std::string& pool,
                       const std::string& reason, Emitter& emit) {
  if (v.config.Find(pool) == nullptr) return core::NotFound("no pool named '" + pool + "'");
  if (reason.empty() || reason.size() > 10000) return core::Invalid("reason must be 1 to 10000 bytes", "/reason");
  if (from == to) return core::Invalid("an incident cannot yield to itself", "/to");
  const Request* giver = v.pools.Find(pool, from);
  const Request* taker = v.pools.Find(pool, to);
  if (giver == nullptr) return core::NotFound("incident " + std::to_string(from) + " has no request for pool '" + pool + "'");
  if (taker == nullptr) return core::NotFound("incident " + std::to_string(to) + " has no request for pool '" + pool + "'");
  if (!giver->holding()) return core::Conflict("incident " + std::to_string(from) + " does not hold pool " + pool);
  if (taker->holding()) return core::Conflict("incident " + std::to_string(to) + " already holds pool " + pool);
  emit.Emit(Yielded{from, to, pool, reason});
  EmitQueued(v, pool, from, emit);
  TellMembers(v, pool, to,
              "Pool " + pool + ": incident " + std::to_string(from) + " yielded to incident " + std::to_string(to) +
                  " (" + reason + "). Switch to incident " + std::to_string(to) + ".",
              emit);
  return core::Ok();
}

void React(const View& v, const incident::Payload& record, Emitter& emit) {
  uint64_t id = 0;
  std::string reason;
  if (const auto* r = std::get_if<incident::IncidentResolved>(&record)) {
    id = r->incident_id;
    reason = "incident resolved";
  } else if (const auto* m = std::get_if<incident::IncidentMerged>(&record)) {
    id = m->incident_id;
    reason = "merged into incident " + std::to_string(m->into);
  } else {
    return;
  }
  std::vector<std::string> pools;
  for (const Request* r : v.pools.OfIncident(id)) pools.push_back(r->pool);
  for (const auto& pool : pools) (void)ReleasePool(v, id, pool, reason, emit);
}

void FireTimers(const View& v, Emitter& emit) {
  const int64_t now = core::ToUnixMillis(emit.now());
  std::vector<std::pair<std::string, uint64_t>> due;  // in the map's (deterministic) order
  for (const auto& [key, r] : v.pools.requests) {
    if (!r.holding() && !r.breached && r.expect_ms > 0 && now - r.requested_ms >= r.expect_ms) due.push_back(key);
  }
  for (const auto& [pool, id] : due) {
    const Request* r = v.pools.Find(pool, id);
    const Breached b{id, pool, r->unit, r->expect_ms, now - r->requested_ms};
    emit.Emit(b);
    emit.Emit(incident::NotificationRequested{
        id, Kind::kUpdated,
        "Incident " + std::to_string(id) + " has waited " + core::FormatDuration(std::chrono::milliseconds(b.waited_ms)) +
            " for pool " + pool + " (queue position " + std::to_string(PositionOf(v.pools, pool, id)) + "); " +
            b.unit + " expects a response within " + core::FormatDuration(std::chrono::milliseconds(b.expect_ms)) +
            ". See incidentctl pools queue " + pool,
        ""});
  }
}

Queue QueueOf(const Model& m, const Pool& pool, core::Timestamp now) {
  Queue q;
  q.capacity = pool.Capacity();
  const int64_t now_ms = core::ToUnixMillis(now);
  const auto holders = m.Holders(pool.id);
  q.free = holders.size() < q.capacity ? q.capacity - holders.size() : 0;
  for (const Request* h : holders) {
    Entry e;
    e.request = h;
    e.waited = std::chrono::milliseconds(now_ms - h->assigned_ms);
    q.holders.push_back(std::move(e));
  }
  const auto waiting = m.Waiting(pool.id);
  for (size_t i = 0; i < waiting.size(); ++i) {
    const Request* r = waiting[i];
    Entry e;
    e.request = r;
    e.position = static_cast<uint32_t>(i + 1);
    e.waited = std::chrono::milliseconds(now_ms - r->requested_ms);
    if (r->expect_ms > 0) {
      e.respond_by = core::FromUnixMillis(r->requested_ms + r->expect_ms);
      e.remaining = *e.respond_by - now;
    }
    e.late = r->breached || (e.respond_by && now >= *e.respond_by);
    for (const Request* h : holders) {
      if (h->priority > r->priority) e.conflicts_with.push_back(h->incident_id);
    }
    q.waiting.push_back(std::move(e));
  }
  return q;
}

}  // namespace pools
