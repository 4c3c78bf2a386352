#include "domain/classify/pipeline.h"

#include "domain/incident/lifecycle.h"

#include <algorithm>
#include <cstdlib>
#include <set>

namespace classify {
namespace {

std::string AlertKey(const Slo& slo) { return "slo:" + slo.name; }

void Judge(const View& v, const Slo& slo, Emitter& emit) {
  const int64_t now = core::ToUnixMillis(emit.now());
  auto it = v.classify.slos.find({slo.service, slo.name});
  if (it == v.classify.slos.end()) return;
  const BurnVerdict verdict = Evaluate(it->second.series, slo, v.config.burn_rules, now);
  const Verdict before = it->second.verdict;
  if (verdict.verdict == before) return;
  std::string reason = verdict.verdict == Verdict::kNone
                           ? "SLO " + slo.name + " of " + slo.service + " is no longer burning its error budget fast"
                           : verdict.reason;
  emit.Emit(SloVerdict{slo.service, slo.name, verdict.verdict, reason});
  if (verdict.verdict == Verdict::kPage) {
    // An incident, not because an alert exists but because the objective is at risk.
    core::LabelSet labels = core::LabelSet::FromUnsorted(
        {{"alertname", "SLOBurnRate"}, {"service", slo.service}, {"slo", slo.name}, {"severity", "critical"}});
    incident::NewAlert a;
    a.service = slo.service;
    a.group_key = AlertKey(slo);
    a.title = "SLO " + slo.name + " burning its error budget";
    a.dedup_key = AlertKey(slo);
    a.summary = verdict.reason;
    a.source = "incidentd slo";
    a.severity = ingest::Severity::kCritical;
    a.labels = &labels;
    a.kind_name = AlertKey(slo);
    if (v.incidents.FindOpenAlert(slo.service, a.dedup_key) == nullptr) {
      incident::OpenAlert(v.incidents, v.services, a, emit, nullptr);
    }
  } else if (before == Verdict::kPage) {
    if (const incident::Alert* open = v.incidents.FindOpenAlert(slo.service, AlertKey(slo))) {
      incident::CloseAlert(v.incidents, v.services, open->id, emit);
    }
  }
}

}  // namespace

const ServiceFacts* Config::FindService(std::string_view service) const {
  for (const auto& f : catalogue) {
    if (f.service == service) return &f;
  }
  return nullptr;
}

std::string MajorReason(const View& v, const incident::Incident& inc) {
  if (!v.config.major) return "";
  const MajorCriteria& c = *v.config.major;
  // The services in it: its own and those of its open alerts (symptoms of other services joined by topology).
  std::set<std::string> services{inc.service};
  bool critical_alert = inc.severity == ingest::Severity::kCritical;
  for (uint64_t id : v.incidents.OpenAlertIds(inc)) {
    auto it = v.incidents.alerts.find(id);
    if (it == v.incidents.alerts.end()) continue;
    services.insert(it->second.service);
  }
  if (!c.categories.empty() && !inc.category.empty() &&
      std::find(c.categories.begin(), c.categories.end(), inc.category) != c.categories.end()) {
    return "category " + inc.category + (inc.subcategory.empty() ? "" : "/" + inc.subcategory) +
           " is major by definition";
  }
  if (c.services_affected > 0 && services.size() >= c.services_affected) {
    std::string list;
    for (const auto& s : services) list += (list.empty() ? "" : ", ") + s;
    return std::to_string(services.size()) + " services affected (" + list + "), at least " +
           std::to_string(c.services_affected);
  }
  uint64_t customers = 0;
  for (const auto& s : services) {
    if (const ServiceFacts* f = v.config.FindService(s)) {
      customers += f->customers;
      if (c.critical_function_down && critical_alert) {
        for (const auto& fn : f->business_functions) {
          if (std::find(v.config.critical_functions.begin(), v.config.critical_functions.end(), fn) !=
              v.config.critical_functions.end()) {
            return "critical business function " + fn + " is down (" + s + ", severity critical)";
          }
        }
      }
    }
  }
  if (c.customers_affected > 0 && customers >= c.customers_affected) {
    return std::to_string(customers) + " customers served by the affected services, at least " +
           std::to_string(c.customers_affected);
  }
  return "";
}

namespace {
// Promotes an open, not yet major, non-drill incident when a criterion holds, and pages the major-incident policy.
void PromoteIfMajor(const View& v, const escalation::View& paging, uint64_t id, Emitter& emit) {
  if (v.classify.majors.count(id)) return;
  if (paging.paging.IsDrill(id)) return;  // a drill tests paging; it does not wake the major-incident policy
  const incident::Incident* inc = v.incidents.FindIncident(id);
  if (inc == nullptr || !inc->open()) return;
  std::string reason = MajorReason(v, *inc);
  if (reason.empty()) return;
  emit.Emit(IncidentMajor{id, reason});
  if (!v.config.major->policy.empty()) {
    (void)escalation::Reassign(paging, id, v.config.major->policy, "", emit);
  }
}
}  // namespace

void React(const View& v, const escalation::View& paging, const incident::Payload& record, Emitter& emit) {
  if (!v.config.major) return;
  uint64_t id = std::visit(
      [](const auto& p) -> uint64_t {
        using T = std::decay_t<decltype(p)>;
        if constexpr (std::is_same_v<T, incident::IncidentOpened> || std::is_same_v<T, incident::AlertTriggered> ||
                      std::is_same_v<T, incident::SeverityRaised> ||
                      std::is_same_v<T, incident::IncidentReclassified> || std::is_same_v<T, incident::AlertLinked>) {
          return p.incident_id;
        } else if constexpr (std::is_same_v<T, incident::IncidentMerged>) {
          return p.into;
        } else {
          return 0;
        }
      },
      record);
  if (id != 0) PromoteIfMajor(v, paging, id, emit);
}

void Reevaluate(const View& v, const escalation::View& paging, Emitter& emit) {
  if (!v.config.major) return;
  std::vector<uint64_t> open;
  for (const auto& [id, inc] : v.incidents.incidents) {
    if (inc.open()) open.push_back(id);
  }
  std::sort(open.begin(), open.end());  // the map's order is not deterministic; the journal's must be
  for (uint64_t id : open) PromoteIfMajor(v, paging, id, emit);
}

core::Status RecordConfigChange(const View& v, std::map<std::string, std::string> digests,
                                std::vector<std::string> changes, Emitter& emit) {
  if (digests == v.classify.config_digests) return core::Ok();
  if (changes.empty()) changes.push_back("no change in effect");
  emit.Emit(ConfigChanged{std::move(digests), std::move(changes)});
  return core::Ok();
}

std::optional<AlertSli> SliFromAlert(const Config& config, const core::LabelSet& labels,
                                     const core::LabelSet& annotations, int64_t now_ms) {
  const std::string_view slo = labels.Get("slo");
  if (slo.empty()) return std::nullopt;
  std::string_view service = labels.Get("sli_service");
  if (service.empty()) service = labels.Get("service");
  if (config.FindSlo(service, slo) == nullptr) return std::nullopt;
  auto number = [](std::string_view text, double& out) {
    if (text.empty() || text.size() > 40) return false;
    std::string s(text);
    char* end = nullptr;
    out = std::strtod(s.c_str(), &end);
    return end == s.c_str() + s.size() && out >= 0 && out < 1e12;
  };
  AlertSli a{std::string(service), std::string(slo), {now_ms, 0, 0}};
  double good = 0, total = 0, ratio = 0;
  if (number(annotations.Get("sli_good"), good) && number(annotations.Get("sli_total"), total) && good <= total) {
    a.sample.good = static_cast<uint64_t>(good + 0.5);
    a.sample.total = static_cast<uint64_t>(total + 0.5);
  } else if (number(annotations.Get("sli_ratio"), ratio) && ratio <= 1) {
    a.sample.total = 10000;
    a.sample.good = static_cast<uint64_t>(ratio * 10000 + 0.5);
  } else {
    return std::nullopt;
  }
  if (a.sample.total == 0) return std::nullopt;
  return a;
}

const Slo* Config::FindSlo(std::string_view service, std::string_view name) const {
  for (const auto& s : slos) {
    if (s.service == service && s.name == name) return &s;
  }
  return nullptr;
}

core::Status RecordSli(const View& v, const std::string& service, const std::string& name,
                       std::vector<SliSample> samples, Emitter& emit) {
  const Slo* slo = v.config.FindSlo(service, name);
  if (slo == nullptr) return core::NotFound("service " + service + " has no SLO named '" + name + "'");
  if (samples.empty()) return core::Invalid("at least one sample is needed", "/samples");
  if (samples.size() > kMaxSamplesPerPost) {
    return core::Invalid("at most " + std::to_string(kMaxSamplesPerPost) + " samples per request", "/samples");
  }
  const int64_t now = core::ToUnixMillis(emit.now());
  const int64_t oldest = now - std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::hours(72)).count();
  for (size_t i = 0; i < samples.size(); ++i) {
    SliSample& s = samples[i];
    const std::string at = "/samples/" + std::to_string(i);
    if (s.at_ms == 0) s.at_ms = now;
    if (s.total > 1'000'000'000'000ull) return core::Invalid("total is above 10^12", at + "/total");
    if (s.good > s.total) return core::Invalid("good is more than total", at + "/good");
    if (s.at_ms < oldest || s.at_ms > now + 5 * 60 * 1000) {
      return core::Invalid("time is more than 3 days back or 5 minutes ahead", at + "/time");
    }
  }
  emit.Emit(SliRecorded{service, name, std::move(samples)});
  Judge(v, *slo, emit);
  return core::Ok();
}

