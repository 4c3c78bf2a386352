// Classification's state: each SLO's recent SLI samples and verdict, and the routine (ticket-level) degradations;
// the fold of classification records into it.
#pragma once

#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "domain/classify/records.h"
#include "domain/classify/slo.h"
#include "journal/record.h"

namespace classify {

// A routine (ticket-level) degradation: recorded and visible, not paged.
struct Routine {
  uint64_t seq = 0;
  std::string service, slo, reason;
  int64_t at_ms = 0;
  friend bool operator==(const Routine&, const Routine&) = default;
};

struct SloState {
  SliSeries series;
  Verdict verdict = Verdict::kNone;
  std::string reason;
  friend bool operator==(const SloState&, const SloState&) = default;
};

// What regulatory clocks count from, per incident (times in ms; 0 = not yet).
struct RegulatoryState {
  int64_t major_at_ms = 0;     // promoted to major: classification as major, awareness of a significant incident
  int64_t breach_at_ms = 0;    // a breach of the service's data confirmed: discovery, determination of the breach
  int64_t material_at_ms = 0;  // determined material
  int64_t high_risk_at_ms = 0; // the breach assessed as a high risk to people (GDPR Art. 34)
  std::map<std::pair<std::string, std::string>, int64_t> submissions;  // (regime, stage) → submitted at
  std::set<std::string> reminded;                                       // reminder keys sent
  friend bool operator==(const RegulatoryState&, const RegulatoryState&) = default;
};

// A change of the configuration, as journaled (newest last in Model::config_changes).
struct ConfigChange {
  uint64_t seq = 0;
  int64_t at_ms = 0;
  std::string actor;
  std::vector<std::string> changes;
  friend bool operator==(const ConfigChange&, const ConfigChange&) = default;
};

// Classification's state (owned by the engine's writer).
struct Model {
  std::map<std::pair<std::string, std::string>, SloState> slos;  // (service, slo name)
  std::vector<Routine> routine;                                  // the last kMaxRoutine, oldest first
  std::map<uint64_t, std::string> majors;                        // incident (not closed) → why it is major
  std::map<uint64_t, RegulatoryState> regulatory;                // incidents (not closed) with regulatory facts
  std::map<uint64_t, std::pair<std::string, std::string>> owners;  // incident → (team, reason) assigned by a person
  std::map<std::string, std::string> config_digests;               // section → digest of the configuration in force
  std::vector<ConfigChange> config_changes;                        // the last kMaxConfigChanges
  friend bool operator==(const Model&, const Model&) = default;
};
constexpr size_t kMaxRoutine = 1000;
constexpr size_t kMaxConfigChanges = 100;

core::Status Apply(Model& model, const journal::Record& record);
// The incident closed: what classification keeps about it goes (called by the engine's fold of incident.closed).
void Forget(Model& model, uint64_t incident_id);
std::string EncodeModel(const Model& model);
core::Result<Model> DecodeModel(std::string_view bytes);

}  // namespace classify
