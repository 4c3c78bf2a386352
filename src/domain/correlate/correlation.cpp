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

incident::Decision Correlation::Place(const incident::Model& incidents, const incident::NewAlert& alert,
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
    for (uint64_t id : roots->second) {
      if (id == incident_id) continue;
      const incident::Incident* inc = incidents.FindIncident(id);
      if (inc == nullptr || !inc->open() || inc->opened_at < earliest) continue;
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
