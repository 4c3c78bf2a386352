#include "domain/correlate/correlation.h"

namespace correlate {

using incident::Placement;

std::optional<Placement> Correlation::FailingParent(const incident::Model& incidents, uint64_t subject,
                                                    uint64_t host, core::Timestamp now) const {
  const Topology& topo = model_.topology;
  const TopologyConfig& cfg = topo.config();
  for (const Parent& parent : topo.Ancestors(subject, host)) {
    auto f = incidents.failing.find(parent.node);
    if (f == incidents.failing.end()) continue;
    const incident::Incident* inc = incidents.FindIncident(f->second.incident_id);
    if (inc == nullptr || !inc->open()) continue;
    if (!cfg.join_while_failing && now - f->second.since > cfg.window) continue;
    Placement p;
    p.kind = Placement::Kind::kSymptom;
    p.incident_id = inc->id;
    p.rule = parent.rule;
    p.parent = parent.name;
    p.offset_ms = (now - f->second.since).count();
    return p;
  }
  return std::nullopt;
}

namespace {

std::string_view HostOf(const TopologyConfig& cfg, const core::LabelSet& labels) {
  for (const auto& name : cfg.host_labels) {
    std::string_view v = labels.Get(name);
    if (v.empty()) continue;
    if (v.front() != '[') {
      size_t colon = v.rfind(':');
      if (colon != std::string_view::npos && v.find(':') == colon) v = v.substr(0, colon);
    }
    return v;
  }
  return {};
}

}  // namespace

// Maintenance windows open now: an in-scope alert is suppressed when a window expects it; in scope but not
// expected, it is marked and notifies at once.
void Correlation::ApplyWindows(const incident::NewAlert& alert, incident::Decision& d) const {
  if (model_.open_windows.empty() || alert.labels == nullptr) return;
  AlertFacts facts;
  facts.service = alert.service;
  facts.host = HostOf(model_.topology.config(), *alert.labels);
  facts.kind_name = alert.kind_name;
  facts.severity = alert.severity;
  facts.labels = alert.labels;
  const WindowState* unexpected = nullptr;
  for (const auto& id : model_.open_windows) {
    auto it = model_.windows.find(id);
    if (it == model_.windows.end() || !InScope(it->second.window, facts)) continue;
    if (Expected(it->second.window, facts)) {
      d.placement = Placement{};
      d.placement.kind = Placement::Kind::kSuppressed;
      d.placement.window = it->second.window.id;
      d.placement.window_name = it->second.window.name;
      d.unexpected = false;
      return;
    }
    if (unexpected == nullptr) unexpected = &it->second;
  }
  if (unexpected != nullptr) {
    d.unexpected = true;
    d.placement.window = unexpected->window.id;
    d.placement.window_name = unexpected->window.name;
  }
}

incident::Decision Correlation::Place(const incident::Model& incidents, const incident::NewAlert& alert,
                                      core::Timestamp now) const {
  incident::Decision d = PlaceByTopology(incidents, alert, now);
  ApplyWindows(alert, d);
  return d;
}

incident::Decision Correlation::PlaceByTopology(const incident::Model& incidents, const incident::NewAlert& alert,
                                                core::Timestamp now) const {
  incident::Decision d;
  const Topology& topo = model_.topology;
  if (topo.empty() || alert.labels == nullptr) return d;
  Topology::Subject s = topo.SubjectOf(alert.service, *alert.labels);
  d.subject = s.node;
  d.failure = s.failure;
  if (s.node == 0) return d;
  if (s.failure) {
    // Another alert saying the same node is down joins the incident that node's failure is in.
    auto f = incidents.failing.find(s.node);
    const incident::Incident* inc = f == incidents.failing.end() ? nullptr : incidents.FindIncident(f->second.incident_id);
    if (inc != nullptr && inc->open()) {
      d.placement.kind = Placement::Kind::kSymptom;
      d.placement.incident_id = inc->id;
      d.placement.rule = "same-node (" + s.rule + ")";
      d.placement.parent = topo.Describe(s.node);
      d.placement.offset_ms = (now - f->second.since).count();
      return d;
    }
  }
  if (auto parent = FailingParent(incidents, s.node, s.host, now)) d.placement = std::move(*parent);
  return d;
}

std::optional<Placement> Correlation::ParentOf(const incident::Model& incidents, uint64_t subject,
                                               core::Timestamp now) const {
  if (model_.topology.empty() || subject == 0) return std::nullopt;
  return FailingParent(incidents, subject, 0, now);
}

std::vector<incident::MergeDecision> Correlation::Merges(const incident::Model& incidents, uint64_t subject,
                                                         uint64_t incident_id, core::Timestamp now) const {
  std::vector<incident::MergeDecision> out;
  const Topology& topo = model_.topology;
  if (topo.empty()) return out;
  const core::Timestamp earliest = now - topo.config().window;
  const std::string parent = topo.Describe(subject);
  for (const Parent& dependent : topo.Dependents(subject)) {
    auto roots = incidents.roots.find(dependent.node);
    if (roots == incidents.roots.end()) continue;
    // Newest first; ids grow with opening time, so the walk stops at the first incident older than the window.
    for (auto it = roots->second.rbegin(); it != roots->second.rend(); ++it) {
      const uint64_t id = *it;
      if (id == incident_id) continue;
      const incident::Incident* inc = incidents.FindIncident(id);
      if (inc == nullptr || !inc->open()) continue;
      if (inc->opened_at < earliest) break;
      incident::MergeDecision m;
      m.incident_id = id;
      m.rule = dependent.rule;
      m.parent = parent;
      m.offset_ms = (now - inc->opened_at).count();
      out.push_back(std::move(m));
    }
  }
  return out;
}

}  // namespace correlate
