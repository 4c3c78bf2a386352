#include "domain/incident/model.h"

#include <algorithm>

#include "journal/codec.h"

namespace incident {
namespace {

constexpr uint8_t kModelFormat = 2;  // 2: alerts without their text

void WriteOptTime(journal::Writer& w, const std::optional<core::Timestamp>& t) {
  w.Bool(t.has_value());
  if (t) w.Time(*t);
}

std::optional<core::Timestamp> ReadOptTime(journal::Reader& r) {
  if (!r.Bool()) return std::nullopt;
  return r.Time();
}

template <typename E>
E ReadEnum(journal::Reader& r, uint8_t max) {
  uint8_t v = r.U8();
  return static_cast<E>(v <= max ? v : 0);
}

}  // namespace

const char* ToString(State state) {
  switch (state) {
    case State::kTriggered: return "triggered";
    case State::kAcknowledged: return "acknowledged";
    case State::kResolved: return "resolved";
    case State::kClosed: return "closed";
  }
  return "triggered";
}

const char* ToString(AlertStatus status) {
  switch (status) {
    case AlertStatus::kTriggered: return "triggered";
    case AlertStatus::kAcknowledged: return "acknowledged";
    case AlertStatus::kResolved: return "resolved";
  }
  return "triggered";
}

std::string AlertKey(std::string_view service, std::string_view key) {
  std::string out;
  out.reserve(service.size() + key.size() + 1);
  out.append(service);
  out.push_back('\x1f');
  out.append(key);
  return out;
}

uint64_t KeyIndex::Hash(std::string_view service, std::string_view key) {
  uint64_t h = core::Fnv1a64(service);
  h ^= 0xff;
  h *= 1099511628211ULL;
  for (unsigned char c : key) {
    h ^= c;
    h *= 1099511628211ULL;
  }
  return h;
}

std::string KeyIndex::Joined(std::string_view service, std::string_view key) { return AlertKey(service, key); }

const Alert* Model::FindOpenAlert(std::string_view service, std::string_view dedup_key) const {
  const Alert* found = nullptr;
  alert_by_key.Find(service, dedup_key, [&](uint64_t id) {
    auto it = alerts.find(id);
    if (it == alerts.end() || it->second.service != service || it->second.dedup_key != dedup_key) return false;
    found = &it->second;
    return true;
  });
  return found;
}

uint64_t Model::FindOpenGroup(std::string_view service, std::string_view group_key) const {
  return open_groups.Find(service, group_key, [&](uint64_t id) {
    auto it = incidents.find(id);
    return it != incidents.end() && it->second.service == service && it->second.group_key == group_key;
  });
}

void Model::IndexAlert(const Alert& a) {
  alert_by_key.Insert(a.service, a.dedup_key, a.id, [&](uint64_t id) {
    auto it = alerts.find(id);
    return it == alerts.end() || (it->second.service == a.service && it->second.dedup_key == a.dedup_key);
  });
}

void Model::UnindexAlert(const Alert& a) { alert_by_key.Erase(a.service, a.dedup_key, a.id); }

void Model::IndexGroup(const Incident& inc) {
  open_groups.Insert(inc.service, inc.group_key, inc.id, [&](uint64_t id) {
    auto it = incidents.find(id);
    return it == incidents.end() || (it->second.service == inc.service && it->second.group_key == inc.group_key);
  });
}

void Model::UnindexGroup(const Incident& inc) { open_groups.Erase(inc.service, inc.group_key, inc.id); }

std::vector<uint64_t> Model::OpenAlertIds(const Incident& incident) const {
  std::vector<uint64_t> out;
  out.reserve(incident.open_alerts.size());
  for (uint64_t id : incident.open_alerts.slots()) {
    auto it = alerts.find(id);
    if (it != alerts.end() && it->second.incident_id == incident.id) out.push_back(id);
  }
  return out;
}

const Incident* Model::FindIncident(uint64_t id) const {
  auto it = incidents.find(id);
  return it == incidents.end() ? nullptr : &it->second;
}

// The indexes (alert_by_key, open_groups, timers) are derived, so only alerts and incidents are written, each in id
// order so equal models encode to equal bytes.
std::string EncodeModel(const Model& m) {
  journal::Writer w;
  w.U8(kModelFormat);
  w.U64(m.next_incident_id);
  std::vector<const Alert*> alerts;
  alerts.reserve(m.alerts.size());
  for (const auto& [id, a] : m.alerts) alerts.push_back(&a);
  std::sort(alerts.begin(), alerts.end(), [](const Alert* a, const Alert* b) { return a->id < b->id; });
  w.U64(alerts.size());
  for (const Alert* a : alerts) {
    w.U64(a->id);
    w.U64(a->incident_id);
    w.Str(a->service);
    w.Str(a->dedup_key);
    w.U8(static_cast<uint8_t>(a->status));
    w.U8(static_cast<uint8_t>(a->severity));
    w.Time(a->created_at);
    w.Time(a->updated_at);
    w.U64(a->event_count);
  }
  std::vector<const Incident*> incidents;
  incidents.reserve(m.incidents.size());
  for (const auto& [id, inc] : m.incidents) incidents.push_back(&inc);
  std::sort(incidents.begin(), incidents.end(), [](const Incident* a, const Incident* b) { return a->id < b->id; });
  w.U64(incidents.size());
  for (const Incident* p : incidents) {
    const Incident& inc = *p;
    w.U64(inc.id);
    w.Str(inc.service);
    w.Str(inc.group_key);
    w.Str(inc.title);
    w.U8(static_cast<uint8_t>(inc.severity));
    w.U8(static_cast<uint8_t>(inc.state));
    w.Time(inc.opened_at);
    WriteOptTime(w, inc.acknowledged_at);
    WriteOptTime(w, inc.resolved_at);
    WriteOptTime(w, inc.closed_at);
    w.U64(inc.alert_count);
    std::vector<uint64_t> open = m.OpenAlertIds(inc);
    w.U64(open.size());
    for (uint64_t a : open) w.U64(a);
    WriteOptTime(w, inc.timer_due);
    w.U64(inc.last_seq);
    w.Str(inc.last_actor);
  }
  return w.Take();
}

core::Result<Model> DecodeModel(std::string_view bytes) {
  journal::Reader r(bytes);
  Model m;
  const uint8_t format = r.U8();
  if (format != 1 && format != kModelFormat) return core::Corrupt("unknown incident state format");
  const bool with_text = format == 1;  // format 1 kept each alert's summary, source and details: skip them
  m.next_incident_id = r.U64();
  uint64_t n_alerts = r.U64();
  if (n_alerts <= bytes.size()) {
    m.alerts.reserve(n_alerts);
    m.alert_by_key.Reserve(n_alerts);
  }
  for (uint64_t i = 0; i < n_alerts && r.ok(); ++i) {
    Alert a;
    a.id = r.U64();
    a.incident_id = r.U64();
    a.service = r.Str();
    a.dedup_key = r.Str();
    a.status = ReadEnum<AlertStatus>(r, 2);
    if (with_text) {
      r.StrView();
      r.StrView();
    }
    a.severity = ReadEnum<ingest::Severity>(r, 3);
    a.created_at = r.Time();
    a.updated_at = r.Time();
    a.event_count = static_cast<uint32_t>(r.U64());
    if (with_text) r.StrView();
    m.IndexAlert(m.alerts.emplace(a.id, std::move(a)).first->second);
  }
  uint64_t n_incidents = r.U64();
  for (uint64_t i = 0; i < n_incidents && r.ok(); ++i) {
    Incident inc;
    inc.id = r.U64();
    inc.service = r.Str();
    inc.group_key = r.Str();
    inc.title = r.Str();
    inc.severity = ReadEnum<ingest::Severity>(r, 3);
    inc.state = ReadEnum<State>(r, 3);
    inc.opened_at = r.Time();
    inc.acknowledged_at = ReadOptTime(r);
    inc.resolved_at = ReadOptTime(r);
    inc.closed_at = ReadOptTime(r);
    inc.alert_count = static_cast<uint32_t>(r.U64());
    uint64_t n_open = r.U64();
    for (uint64_t k = 0; k < n_open && r.ok(); ++k) inc.open_alerts.Add(r.U64());
    inc.timer_due = ReadOptTime(r);
    inc.last_seq = r.U64();
    inc.last_actor = r.Str();
    if (inc.timer_due) m.timers.insert({core::ToUnixMillis(*inc.timer_due), inc.id});
    const Incident& stored = m.incidents.emplace(inc.id, std::move(inc)).first->second;
    if (stored.state == State::kTriggered || stored.state == State::kAcknowledged) m.IndexGroup(stored);
  }
  if (auto st = r.Finish("incident state"); !st.ok()) return st.error();
  return m;
}

}  // namespace incident
