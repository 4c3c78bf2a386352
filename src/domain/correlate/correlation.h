// The correlator the incident lifecycle consults for every new alert: topology collapse (a failing parent's
// incident takes its dependents' alerts as symptoms, and merges their incidents opened just before it failed) and
// maintenance windows (expected alerts in scope are suppressed, unexpected ones marked and notified at once).
#pragma once

#include "domain/correlate/model.h"
#include "domain/incident/lifecycle.h"

namespace correlate {

class Correlation final : public incident::Correlator {
 public:
  // `model` (topology, windows) must outlive this.
  explicit Correlation(const Model& model) : model_(model) {}

  incident::Decision Place(const incident::Model& incidents, const incident::NewAlert& alert,
                           core::Timestamp now) const override;
  std::vector<incident::MergeDecision> Merges(const incident::Model& incidents, uint64_t subject,
                                              uint64_t incident_id, core::Timestamp now) const override;
  std::optional<incident::Placement> ParentOf(const incident::Model& incidents, uint64_t subject,
                                              core::Timestamp now) const override;

  // Whether there is anything to consult (a topology or an open window); the engine skips the work otherwise.
  bool active() const override { return !model_.topology.empty() || !model_.open_windows.empty(); }

 private:
  incident::Decision PlaceByTopology(const incident::Model& incidents, const incident::NewAlert& alert,
                                     core::Timestamp now) const;
  void ApplyWindows(const incident::NewAlert& alert, incident::Decision& d) const;
  std::optional<incident::Placement> FailingParent(const incident::Model& incidents, uint64_t subject, uint64_t host,
                                                   core::Timestamp now) const;
  const Model& model_;
};

}  // namespace correlate
