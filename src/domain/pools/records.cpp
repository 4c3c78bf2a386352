#include "domain/pools/records.h"

#include <algorithm>

#include "core/time.h"
#include "journal/codec.h"

namespace pools {
namespace {

void Ids(journal::Writer& w, const std::vector<uint64_t>& ids) {
  w.U64(ids.size());
  for (uint64_t id : ids) w.U64(id);
}

std::vector<uint64_t> Ids(journal::Reader& r) {
  std::vector<uint64_t> out;
  const uint64_t n = r.U64();
  for (uint64_t i = 0; i < n && r.ok(); ++i) out.push_back(r.U64());
  return out;
}

std::string List(const std::vector<uint64_t>& ids) {
  std::string s;
  for (size_t i = 0; i < ids.size(); ++i) {
    s += (i == 0 ? "" : i + 1 == ids.size() ? " and " : ", ") + std::to_string(ids[i]);
  }
  return s;
}

std::string Incidents(const std::vector<uint64_t>& ids) {
  return (ids.size() == 1 ? "incident " : "incidents ") + List(ids);
}

std::string Ms(int64_t ms) { return core::FormatDuration(std::chrono::milliseconds(ms)); }

}  // namespace

const char* TypeName(uint16_t type) {
  switch (static_cast<RecordType>(type)) {
    case RecordType::kRequested: return "pool.requested";
    case RecordType::kAssigned: return "pool.assigned";
    case RecordType::kQueued: return "pool.queued";
    case RecordType::kReleased: return "pool.released";
    case RecordType::kYielded: return "pool.yielded";
    case RecordType::kConflict: return "pool.conflict";
    case RecordType::kBreached: return "pool.breached";
  }
  return "unknown";
}

RecordType TypeOf(const Payload& payload) { return static_cast<RecordType>(kFirstType + payload.index()); }

std::string EncodePayload(const Payload& payload) {
  journal::Writer w;
  std::visit(
      [&](const auto& p) {
        using T = std::decay_t<decltype(p)>;
        w.U64(p.incident_id);
        w.Str(p.pool);
        if constexpr (std::is_same_v<T, Requested>) {
          w.U8(p.priority);
          w.Str(p.severity);
          w.Str(p.reason);
          w.Str(p.unit);
          w.I64(p.expect_ms);
          w.Str(p.note);
        } else if constexpr (std::is_same_v<T, Assigned>) {
          w.U64(p.from);
          w.U64(p.displaced);
        } else if constexpr (std::is_same_v<T, Queued>) {
          w.U64(p.position);
          Ids(w, p.holders);
          w.I64(p.respond_by_ms);
        } else if constexpr (std::is_same_v<T, Released>) {
          w.Bool(p.held);
          w.Str(p.reason);
        } else if constexpr (std::is_same_v<T, Yielded>) {
          w.U64(p.to);
          w.Str(p.reason);
        } else if constexpr (std::is_same_v<T, Conflict>) {
          w.U8(p.priority);
          Ids(w, p.holders);
        } else {
          w.Str(p.unit);
          w.I64(p.expect_ms);
          w.I64(p.waited_ms);
        }
      },
      payload);
  return w.Take();
}

core::Result<Payload> DecodePayload(uint16_t type, uint16_t version, std::string_view bytes) {
  if (version != kPayloadVersion) return core::Corrupt(std::string("unsupported version of ") + TypeName(type));
  journal::Reader r(bytes);
  Payload out;
  const uint64_t id = r.U64();
  std::string pool = r.Str();
  switch (static_cast<RecordType>(type)) {
    case RecordType::kRequested: {
      Requested x;
      x.priority = r.U8();
      x.severity = r.Str();
      x.reason = r.Str();
      x.unit = r.Str();
      x.expect_ms = r.I64();
      x.note = r.Str();
      out = std::move(x);
      break;
    }
    case RecordType::kAssigned: {
      Assigned x;
      x.from = r.U64();
      x.displaced = r.U64();
      out = std::move(x);
      break;
    }
    case RecordType::kQueued: {
      Queued x;
      x.position = static_cast<uint32_t>(r.U64());
      x.holders = Ids(r);
      x.respond_by_ms = r.I64();
      out = std::move(x);
      break;
    }
    case RecordType::kReleased: {
      Released x;
      x.held = r.Bool();
      x.reason = r.Str();
      out = std::move(x);
      break;
    }
    case RecordType::kYielded: {
      Yielded x;
      x.to = r.U64();
      x.reason = r.Str();
      out = std::move(x);
      break;
    }
    case RecordType::kConflict: {
      Conflict x;
      x.priority = r.U8();
      x.holders = Ids(r);
      out = std::move(x);
      break;
    }
    case RecordType::kBreached: {
      Breached x;
      x.unit = r.Str();
      x.expect_ms = r.I64();
      x.waited_ms = r.I64();
      out = std::move(x);
      break;
    }
    default:
      return core::Corrupt("record type " + std::to_string(type) + " is not a pool record");
  }
  if (auto st = r.Finish(TypeName(type)); !st.ok()) return st.error();
  std::visit(
      [&](auto& p) {
        p.incident_id = id;
        p.pool = std::move(pool);
      },
      out);
  return out;
}

uint64_t IncidentOf(const Payload& payload) {
  return std::visit([](const auto& p) { return p.incident_id; }, payload);
}

std::vector<uint64_t> IncidentsOf(const Payload& payload) {
  std::vector<uint64_t> out{IncidentOf(payload)};
  auto add = [&](uint64_t id) {
    if (id != 0 && std::find(out.begin(), out.end(), id) == out.end()) out.push_back(id);
  };
  if (const auto* q = std::get_if<Queued>(&payload)) {
    for (uint64_t h : q->holders) add(h);
  } else if (const auto* c = std::get_if<Conflict>(&payload)) {
    for (uint64_t h : c->holders) add(h);
  } else if (const auto* y = std::get_if<Yielded>(&payload)) {
    add(y->to);
  } else if (const auto* a = std::get_if<Assigned>(&payload)) {
    add(a->from);
    add(a->displaced);
  }
  return out;
}

const char* TimelineKind(const Payload& payload) {
  switch (TypeOf(payload)) {
    case RecordType::kRequested: return "pool_request";
    case RecordType::kAssigned: return "pool_assigned";
    case RecordType::kQueued: return "pool_queued";
    case RecordType::kReleased: return "pool_released";
    case RecordType::kYielded: return "pool_yielded";
    case RecordType::kConflict: return "pool_conflict";
    case RecordType::kBreached: return "pool_breach";
  }
  return "pool";
}

std::string Describe(const Payload& payload, const std::string& actor) {
  return std::visit(
      [&](const auto& p) -> std::string {
        using T = std::decay_t<decltype(p)>;
        const std::string inc = "incident " + std::to_string(p.incident_id);
        if constexpr (std::is_same_v<T, Requested>) {
          std::string s = "Pool " + p.pool + " requested for " + inc + " by " + actor + " at P" +
                          std::to_string(p.priority) + (p.severity.empty() ? "" : " (" + p.severity + ")");
          if (!p.reason.empty()) s += ": " + p.reason;
          s += p.expect_ms > 0 ? "; " + p.unit + " expects a response within " + Ms(p.expect_ms)
                               : "; no response-time expectation for " + p.unit;
          return s + (p.note.empty() ? "" : "; note: " + p.note);
        } else if constexpr (std::is_same_v<T, Assigned>) {
          std::string s = "Pool " + p.pool + " assigned to " + inc;
          if (p.from != 0) s += " (the slot incident " + std::to_string(p.from) + " gave up)";
          if (p.from == 0 && p.displaced == 0) s += " (a free slot)";
          if (p.displaced != 0) {
            s += ": incident " + std::to_string(p.displaced) +
                 ", given the slot in the same instant at a lower priority, waits instead";
          }
          return s;
        } else if constexpr (std::is_same_v<T, Queued>) {
          std::string s = "Incident " + std::to_string(p.incident_id) + " waits for pool " + p.pool +
                          " at queue position " + std::to_string(p.position);
          if (!p.holders.empty()) s += "; held by " + Incidents(p.holders);
          if (p.respond_by_ms > 0) {
            s += "; response expected by " + core::FormatRfc3339(core::FromUnixMillis(p.respond_by_ms));
          }
          return s;
        } else if constexpr (std::is_same_v<T, Released>) {
          return "Incident " + std::to_string(p.incident_id) + (p.held ? " released pool " : " stopped waiting for pool ") +
                 p.pool + " (" + p.reason + ", " + actor + ")";
        } else if constexpr (std::is_same_v<T, Yielded>) {
          return "Incident " + std::to_string(p.incident_id) + " yielded pool " + p.pool + " to incident " +
                 std::to_string(p.to) + " (" + p.reason + "), decided by " + actor;
        } else if constexpr (std::is_same_v<T, Conflict>) {
          return "Priority conflict on pool " + p.pool + ": " + inc + " (P" + std::to_string(p.priority) +
                 ") waits while lower-priority " + Incidents(p.holders) + (p.holders.size() == 1 ? " holds" : " hold") +
                 " every slot; not preempted: a commander may yield (incidentctl pools yield " + p.pool + " --from " +
                 (p.holders.empty() ? std::string("N") : std::to_string(p.holders.front())) + " --to " + std::to_string(p.incident_id) + " --reason ...)";
        } else {
          return "Pool " + p.pool + " response time missed for " + inc + ": waited " + Ms(p.waited_ms) + ", " +
                 p.unit + " expects " + Ms(p.expect_ms);
        }
      },
      payload);
}

}  // namespace pools