Assessment Assess(const View& v, const incident::Incident& inc) {
  Assessment a;
  std::set<std::string> services{inc.service};
  for (uint64_t id : v.incidents.OpenAlertIds(inc)) {
    if (auto it = v.incidents.alerts.find(id); it != v.incidents.alerts.end()) services.insert(it->second.service);
  }
  uint64_t customers = 0;
  bool critical_function = false;
  for (const auto& s : services) {
    if (const ServiceFacts* f = v.config.FindService(s)) {
      customers += f->customers;
      for (const auto& fn : f->business_functions) {
        if (std::find(v.config.critical_functions.begin(), v.config.critical_functions.end(), fn) !=
            v.config.critical_functions.end()) {
          critical_function = true;
        }
      }
    }
  }
  const auto major = v.classify.majors.find(inc.id);
  const bool is_major = major != v.classify.majors.end();
  const std::string served = std::to_string(customers) + " customers served by " + std::to_string(services.size()) +
                             (services.size() == 1 ? " service" : " services");
  int impact = 2;  // 0 high, 1 medium, 2 low
  std::string impact_why;
  if (is_major) {
    impact = 0;
    impact_why = "a major incident (" + major->second + ")";
  } else if (customers >= v.config.high_customers) {
    impact = 0;
    impact_why = served;
  } else if (critical_function || customers >= v.config.medium_customers || services.size() > 1) {
    impact = 1;
    impact_why = critical_function ? "a service supporting a critical business function" : served;
  } else {
    impact_why = served;
  }
  int urgency = inc.severity == ingest::Severity::kCritical ? 0 : inc.severity == ingest::Severity::kError ? 1 : 2;
  static const char* kLevel[] = {"high", "medium", "low"};
  a.impact = kLevel[impact];
  a.urgency = kLevel[urgency];
  a.priority = "P" + std::to_string(v.config.priority_matrix[impact][urgency]);
  a.priority_reason = std::string(kLevel[impact]) + " impact (" + impact_why + ") × " + kLevel[urgency] +
                      " urgency (alert severity " + ingest::ToString(inc.severity) + ")";
  const bool breach_kind = inc.category == "security" || inc.category == "data_corruption";
  if (is_major && (critical_function || breach_kind)) {
    a.severity = "SEV1";
    a.severity_reason = "major incident " + std::string(breach_kind ? "of category " + inc.category
                                                                    : "with a critical business function down");
  } else if (is_major || impact == 0) {
    a.severity = "SEV2";
    a.severity_reason = is_major ? "major incident" : "high impact: " + impact_why;
  } else if (impact == 1) {
    a.severity = "SEV3";
    a.severity_reason = "medium impact: " + impact_why;
  } else if (urgency <= 1) {
    a.severity = "SEV4";
    a.severity_reason = "low impact, needs action (alert severity " + std::string(ingest::ToString(inc.severity)) + ")";
  } else {
    a.severity = "SEV5";
    a.severity_reason = "low impact and low urgency";
  }
  // Ownership: a person's assignment first, then a declared rule, else the team of the incident's own service: the
  // component that failed first (correlation makes the other services' alerts symptoms in its incident).
  if (auto own = v.classify.owners.find(inc.id); own != v.classify.owners.end()) {
    a.owner_team = own->second.first;
    a.owner_reason = "assigned by " + own->second.second;
    return a;
  }
  for (const OwnerRule& r : v.config.owner_rules) {
    const bool cat = r.categories.empty() ||
                     std::find(r.categories.begin(), r.categories.end(), inc.category) != r.categories.end();
    const bool svc = r.services.empty() ||
                     std::find(r.services.begin(), r.services.end(), inc.service) != r.services.end();
    if (cat && svc) {
      a.owner_team = r.team;
      a.owner_reason = "ownership rule: " +
                       (r.categories.empty() ? std::string() : "category " + inc.category + " ") +
                       (r.services.empty() ? std::string() : "service " + inc.service + " ") + "→ " + r.team;
      return a;
    }
  }
  if (const ServiceFacts* f = v.config.FindService(inc.service); f != nullptr && !f->owner_team.empty()) {
    a.owner_team = f->owner_team;
    a.owner_reason = "owner of " + inc.service + ", the component that failed first" +
                     (services.size() > 1 ? " (the other services' alerts are its symptoms)" : "");
  } else {
    a.owner_reason = "the catalogue names no owner for " + inc.service;
  }
  return a;
}

