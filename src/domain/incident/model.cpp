#include "domain/incident/model.h"

#include <algorithm>

#include "journal/codec.h"

namespace incident {

// One per open alert: a node of Model::alerts must stay in jemalloc's 128-byte class (see Alert).
static_assert(sizeof(Alert) <= 112, "incident::Alert grew past a 128-byte hash node");
namespace {

constexpr uint8_t kModelFormat = 5;  // 2: alerts without their text; 3: correlation and notification state; 4: category;
                                     // 5: subcategory, category rule, category usage

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

uint64_t KeyIndex::Hash(std::string_view service, std::string_view key) { return core::Fnv1a64Pair(service, key); }

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

void Model::SetNotify(Incident& inc, std::optional<core::Timestamp> due) {
  if (inc.notify_due) notify_timers.erase({core::ToUnixMillis(*inc.notify_due), inc.id});
  inc.notify_due = due;
  if (due) notify_timers.insert({core::ToUnixMillis(*due), inc.id});
}

void Model::RemoveRoot(const Incident& inc) {
  if (inc.subject == 0) return;
  auto it = roots.find(inc.subject);
  if (it == roots.end()) return;
  it->second.erase(inc.id);
  if (it->second.empty()) roots.erase(it);
}

void Model::FlapSample(std::string_view service, std::string_view dedup_key, bool firing, core::Timestamp at) {
  uint64_t key = KeyIndex::Hash(service, dedup_key);
  auto it = flaps.find(key);
  if (it == flaps.end()) {
    if (firing) return;  // a history starts at the first resolve: most alerts never flap, and never resolve twice
    it = flaps.emplace(key, FlapHistory{}).first;
    it->second.Add(true, at, kFlapHistory);  // the trigger before it
  } else if (!it->second.flapping && at - it->second.last > kFlapForget) {
    it->second = FlapHistory{};
    if (!firing) it->second.Add(true, at, kFlapHistory);
  }
  it->second.Add(firing, at, kFlapHistory);
}

std::vector<Held> Model::SuppressedBy(std::string_view window) const {
  std::vector<Held> out;
  auto it = suppressed.find(std::string(window));
  if (it == suppressed.end()) return out;
  for (const Held& h : it->second) {
    auto a = alerts.find(h.alert_id);
    if (a != alerts.end() && a->second.incident_id == 0) out.push_back(h);
  }
  return out;
}

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
  // Sized for what alerts and incidents usually take, so the buffer of a large state is not copied at every
  // doubling (a forked child encodes this while the server's writes copy every page they touch).
  journal::Writer w(m.alerts.size() * 64 + m.incidents.size() * 128 + 4096);
  w.U8(kModelFormat);
  w.U64(m.next_incident_id);
  // Both maps iterate in id order (DenseIdMap), the order the encoding has always had: no sort needed.
  w.U64(m.alerts.size());
  for (const auto& [id, a] : m.alerts) {
    w.U64(a.id);
    w.U64(a.incident_id);
    w.Str(a.service);
    w.Str(a.dedup_key);
    w.U8(static_cast<uint8_t>(a.status));
    w.U8(static_cast<uint8_t>(a.severity));
    w.Time(a.created_at);
    w.Time(a.updated_at);
    w.U64(a.event_count);
    w.U64(a.subject);
    w.Bool(a.failure);
  }
  w.U64(m.incidents.size());
  for (const auto& [id, inc] : m.incidents) {
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
    w.U64(inc.subject);
    w.U64(inc.merged_into);
    w.Time(inc.last_alert_at);
    w.U64(inc.members.size());
    for (uint64_t k : inc.members) w.U64(k);
    WriteOptTime(w, inc.notify_due);
    w.U64(inc.notified);
    w.U64(inc.pending);
    WriteOptTime(w, inc.last_notified_at);
    w.Str(inc.category);
    w.Str(inc.subcategory);
    w.Str(inc.category_rule);
  }
  // Failing nodes and root lists depend on the order alerts joined, so they are written, sorted, not re-derived.
  std::vector<std::pair<uint64_t, Failing>> failing(m.failing.begin(), m.failing.end());
  std::sort(failing.begin(), failing.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  w.U64(failing.size());
  for (const auto& [node, f] : failing) {
    w.U64(node);
    w.U64(f.incident_id);
    w.Time(f.since);
    w.U64(f.open);
  }
  std::vector<std::pair<uint64_t, std::set<uint64_t>>> roots(m.roots.begin(), m.roots.end());
  std::sort(roots.begin(), roots.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  w.U64(roots.size());
  for (const auto& [node, ids] : roots) {
    w.U64(node);
    w.U64(ids.size());
    for (uint64_t id : ids) w.U64(id);
  }
  std::vector<std::pair<std::string, std::vector<Held>>> held;
  for (const auto& [window, ids] : m.suppressed) {
    std::vector<Held> live = m.SuppressedBy(window);
    if (!live.empty()) held.emplace_back(window, std::move(live));
  }
  std::sort(held.begin(), held.end());
  w.U64(held.size());
  for (const auto& [window, list] : held) {
    w.Str(window);
    w.U64(list.size());
    for (const Held& h : list) {
      w.U64(h.alert_id);
      w.Str(h.group_key);
      w.Str(h.title);
    }
  }
  std::vector<std::pair<uint64_t, FlapHistory>> flaps(m.flaps.begin(), m.flaps.end());
  std::sort(flaps.begin(), flaps.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  w.U64(flaps.size());
  for (const auto& [key, h] : flaps) {
    w.U64(key);
    w.U64(h.states);
    w.U8(h.count);
    w.Bool(h.flapping);
    w.Time(h.last);
  }
  w.I64(m.flaps_pruned_ms);
  w.U64(m.category_usage.size());
  for (const auto& [name, u] : m.category_usage) {
    w.Str(name);
    w.U64(u.assigned);
    w.U64(u.reclassified_from);
    w.U64(u.reclassified_to);
  }
  return w.Take();
}

core::Result<Model> DecodeModel(std::string_view bytes) {
  journal::Reader r(bytes);
  Model m;
  const uint8_t format = r.U8();
  if (format < 1 || format > kModelFormat) return core::Corrupt("unknown incident state format");
  const bool with_text = format == 1;  // format 1 kept each alert's summary, source and details: skip them
  const bool with_correlation = format >= 3;
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
    if (with_correlation) {
      a.subject = r.U64();
      a.failure = r.Bool();
    }
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
    if (with_correlation) {
      inc.subject = r.U64();
      inc.merged_into = r.U64();
      inc.last_alert_at = r.Time();
      uint64_t n_members = r.U64();
      for (uint64_t k = 0; k < n_members && r.ok(); ++k) inc.members.push_back(r.U64());
      inc.notify_due = ReadOptTime(r);
      inc.notified = static_cast<uint32_t>(r.U64());
      inc.pending = static_cast<uint32_t>(r.U64());
      inc.last_notified_at = ReadOptTime(r);
      if (format >= 4) inc.category = r.Str();
      if (format >= 5) {
        inc.subcategory = r.Str();
        inc.category_rule = r.Str();
      }
    } else {
      inc.last_alert_at = inc.opened_at;
    }
    if (inc.timer_due) m.timers.insert({core::ToUnixMillis(*inc.timer_due), inc.id});
    if (inc.notify_due) m.notify_timers.insert({core::ToUnixMillis(*inc.notify_due), inc.id});
    const Incident& stored = m.incidents.emplace(inc.id, std::move(inc)).first->second;
    if (stored.state == State::kTriggered || stored.state == State::kAcknowledged) m.IndexGroup(stored);
  }
  if (with_correlation) {
    uint64_t n = r.U64();
    for (uint64_t i = 0; i < n && r.ok(); ++i) {
      uint64_t node = r.U64();
      Failing f;
      f.incident_id = r.U64();
      f.since = r.Time();
      f.open = static_cast<uint32_t>(r.U64());
      m.failing.emplace(node, f);
    }
    n = r.U64();
    for (uint64_t i = 0; i < n && r.ok(); ++i) {
      uint64_t node = r.U64();
      uint64_t k = r.U64();
      auto& ids = m.roots[node];
      for (uint64_t j = 0; j < k && r.ok(); ++j) ids.insert(r.U64());
    }
    n = r.U64();
    for (uint64_t i = 0; i < n && r.ok(); ++i) {
      std::string window = r.Str();
      uint64_t k = r.U64();
      auto& list = m.suppressed[window];
      for (uint64_t j = 0; j < k && r.ok(); ++j) {
        Held h;
        h.alert_id = r.U64();
        h.group_key = r.Str();
        h.title = r.Str();
        list.push_back(std::move(h));
      }
    }
  }
  if (with_correlation) {
    uint64_t n = r.U64();
    for (uint64_t i = 0; i < n && r.ok(); ++i) {
      uint64_t key = r.U64();
      FlapHistory h;
      h.states = static_cast<uint32_t>(r.U64());
      h.count = r.U8();
      h.flapping = r.Bool();
      h.last = r.Time();
      m.flaps.emplace(key, h);
    }
    m.flaps_pruned_ms = r.I64();
  }
  if (format >= 5) {
    uint64_t n = r.U64();
    for (uint64_t i = 0; i < n && r.ok(); ++i) {
      std::string name = r.Str();
      CategoryUsage& u = m.category_usage[name];
      u.assigned = r.U64();
      u.reclassified_from = r.U64();
      u.reclassified_to = r.U64();
    }
  }
  if (auto st = r.Finish("incident state"); !st.ok()) return st.error();
  return m;
}

}  // namespace incident
