#include "domain/classify/pipeline.h"

#include "domain/incident/lifecycle.h"

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

void FireTimers(const View& v, Emitter& emit) {
  for (const Slo& slo : v.config.slos) Judge(v, slo, emit);
}

}  // namespace classify
