// Classification decisions: SLI samples in, SLO verdicts out (a page opens an incident on the service, a ticket is
// a routine record). Pure: time comes from the Emitter.
#pragma once

#include <string>
#include <vector>

#include "domain/classify/model.h"
#include "domain/classify/records.h"
#include "domain/classify/slo.h"
#include "domain/escalation/paging.h"
#include "domain/incident/config.h"
#include "domain/incident/model.h"

namespace classify {

struct Config {
  std::vector<Slo> slos;
  std::vector<BurnRule> burn_rules = DefaultBurnRules();
  const Slo* FindSlo(std::string_view service, std::string_view name) const;
};

// Where decisions go: classification records, and the incident and paging records they cause.
class Emitter : public escalation::Emitter {
 public:
  using escalation::Emitter::Emit;
  virtual uint64_t Emit(const Payload& payload) = 0;
};

struct View {
  const Model& classify;
  const incident::Model& incidents;
  const Config& config;
  const incident::Config& services;
};

constexpr size_t kMaxSamplesPerPost = 1000;

// Records SLI samples of one SLO and evaluates it. kNotFound for an unknown service or SLO; kInvalid naming the
// field (/samples/3/good) for good > total, a total above 10^12, a time more than 3 days back or 5 minutes ahead,
// or more than kMaxSamplesPerPost samples. A sample without a time (at_ms 0) counts now.
core::Status RecordSli(const View& view, const std::string& service, const std::string& slo,
                       std::vector<SliSample> samples, Emitter& emit);

// Re-evaluates every SLO at emit.now() (windows slide even without new samples).
void FireTimers(const View& view, Emitter& emit);

}  // namespace classify
