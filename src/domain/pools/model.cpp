#include "domain/pools/model.h"

#include <algorithm>

#include "domain/pools/records.h"
#include "journal/codec.h"

namespace pools {
namespace {

constexpr uint8_t kModelFormat = 1;

bool QueueOrder(const Request* a, const Request* b) {
  return std::tie(a->priority, a->requested_ms, a->incident_id) <
         std::tie(b->priority, b->requested_ms, b->incident_id);
}

void WriteRequest(journal::Writer& w, const Request& r) {
  w.U64(r.incident_id);
  w.Str(r.pool);
  w.U8(r.priority);
  w.Str(r.severity);
  w.Str(r.reason);
  w.Str(r.unit);
  w.I64(r.expect_ms);
  w.Str(r.note);
  w.Str(r.requested_by);
  w.I64(r.requested_ms);
  w.I64(r.assigned_ms);
  w.Bool(r.breached);
  w.U64(r.conflict_with.size());
  for (uint64_t id : r.conflict_with) w.U64(id);
}

Request ReadRequest(journal::Reader& r) {
  Request x;
  x.incident_id = r.U64();
  x.pool = r.Str();
  x.priority = r.U8();
  x.severity = r.Str();
  x.reason = r.Str();
  x.unit = r.Str();
  x.expect_ms = r.I64();
  x.note = r.Str();
  x.requested_by = r.Str();
  x.requested_ms = r.I64();
  x.assigned_ms = r.I64();
  x.breached = r.Bool();
  const uint64_t n = r.U64();
  for (uint64_t i = 0; i < n && r.ok(); ++i) x.conflict_with.push_back(r.U64());
  return x;
}

}  // namespace

const Request* Model::Find(std::string_view pool, uint64_t incident_id) const {
  auto it = requests.find({std::string(pool), incident_id});
  return it == requests.end() ? nullptr : &it->second;
}

std::vector<const Request*> Model::Holders(std::string_view pool) const {
  std::vector<const Request*> out;
  for (auto it = requests.lower_bound({std::string(pool), 0}); it != requests.end() && it->first.first == pool; ++it) {
    if (it->second.holding()) out.push_back(&it->second);
  }
  std::sort(out.begin(), out.end(), [](const Request* a, const Request* b) {
    return std::tie(a->assigned_ms, a->incident_id) < std::tie(b->assigned_ms, b->incident_id);
  });
  return out;
}

std::vector<const Request*> Model::Waiting(std::string_view pool) const {
  std::vector<const Request*> out;
  for (auto it = requests.lower_bound({std::string(pool), 0}); it != requests.end() && it->first.first == pool; ++it) {
    if (!it->second.holding()) out.push_back(&it->second);
  }
  std::sort(out.begin(), out.end(), QueueOrder);
  return out;
}

std::vector<const Request*> Model::OfIncident(uint64_t incident_id) const {
  std::vector<const Request*> out;
  for (const auto& [key, r] : requests) {
    if (key.second == incident_id) out.push_back(&r);
  }
  return out;  // the map's order: by pool name
}

core::Status Apply(Model& m, const journal::Record& record) {
  auto decoded = DecodePayload(record.type, record.version, record.payload);
  if (!decoded.ok()) return decoded.error();
  const int64_t now = core::ToUnixMillis(record.time);
  const Payload& payload = decoded.value();
  auto find = [&](uint64_t id) -> Request* {
    auto it = m.requests.find({std::visit([](const auto& p) { return p.pool; }, payload), id});
    return it == m.requests.end() ? nullptr : &it->second;
  };
  auto missing = [&](uint64_t id) {
    return core::Corrupt("record " + std::to_string(record.seq) + " (" + TypeName(record.type) + ") names incident " +
                         std::to_string(id) + ", which has no request for that pool");
  };
  if (const auto* p = std::get_if<Requested>(&payload)) {
    Request& r = m.requests[{p->pool, p->incident_id}];
    r = Request{};
    r.incident_id = p->incident_id;
    r.pool = p->pool;
    r.priority = p->priority;
    r.severity = p->severity;
    r.reason = p->reason;
    r.unit = p->unit;
    r.expect_ms = p->expect_ms;
    r.note = p->note;
    r.requested_by = record.actor;
    r.requested_ms = now;
    return core::Ok();
  }
  Request* r = find(IncidentOf(payload));
  if (r == nullptr) return missing(IncidentOf(payload));
  if (const auto* p = std::get_if<Assigned>(&payload)) {
    if (p->displaced != 0) {
      Request* d = find(p->displaced);
      if (d == nullptr) return missing(p->displaced);
      d->assigned_ms = 0;
    }
    r->assigned_ms = now;
    r->conflict_with.clear();
  } else if (std::holds_alternative<Released>(payload)) {
    m.requests.erase({r->pool, r->incident_id});
  } else if (const auto* p = std::get_if<Yielded>(&payload)) {
    Request* to = find(p->to);
    if (to == nullptr) return missing(p->to);
    r->assigned_ms = 0;
    to->assigned_ms = now;
    to->conflict_with.clear();
    auto& recent = m.yields[p->pool];
    recent.push_back(YieldRecord{p->incident_id, p->to, p->reason, record.actor, now});
    while (recent.size() > kYieldsKept) recent.pop_front();
  } else if (const auto* p = std::get_if<Conflict>(&payload)) {
    r->conflict_with = p->holders;
  } else if (std::holds_alternative<Breached>(payload)) {
    r->breached = true;
  }
  return core::Ok();
}

void Forget(Model& m, uint64_t incident_id) {
  std::erase_if(m.requests, [&](const auto& kv) { return kv.first.second == incident_id; });
}

std::string EncodeModel(const Model& m) {
  journal::Writer w;
  w.U8(kModelFormat);
  w.U64(m.requests.size());
  for (const auto& [key, r] : m.requests) WriteRequest(w, r);
  w.U64(m.yields.size());
  for (const auto& [pool, list] : m.yields) {
    w.Str(pool);
    w.U64(list.size());
    for (const auto& y : list) {
      w.U64(y.from);
      w.U64(y.to);
      w.Str(y.reason);
      w.Str(y.actor);
      w.I64(y.at_ms);
    }
  }
  return w.Take();
}

core::Result<Model> DecodeModel(std::string_view bytes) {
  Model m;
  if (bytes.empty()) return m;  // state written before pools existed
  journal::Reader r(bytes);
  if (r.U8() != kModelFormat) return core::Corrupt("unknown pool state format");
  const uint64_t n = r.U64();
  for (uint64_t i = 0; i < n && r.ok(); ++i) {
    Request x = ReadRequest(r);
    std::pair<std::string, uint64_t> key{x.pool, x.incident_id};
    m.requests[std::move(key)] = std::move(x);
  }
  const uint64_t pools = r.U64();
  for (uint64_t i = 0; i < pools && r.ok(); ++i) {
    auto& list = m.yields[r.Str()];
    const uint64_t k = r.U64();
    for (uint64_t j = 0; j < k && r.ok(); ++j) {
      YieldRecord y;
      y.from = r.U64();
      y.to = r.U64();
      y.reason = r.Str();
      y.actor = r.Str();
      y.at_ms = r.I64();
      list.push_back(std::move(y));
    }
  }
  if (auto st = r.Finish("pool state"); !st.ok()) return st.error();
  return m;
}

}  // namespace pools