Facts FactsOf(const View& v, const incident::Incident& inc) {
  Facts f;
  if (const ServiceFacts* s = v.config.FindService(inc.service)) {
    f.jurisdictions.insert(s->jurisdictions.begin(), s->jurisdictions.end());
    f.data.insert(s->data.begin(), s->data.end());
  }
  f.entity.insert(v.config.entity.begin(), v.config.entity.end());
  f.time_zone = v.config.time_zone;
  f.category = inc.category;
  f.major = v.classify.majors.count(inc.id) != 0;
  f.anchors[Anchor::kAwareness] = inc.opened_at;
  if (auto it = v.classify.regulatory.find(inc.id); it != v.classify.regulatory.end()) {
    const RegulatoryState& r = it->second;
    if (r.major_at_ms != 0) {
      f.anchors[Anchor::kClassificationAsMajor] = core::FromUnixMillis(r.major_at_ms);
      f.anchors[Anchor::kAwarenessOfSignificant] = core::FromUnixMillis(r.major_at_ms);
    }
    if (r.breach_at_ms != 0) {
      f.breach = true;
      f.anchors[Anchor::kDiscovery] = core::FromUnixMillis(r.breach_at_ms);
      f.anchors[Anchor::kDeterminationOfBreach] = core::FromUnixMillis(r.breach_at_ms);
    }
    f.high_risk = r.high_risk_at_ms != 0;
    if (r.material_at_ms != 0) {
      f.material = true;
      f.anchors[Anchor::kMaterialityDetermination] = core::FromUnixMillis(r.material_at_ms);
    }
    for (const auto& [key, at] : r.submissions) f.submissions[key] = core::FromUnixMillis(at);
  }
  return f;
}

