// Classification decisions: SLI samples in, SLO verdicts out (a page opens an incident on the service, a ticket is
// a routine record). Pure: time comes from the Emitter.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/labels.h"
#include "domain/classify/model.h"
#include "domain/classify/regulatory.h"
#include "domain/classify/records.h"
#include "domain/classify/slo.h"
#include "domain/escalation/paging.h"
#include "domain/incident/config.h"
#include "domain/incident/model.h"

namespace classify {

// What the catalogue says about a service (services[] keys in the configuration).
struct ServiceFacts {
  std::string service;
  std::string owner_team;
  std::vector<std::string> business_functions;
  uint64_t customers = 0;  // customers it serves
  std::vector<std::string> jurisdictions;  // where it operates for regulatory purposes: EU, UK, US, US-NY, ...
  std::vector<std::string> data;           // data it processes: personal, payment_card, health
  std::vector<std::string> regions = {};   // where it runs: eu-west-1, us-east, ... (shown with the classification)
};

// When an incident is major: any one criterion that is set. Evaluated whenever its facts change.
struct MajorCriteria {
  uint32_t services_affected = 0;             // at least this many distinct services in it (0: off)
  uint64_t customers_affected = 0;            // the services in it serve at least this many customers (0: off)
  bool critical_function_down = false;        // a critical alert of a service supporting a critical function
  std::vector<std::string> categories;        // its category is one of these (a security breach, data corruption)
  std::string policy;                         // the escalation policy paged on promotion (empty: none)
};

// Who owns an incident when the service's own team should not: the first rule matching its category or service.
struct OwnerRule {
  std::vector<std::string> categories;
  std::vector<std::string> services;
  std::string team;
};

struct Config {
  std::vector<Slo> slos;
  std::vector<OwnerRule> owner_rules;
  // Impact: high from this many customers affected (or a major incident), medium from medium_customers.
  uint64_t high_customers = 10000;
  uint64_t medium_customers = 100;
  // impact (high, medium, low) × urgency (high, medium, low) → priority 1..5 (ITIL's example grid by default).
  int priority_matrix[3][3] = {{1, 2, 3}, {2, 3, 4}, {3, 4, 5}};
  std::vector<BurnRule> burn_rules = DefaultBurnRules();
  std::vector<ServiceFacts> catalogue;
  std::vector<std::string> critical_functions;  // business functions whose loss makes an incident major
  std::optional<MajorCriteria> major;
  std::vector<Regime> regimes;                 // regulatory notification regimes (rules/regulatory.yaml)
  std::vector<std::string> entity;             // what the organisation is: financial_entity, nis2_entity, ...
  std::string time_zone = "UTC";               // the organisation's (working days for calendar rules)
  std::vector<core::Duration> reminders{std::chrono::hours(4), std::chrono::hours(1), core::Duration(0)};
  const Slo* FindSlo(std::string_view service, std::string_view name) const;
  const ServiceFacts* FindService(std::string_view service) const;
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

// An SLI sample carried by an alert (for Prometheus users who feed SLIs through alerting rules): labels `slo` and
// `sli_service` (else `service`) name a configured SLO; annotations `sli_good` and `sli_total` (counts), or
// `sli_ratio` (0..1, counted as 10,000 events) give the sample, taken at `now_ms`. nullopt when the alert carries
// none, names no configured SLO, or the numbers do not parse.
struct AlertSli {
  std::string service;
  std::string slo;
  SliSample sample;
};
std::optional<AlertSli> SliFromAlert(const Config& config, const core::LabelSet& labels,
                                     const core::LabelSet& annotations, int64_t now_ms);

// Re-evaluates every SLO at emit.now() (windows slide even without new samples).
void FireTimers(const View& view, Emitter& emit);

// Reacts to an incident record (opened, an alert joined or was linked, severity raised, reclassified): promotes the
// incident to major, once, when a criterion holds, recording why, and pages the major-incident policy.
void React(const View& view, const escalation::View& paging, const incident::Payload& record, Emitter& emit);

// Re-evaluates every open incident against the major-incident criteria (after the catalogue or criteria changed).
void Reevaluate(const View& view, const escalation::View& paging, Emitter& emit);

// Journals a configuration change (config.changed) when `digests` differ from those in force; `changes` says, one
// line each, what changed and whether it took effect.
core::Status RecordConfigChange(const View& view, std::map<std::string, std::string> digests,
                                std::vector<std::string> changes, Emitter& emit);

// The reason an incident is major now, or empty.
std::string MajorReason(const View& view, const incident::Incident& incident);

// Severity (SEV1–SEV5, from impact), priority (P1–P5 from impact × urgency) and the primary owner of an incident,
// each with the reason; derived from its current facts whenever asked.
struct Assessment {
  std::string severity;  // SEV1..SEV5
  std::string severity_reason;
  std::string impact;    // high, medium, low
  std::string urgency;   // high, medium, low
  std::string priority;  // P1..P5
  std::string priority_reason;
  std::string owner_team;  // empty when the catalogue names none
  std::string owner_reason;
};
Assessment Assess(const View& view, const incident::Incident& incident);

// What the regulatory rules read about an incident: its service's jurisdictions and data, the organisation, its
// category, and the anchors known so far. Awareness is when the incident opened (conservative: a deadline counted
// from a later, confirmed awareness would be later); awareness of a significant incident and classification as major
// are its promotion to major; discovery and determination of a breach are when the breach was confirmed;
// materiality is when it was determined material.
Facts FactsOf(const View& view, const incident::Incident& incident);
// The deadlines of every regime that applies to the incident.
std::vector<Deadline> Deadlines(const View& view, const incident::Incident& incident);

// Records a regulatory fact: "breach", "material" or "high_risk" (the breach is likely to result in a high risk to
// people: GDPR Art. 34) (field /fact). kNotFound for an unknown incident; no record when
// the fact is already known.
core::Status RecordFact(const View& view, uint64_t incident_id, const std::string& fact, const std::string& note,
                        Emitter& emit);
// A person makes `team` the incident's primary owner (field /team: 1..200 bytes). kNotFound for an unknown
// incident; no record when it already is.
core::Status AssignOwner(const View& view, uint64_t incident_id, const std::string& team, const std::string& reason,
                         Emitter& emit);
// Records the submission of a report. kInvalid (/regime, /stage) unless that stage of a regime applies to the
// incident; kConflict when already submitted.
core::Status RecordSubmission(const View& view, uint64_t incident_id, const std::string& regime,
                              const std::string& stage, const std::string& reference, Emitter& emit);

}  // namespace classify
