#include "domain/classify/model.h"

#include "journal/codec.h"

namespace classify {
namespace {
constexpr uint8_t kModelFormat = 2;  // 2: configuration digests and changes
}

core::Status Apply(Model& m, const journal::Record& record) {
  auto decoded = DecodePayload(record.type, record.version, record.payload);
  if (!decoded.ok()) return decoded.error();
  const int64_t now = core::ToUnixMillis(record.time);
  if (auto* s = std::get_if<SliRecorded>(&decoded.value())) {
    SloState& state = m.slos[{s->service, s->slo}];
    for (const auto& x : s->samples) state.series.Add(x.at_ms, x.good, x.total);
    state.series.Prune(now);
    return core::Ok();
  }
  if (auto* major = std::get_if<IncidentMajor>(&decoded.value())) {
    m.regulatory[major->incident_id].major_at_ms = now;
    m.majors[major->incident_id] = std::move(major->reason);
    return core::Ok();
  }
  if (auto* fact = std::get_if<RegulatoryFact>(&decoded.value())) {
    RegulatoryState& r = m.regulatory[fact->incident_id];
    (fact->fact == "breach" ? r.breach_at_ms : fact->fact == "material" ? r.material_at_ms : r.high_risk_at_ms) = now;
    return core::Ok();
  }
  if (auto* sub = std::get_if<RegulatorySubmitted>(&decoded.value())) {
    m.regulatory[sub->incident_id].submissions[{sub->regime, sub->stage}] = now;
    return core::Ok();
  }
  if (auto* rem = std::get_if<RegulatoryReminded>(&decoded.value())) {
    m.regulatory[rem->incident_id].reminded.insert(rem->key);
    return core::Ok();
  }
  if (auto* own = std::get_if<OwnerAssigned>(&decoded.value())) {
    m.owners[own->incident_id] = {std::move(own->team), record.actor + (own->reason.empty() ? "" : ": " + own->reason)};
    return core::Ok();
  }
  if (auto* cc = std::get_if<ConfigChanged>(&decoded.value())) {
    m.config_digests = std::move(cc->digests);
    m.config_changes.push_back(ConfigChange{record.seq, now, record.actor, std::move(cc->changes)});
    if (m.config_changes.size() > kMaxConfigChanges) m.config_changes.erase(m.config_changes.begin());
    return core::Ok();
  }
  auto& v = std::get<SloVerdict>(decoded.value());
  SloState& state = m.slos[{v.service, v.slo}];
  state.verdict = v.verdict;
  state.reason = v.reason;
  if (v.verdict == Verdict::kTicket) {
    m.routine.push_back(Routine{record.seq, v.service, v.slo, v.reason, now});
    if (m.routine.size() > kMaxRoutine) m.routine.erase(m.routine.begin());
  }
  return core::Ok();
}

void Forget(Model& m, uint64_t incident_id) {
  m.majors.erase(incident_id);
  m.regulatory.erase(incident_id);
  m.owners.erase(incident_id);
}

std::string EncodeModel(const Model& m) {
  journal::Writer w;
  w.U8(kModelFormat);
  w.U64(m.slos.size());
  for (const auto& [key, s] : m.slos) {
    w.Str(key.first);
    w.Str(key.second);
    w.U8(static_cast<uint8_t>(s.verdict));
    w.Str(s.reason);
    w.U64(s.series.buckets().size());
    for (const auto& [minute, b] : s.series.buckets()) {
      w.I64(minute);
      w.U64(b.first);
      w.U64(b.second);
    }
  }
  w.U64(m.routine.size());
  for (const auto& r : m.routine) {
    w.U64(r.seq);
    w.Str(r.service);
    w.Str(r.slo);
    w.Str(r.reason);
    w.I64(r.at_ms);
  }
  w.U64(m.majors.size());
  for (const auto& [id, reason] : m.majors) {
    w.U64(id);
    w.Str(reason);
  }
  w.U64(m.regulatory.size());
  for (const auto& [id, r] : m.regulatory) {
    w.U64(id);
    w.I64(r.major_at_ms);
    w.I64(r.breach_at_ms);
    w.I64(r.material_at_ms);
    w.U64(r.submissions.size());
    for (const auto& [key, at] : r.submissions) {
      w.Str(key.first);
      w.Str(key.second);
      w.I64(at);
    }
    w.U64(r.reminded.size());
    for (const auto& k : r.reminded) w.Str(k);
  }
  w.U64(m.owners.size());
  for (const auto& [id, owner] : m.owners) {
    w.U64(id);
    w.Str(owner.first);
    w.Str(owner.second);
  }
  // Format 2 from here on.
  w.U64(m.regulatory.size());
  for (const auto& [id, r] : m.regulatory) {
    w.U64(id);
    w.I64(r.high_risk_at_ms);
  }
  w.U64(m.config_digests.size());
  for (const auto& [section, digest] : m.config_digests) {
    w.Str(section);
    w.Str(digest);
  }
  w.U64(m.config_changes.size());
  for (const auto& c : m.config_changes) {
    w.U64(c.seq);
    w.I64(c.at_ms);
    w.Str(c.actor);
    w.U64(c.changes.size());
    for (const auto& line : c.changes) w.Str(line);
  }
  return w.Take();
}

core::Result<Model> DecodeModel(std::string_view bytes) {
  Model m;
  if (bytes.empty()) return m;  // state written before classification existed
  journal::Reader r(bytes);
  const uint8_t format = r.U8();
  if (format != 1 && format != kModelFormat) return core::Corrupt("unknown classification state format");
  uint64_t n = r.U64();
  for (uint64_t i = 0; i < n && r.ok(); ++i) {
    std::string service = r.Str();
    std::string slo = r.Str();
    SloState& s = m.slos[{service, slo}];
    uint8_t verdict = r.U8();
    s.verdict = static_cast<Verdict>(verdict > 2 ? 0 : verdict);
    s.reason = r.Str();
    uint64_t buckets = r.U64();
    for (uint64_t k = 0; k < buckets && r.ok(); ++k) {
      int64_t minute = r.I64();
      uint64_t good = r.U64();
      uint64_t total = r.U64();
      s.series.Add(minute * SliSeries::kBucketMs, good, total);
    }
  }
  n = r.U64();
  for (uint64_t i = 0; i < n && r.ok(); ++i) {
    Routine x;
    x.seq = r.U64();
    x.service = r.Str();
    x.slo = r.Str();
    x.reason = r.Str();
    x.at_ms = r.I64();
    m.routine.push_back(std::move(x));
  }
  n = r.U64();
  for (uint64_t i = 0; i < n && r.ok(); ++i) {
    uint64_t id = r.U64();
    m.majors[id] = r.Str();
  }
  n = r.U64();
  for (uint64_t i = 0; i < n && r.ok(); ++i) {
    RegulatoryState& s = m.regulatory[r.U64()];
    s.major_at_ms = r.I64();
    s.breach_at_ms = r.I64();
    s.material_at_ms = r.I64();
    uint64_t k = r.U64();
    for (uint64_t j = 0; j < k && r.ok(); ++j) {
      std::string regime = r.Str();
      std::string stage = r.Str();
      s.submissions[{regime, stage}] = r.I64();
    }
    k = r.U64();
    for (uint64_t j = 0; j < k && r.ok(); ++j) s.reminded.insert(r.Str());
  }
  n = r.U64();
  for (uint64_t i = 0; i < n && r.ok(); ++i) {
    uint64_t id = r.U64();
    std::string team = r.Str();
    m.owners[id] = {std::move(team), r.Str()};
  }
  if (format >= 2) {
    n = r.U64();
    for (uint64_t i = 0; i < n && r.ok(); ++i) {
      const uint64_t id = r.U64();
      m.regulatory[id].high_risk_at_ms = r.I64();
    }
    n = r.U64();
    for (uint64_t i = 0; i < n && r.ok(); ++i) {
      std::string section = r.Str();
      m.config_digests[section] = r.Str();
    }
    n = r.U64();
    for (uint64_t i = 0; i < n && r.ok(); ++i) {
      ConfigChange c;
      c.seq = r.U64();
      c.at_ms = r.I64();
      c.actor = r.Str();
      uint64_t k = r.U64();
      for (uint64_t j = 0; j < k && r.ok(); ++j) c.changes.push_back(r.Str());
      m.config_changes.push_back(std::move(c));
    }
  }
  if (auto st = r.Finish("classification state"); !st.ok()) return st.error();
  return m;
}

}  // namespace classify