std::vector<Deadline> Deadlines(const View& v, const incident::Incident& inc) {
  if (v.config.regimes.empty()) return {};
  return Evaluate(v.config.regimes, FactsOf(v, inc));
}

core::Status RecordFact(const View& v, uint64_t id, const std::string& fact, const std::string& note,
                        Emitter& emit) {
  if (fact != "breach" && fact != "material" && fact != "high_risk") {
    return core::Invalid("fact must be breach, material or high_risk", "/fact");
  }
  if (note.size() > 10000) return core::Invalid("note is longer than 10000 bytes", "/note");
  const incident::Incident* inc = v.incidents.FindIncident(id);
  if (inc == nullptr) return core::NotFound("incident " + std::to_string(id) + " is not open or resolved");
  if (auto it = v.classify.regulatory.find(id); it != v.classify.regulatory.end()) {
    const RegulatoryState& r = it->second;
    if ((fact == "breach" ? r.breach_at_ms : fact == "material" ? r.material_at_ms : r.high_risk_at_ms) != 0) {
      return core::Ok();
    }
  }
  emit.Emit(RegulatoryFact{id, fact, note});
  return core::Ok();
}

core::Status AssignOwner(const View& v, uint64_t id, const std::string& team, const std::string& reason,
                         Emitter& emit) {
  if (team.empty() || team.size() > 200) return core::Invalid("team must be 1 to 200 bytes", "/team");
  if (reason.size() > 10000) return core::Invalid("reason is longer than 10000 bytes", "/reason");
  const incident::Incident* inc = v.incidents.FindIncident(id);
  if (inc == nullptr) return core::NotFound("incident " + std::to_string(id) + " is not open or resolved");
  if (auto own = v.classify.owners.find(id); own != v.classify.owners.end() && own->second.first == team) {
    return core::Ok();
  }
  emit.Emit(OwnerAssigned{id, team, reason});
  return core::Ok();
}

core::Status RecordSubmission(const View& v, uint64_t id, const std::string& regime, const std::string& stage,
                              const std::string& reference, Emitter& emit) {
  const incident::Incident* inc = v.incidents.FindIncident(id);
  if (inc == nullptr) return core::NotFound("incident " + std::to_string(id) + " is not open or resolved");
  if (reference.size() > 1000) return core::Invalid("reference is longer than 1000 bytes", "/reference");
  bool regime_applies = false;
  for (const Deadline& d : Deadlines(v, *inc)) {
    if (d.regime != regime) continue;
    regime_applies = true;
    if (d.stage != stage) continue;
    if (d.submitted) return core::Conflict(regime + " " + stage + " was already submitted");
    emit.Emit(RegulatorySubmitted{id, regime, stage, reference});
    return core::Ok();
  }
  if (!regime_applies) return core::Invalid("regime '" + regime + "' does not apply to this incident", "/regime");
  return core::Invalid("regime " + regime + " has no stage '" + stage + "'", "/stage");
}

namespace {

std::string Lead(core::Duration d) {
  return d.count() == 0 ? std::string("due now") : "due in " + core::FormatDuration(d);
}

// Reminders before each open deadline (at the configured lead times) and when it passes.
void Remind(const View& v, Emitter& emit) {
  const core::Timestamp now = emit.now();
  std::set<uint64_t> ids;
  for (const auto& [id, r] : v.classify.regulatory) ids.insert(id);
  for (const auto& [id, reason] : v.classify.majors) ids.insert(id);
  for (uint64_t id : ids) {
    const incident::Incident* inc = v.incidents.FindIncident(id);
    if (inc == nullptr) continue;
    const RegulatoryState* state = nullptr;
    if (auto it = v.classify.regulatory.find(id); it != v.classify.regulatory.end()) state = &it->second;
    for (const Deadline& d : Deadlines(v, *inc)) {
      if (!d.due || d.submitted) continue;
      // The shortest lead time already reached: one reminder per threshold crossed, the latest only.
      std::optional<core::Duration> reached;
      for (core::Duration lead : v.config.reminders) {
        if (now >= *d.due - lead && (!reached || lead < *reached)) reached = lead;
      }
      if (!reached) continue;
      const std::string key = d.regime + "/" + d.stage + "/" + core::FormatDuration(*reached);
      if (state != nullptr && state->reminded.count(key)) continue;
      emit.Emit(RegulatoryReminded{id, key});
      std::string text = "Regulatory deadline " + Lead(*reached) + ": " + d.regime_name + ", " + d.stage_name +
                         " by " + core::FormatRfc3339(*d.due) + " (" + d.basis + ")";
      if (!d.required_fields.empty()) {
        text += "; it must contain:";
        for (const auto& f : d.required_fields) text += " " + f + ",";
        text.pop_back();
      }
      emit.Emit(incident::NotificationRequested{id, incident::NotificationRequested::Kind::kUpdated, text, {}});
    }
  }
}

}  // namespace

void FireTimers(const View& v, Emitter& emit) {
  for (const Slo& slo : v.config.slos) Judge(v, slo, emit);
  if (!v.config.regimes.empty()) Remind(v, emit);
}

}  // namespace classify
