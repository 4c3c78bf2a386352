#include "domain/incident/lifecycle.h"

#include <algorithm>

#include "core/json_string.h"

namespace incident {
namespace {

using core::Timestamp;

std::string GroupKey(const ServiceConfig& service, const ingest::Event& e) {
  if (service.group_by.size() == 1 && service.group_by[0] == "dedup_key") return e.dedup_key;
  std::string key;
  for (const auto& field : service.group_by) {
    std::string_view value;
    if (field == "dedup_key") value = e.dedup_key;
    else if (field == "source") value = e.source;
    else if (field == "component") value = e.component;
    else if (field == "group") value = e.group;
    else if (field == "class") value = e.event_class;
    else if (field == "severity") value = ingest::ToString(e.severity);
    if (!key.empty()) key += ", ";
    key += field;
    key += '=';
    key += value;
  }
  return key;
}

core::Status CheckOpen(const Model& model, uint64_t incident_id, const Incident** out) {
  const Incident* inc = model.FindIncident(incident_id);
  if (inc == nullptr) {
    if (incident_id == 0 || incident_id >= model.next_incident_id) {
      return core::NotFound("incident " + std::to_string(incident_id) + " not found");
    }
    return core::Conflict("incident " + std::to_string(incident_id) + " is closed");
  }
  *out = inc;
  return core::Ok();
}

int64_t DueMs(Timestamp now, core::Duration after) {
  return after.count() > 0 ? core::ToUnixMillis(now + after) : 0;
}

// The open incident a record names, or nullptr with `st` set to kCorrupt.
Incident* MustIncident(Model& m, uint64_t id, core::Status& st) {
  auto it = m.incidents.find(id);
  if (it == m.incidents.end()) {
    st = core::Corrupt("record names incident " + std::to_string(id) + ", which is not open");
    return nullptr;
  }
  return &it->second;
}

void SetTimer(Model& m, Incident& inc, std::optional<Timestamp> due) {
  if (inc.timer_due) m.timers.erase({core::ToUnixMillis(*inc.timer_due), inc.id});
  inc.timer_due = due;
  if (due) m.timers.insert({core::ToUnixMillis(*due), inc.id});
}

std::string Quote(std::string_view s) { return "'" + std::string(s) + "'"; }

// An alert storm must not bury the timeline (or cost a row per alert): alerts joining or leaving an incident are
// each on it while the incident has at most kTimelineAlerts of them, then every 100th. The alert list keeps all.
constexpr uint32_t kTimelineAlerts = 20;
bool OnTimeline(size_t nth) { return nth <= kTimelineAlerts || nth % 100 == 0; }

}  // namespace

namespace {

// What correlation matches an event by: its fields as labels (empty ones left out).
core::LabelSet EventLabels(const std::string& service, const ingest::Event& e) {
  std::vector<core::Label> labels;
  auto add = [&](const char* name, const std::string& value) {
    if (!value.empty()) labels.emplace_back(name, value);
  };
  add("service", service);
  add("dedup_key", e.dedup_key);
  add("source", e.source);
  add("component", e.component);
  add("group", e.group);
  add("class", e.event_class);
  labels.emplace_back("severity", ingest::ToString(e.severity));
  return core::LabelSet::FromUnsorted(std::move(labels));
}

// The payload fields that are not columns of their own, as one JSON object ("" when there are none).
std::string DetailsJson(const ingest::Event& e) {
  std::string out = "{";
  auto field = [&](const char* name, const std::string& v) {
    if (v.empty()) return;
    if (out.size() > 1) out += ',';
    out += core::JsonString(name);
    out += ':';
    out += core::JsonString(v);
  };
  field("component", e.component);
  field("group", e.group);
  field("class", e.event_class);
  field("client", e.client);
  field("client_url", e.client_url);
  if (e.timestamp) field("timestamp", core::FormatRfc3339(*e.timestamp));
  if (!e.custom_details_json.empty()) {
    if (out.size() > 1) out += ',';
    out += "\"custom_details\":" + e.custom_details_json;
  }
  if (!e.links.empty()) {
    if (out.size() > 1) out += ',';
    out += "\"links\":[";
    for (size_t i = 0; i < e.links.size(); ++i) {
      if (i) out += ',';
      out += "{\"href\":" + core::JsonString(e.links[i].href) + ",\"text\":" + core::JsonString(e.links[i].text) + "}";
    }
    out += ']';
  }
  if (!e.images.empty()) {
    if (out.size() > 1) out += ',';
    out += "\"images\":[";
    for (size_t i = 0; i < e.images.size(); ++i) {
      if (i) out += ',';
      out += "{\"src\":" + core::JsonString(e.images[i].src) + ",\"href\":" + core::JsonString(e.images[i].href) +
             ",\"alt\":" + core::JsonString(e.images[i].alt) + "}";
    }
    out += ']';
  }
  out += '}';
  return out == "{}" ? std::string() : out;
}

}  // namespace

namespace {
void CheckFlap(const Model& model, const Config& config, const std::string& service, const std::string& key,
               Emitter& emit);
}  // namespace

core::Result<EventResult> HandleEvent(const Model& model, const Config& config, const ingest::Event& e,
                                      Emitter& emit, const Correlator* correlator) {
  const ServiceConfig* service = config.ByRoutingKey(e.routing_key);
  if (service == nullptr) return core::Invalid("unknown routing_key", "/routing_key");
  INCIDENTD_CHECK(!e.dedup_key.empty());
  const Alert* alert = model.FindOpenAlert(service->name, e.dedup_key);

  if (e.action != ingest::Action::kTrigger) {
    if (alert == nullptr) {
      emit.Emit(EventDropped{service->name, e.dedup_key, e.action, "no open alert with this dedup_key"});
      return EventResult{0, true, "no open alert with this dedup_key; event dropped"};
    }
    uint64_t incident_id = alert->incident_id;
    uint64_t alert_id = alert->id;
    if (e.action == ingest::Action::kAcknowledge) {
      if (alert->status == AlertStatus::kTriggered) emit.Emit(AlertAcknowledged{alert_id});
      if (incident_id == 0) return EventResult{0, false, "acknowledged (suppressed by a maintenance window)"};
      const Incident* inc = model.FindIncident(incident_id);
      if (inc != nullptr && inc->state == State::kTriggered) {
        emit.Emit(IncidentAcknowledged{incident_id, DueMs(emit.now(), service->ack_timeout)});
      }
      return EventResult{incident_id, false, "acknowledged"};
    }
    CloseAlert(model, config, alert_id, emit);
    return EventResult{incident_id, false, "resolved"};
  }

  std::string details = DetailsJson(e);
  if (alert != nullptr) {
    uint64_t incident_id = alert->incident_id;
    emit.Emit(AlertRetriggered{alert->id, e.summary, e.severity, std::move(details)});
    CheckFlap(model, config, service->name, e.dedup_key, emit);
    if (incident_id == 0) return EventResult{0, false, "alert updated (suppressed by a maintenance window)"};
    const Incident* inc = model.FindIncident(incident_id);
    if (inc != nullptr && e.severity < inc->severity) emit.Emit(SeverityRaised{incident_id, e.severity});
    return EventResult{incident_id, false, "alert updated"};
  }

  // Built only when something reads them: correlation, taxonomy rules, or the class as the category fallback.
  core::LabelSet labels;
  if ((correlator != nullptr && correlator->active()) || !e.event_class.empty() ||
      (config.classifier() != nullptr && config.classifier()->active())) {
    labels = EventLabels(service->name, e);
  }
  NewAlert spec{service->name, GroupKey(*service, e), e.summary, e.dedup_key, e.summary, e.source, e.severity,
                std::move(details), nullptr, {}};
  spec.labels = &labels;
  spec.kind_name = !e.event_class.empty() ? e.event_class : e.component;
  OpenedAlert opened = OpenAlert(model, config, spec, emit, correlator);
  if (opened.incident_id == 0) return EventResult{0, false, "alert suppressed by a maintenance window"};
  return EventResult{opened.incident_id, false, "alert triggered"};
}

namespace {

uint64_t MemberKey(std::string_view service, std::string_view kind_name) { return KeyIndex::Hash(service, kind_name); }

bool HasMember(const Incident& inc, uint64_t member) {
  return std::find(inc.members.begin(), inc.members.end(), member) != inc.members.end();
}

core::Duration GroupWait(const Config& config, std::string_view service) {
  const ServiceConfig* s = config.ByName(service);
  return s != nullptr ? s->group_wait : core::Duration(0);
}

// When a notification of `inc` for something new becomes due: the next group_interval after the last one, or the
// time already scheduled. 0 = none needed (nobody was told yet and the first notification is pending, or one is
// already due).
int64_t UpdateDue(const Config& config, const Incident& inc, Timestamp now) {
  if (inc.notify_due) return 0;
  if (inc.notified == 0) return core::ToUnixMillis(now);  // its first notification was never due (suppressed)
  const ServiceConfig* s = config.ByName(inc.service);
  core::Duration interval = s != nullptr ? s->group_interval : core::Duration(0);
  Timestamp due = inc.last_notified_at ? std::max(now, *inc.last_notified_at + interval) : now;
  return core::ToUnixMillis(due);
}

std::string NotificationText(const Model& model, const Incident& inc, NotificationRequested::Kind kind) {
  std::string text = "Incident " + std::to_string(inc.id) + " " + ToString(kind) + ": " + inc.title + " (service " +
                     inc.service + ", severity " + ingest::ToString(inc.severity) + "); " +
                     std::to_string(inc.open_alerts.size()) + " open of " + std::to_string(inc.alert_count) +
                     " alerts";
  if (kind == NotificationRequested::Kind::kUpdated && inc.pending > 0) {
    text += ", " + std::to_string(inc.pending) + " new since the last notification";
  }
  (void)model;
  return text;
}

// Emits the notification owed now, if any.
void NotifyIfDue(const Model& model, uint64_t incident_id, Emitter& emit) {
  const Incident* inc = model.FindIncident(incident_id);
  if (inc == nullptr || !inc->notify_due || *inc->notify_due > emit.now() || !inc->open()) return;
  auto kind = inc->notified == 0 ? NotificationRequested::Kind::kTriggered : NotificationRequested::Kind::kUpdated;
  emit.Emit(NotificationRequested{incident_id, kind, NotificationText(model, *inc, kind), {}});
}

void NotifyResolved(const Model& model, uint64_t incident_id, Emitter& emit) {
  const Incident* inc = model.FindIncident(incident_id);
  if (inc == nullptr || inc->notified == 0) return;  // nobody was told it was open
  emit.Emit(NotificationRequested{incident_id, NotificationRequested::Kind::kResolved,
                                  NotificationText(model, *inc, NotificationRequested::Kind::kResolved), {}});
}

// After a trigger or resolve sample: starts or stops flapping when the history says so, with one notification each.
void CheckFlap(const Model& model, const Config& config, const std::string& service, const std::string& key,
               Emitter& emit) {
  auto it = model.flaps.find(KeyIndex::Hash(service, key));
  if (it == model.flaps.end()) return;
  FlapVerdict verdict = Judge(it->second, config.flapping());
  if (verdict == FlapVerdict::kNone) return;
  const bool started = verdict == FlapVerdict::kStarted;
  const double percent = it->second.PercentChange();
  emit.Emit(AlertFlapping{service, key, started, static_cast<uint32_t>(percent * 100)});
  const Alert* alert = model.FindOpenAlert(service, key);
  uint64_t incident_id = alert != nullptr ? alert->incident_id : 0;
  std::string text = "Alert '" + key + "' of service " + service + (started ? " started" : " stopped") +
                     " flapping (" + std::to_string(static_cast<int>(percent)) + "% state change over its last " +
                     std::to_string(it->second.count) + " triggers and resolves)" +
                     (started ? "; its incidents stay quiet until it stops" : "");
  emit.Emit(NotificationRequested{incident_id,
                                  started ? NotificationRequested::Kind::kFlappingStarted
                                          : NotificationRequested::Kind::kFlappingStopped,
                                  std::move(text), {}});
}

// Merges the dependents' incidents a newly failing parent takes in.
void MergeDependents(const Model& model, const Config& config, uint64_t subject, uint64_t into, Emitter& emit,
                     const Correlator& correlator) {
  for (const auto& m : correlator.Merges(model, subject, into, emit.now())) {
    const Incident* child = model.FindIncident(m.incident_id);
    const Incident* parent = model.FindIncident(into);
    if (child == nullptr || parent == nullptr || m.incident_id == into || !child->open()) continue;
    const ServiceConfig* s = config.ByName(child->service);
    core::Duration close_after = s != nullptr ? s->auto_close_after : core::Duration(0);
    int64_t notify_at = 0;
    if (parent->notified > 0 && !parent->notify_due) notify_at = UpdateDue(config, *parent, emit.now());
    bool told = child->notified > 0;
    emit.Emit(IncidentMerged{m.incident_id, into, m.rule, m.parent, m.offset_ms, DueMs(emit.now(), close_after),
                             notify_at});
    if (told) {
      const Incident* merged = model.FindIncident(m.incident_id);
      if (merged != nullptr) {
        emit.Emit(NotificationRequested{m.incident_id, NotificationRequested::Kind::kMerged,
                                        "Incident " + std::to_string(m.incident_id) + " merged into incident " +
                                            std::to_string(into) + ": " + m.parent + " down (rule " + m.rule + ")",
                                        {}});
      }
    }
  }
}

// Places an alert that is not yet in an incident (new, or leaving a maintenance window) and returns the incident
// and the fields of its record. `link` = an existing suppressed alert.
struct Placed {
  uint64_t incident_id = 0;
  Placement placement;
  int64_t notify_at_ms = 0;
  bool raise = false;
  ingest::Severity raise_to = ingest::Severity::kInfo;
};

Placed Place(const Model& model, const Config& config, const NewAlert& a, const Decision& d, uint64_t member,
             Emitter& emit) {
  const Timestamp now = emit.now();
  Placed out;
  out.placement = d.placement;
  const ServiceConfig* service = config.ByName(a.service);
  if (d.placement.kind == Placement::Kind::kSymptom && model.FindIncident(d.placement.incident_id) != nullptr) {
    out.incident_id = d.placement.incident_id;
  } else {
    out.placement.kind = Placement::Kind::kGrouped;
    out.placement.incident_id = 0;
    uint64_t open = model.FindOpenGroup(a.service, a.group_key);
    if (open != 0 && service != nullptr && service->group_window.count() > 0) {
      const Incident* inc = model.FindIncident(open);
      if (inc != nullptr && now - inc->last_alert_at > service->group_window) open = 0;  // the group went quiet
    }
    if (open != 0) {
      out.incident_id = open;
    } else {
      out.placement.kind = Placement::Kind::kOpened;
      out.incident_id = model.next_incident_id;
      int64_t notify_at = d.unexpected ? core::ToUnixMillis(now) : DueMs(now, GroupWait(config, a.service));
      if (notify_at == 0) notify_at = core::ToUnixMillis(now);
      if (model.Flapping(a.service, a.dedup_key)) notify_at = 0;  // damped: it spoke when it started flapping
      IncidentOpened opened{out.incident_id, a.service, a.group_key, a.title, a.severity, d.subject, notify_at, {},
                            {}, {}};
      Category c = config.classifier() != nullptr ? config.classifier()->Classify(a) : Category{};
      if (c.category.empty() && a.labels != nullptr) {
        // Without a taxonomy rule: what the alert says about itself.
        if (std::string_view label = a.labels->Get("category"); !label.empty()) {
          c = Category{std::string(label.substr(0, 200)), "", "label"};
        } else if (std::string_view klass = a.labels->Get("class"); !klass.empty()) {
          c = Category{std::string(klass.substr(0, 200)), "", "class"};
        }
      }
      opened.category = std::move(c.category);
      opened.subcategory = std::move(c.subcategory);
      opened.category_rule = std::move(c.rule);
      emit.Emit(opened);
      return out;
    }
  }
  const Incident* inc = model.FindIncident(out.incident_id);
  bool new_kind = inc != nullptr && !HasMember(*inc, member) && inc->members.size() < kMaxMembers;
  if (inc != nullptr && (new_kind || d.unexpected) && !model.Flapping(a.service, a.dedup_key)) {
    out.notify_at_ms = d.unexpected && !inc->notify_due ? core::ToUnixMillis(now) : UpdateDue(config, *inc, now);
  }
  const ServiceConfig* inc_service = inc != nullptr ? config.ByName(inc->service) : nullptr;
  if (new_kind && inc_service != nullptr && inc_service->new_symptom_severity &&
      *inc_service->new_symptom_severity < inc->severity) {
    out.raise = true;
    out.raise_to = *inc_service->new_symptom_severity;
  }
  return out;
}

}  // namespace

namespace {

// The record of a new alert with the fields the alert itself brings; the caller adds the placement.
AlertTriggered Triggered(const NewAlert& a, uint64_t incident_id) {
  AlertTriggered t;
  t.incident_id = incident_id;
  t.service = a.service;
  t.dedup_key = a.dedup_key;
  t.summary = a.summary;
  t.source = a.source;
  t.severity = a.severity;
  t.details_json = a.details_json;
  return t;
}

}  // namespace

OpenedAlert OpenAlert(const Model& model, const Config& config, const NewAlert& a, Emitter& emit,
                      const Correlator* correlator) {
  Decision d = correlator != nullptr && correlator->active() ? correlator->Place(model, a, emit.now()) : Decision{};
  const uint64_t member = MemberKey(a.service, a.kind_name);
  if (d.placement.kind == Placement::Kind::kSuppressed) {
    AlertTriggered t = Triggered(a, 0);
    t.placement = d.placement;
    t.subject = d.subject;
    t.failure = d.failure;
    t.member = member;
    t.group_key = a.group_key;
    t.title = a.title;
    uint64_t id = emit.Emit(t);
    CheckFlap(model, config, a.service, a.dedup_key, emit);
    return OpenedAlert{0, id};
  }
  const bool newly_failing = d.subject != 0 && model.failing.count(d.subject) == 0;
  Placed p = Place(model, config, a, d, member, emit);
  AlertTriggered t = Triggered(a, p.incident_id);
  t.placement = p.placement;
  t.subject = d.subject;
  t.failure = d.failure;
  t.member = member;
  t.notify_at_ms = p.notify_at_ms;
  uint64_t alert_id = emit.Emit(t);
  const Incident* inc = model.FindIncident(p.incident_id);
  ingest::Severity raise_to = p.raise ? std::min(p.raise_to, a.severity) : a.severity;
  if (inc != nullptr && raise_to < inc->severity) emit.Emit(SeverityRaised{p.incident_id, raise_to});
  if (newly_failing && correlator != nullptr) MergeDependents(model, config, d.subject, p.incident_id, emit, *correlator);
  NotifyIfDue(model, p.incident_id, emit);
  CheckFlap(model, config, a.service, a.dedup_key, emit);
  return OpenedAlert{p.incident_id, alert_id};
}

std::vector<uint64_t> LinkSuppressed(const Model& model, const Config& config, const std::vector<Held>& held,
                                     const std::string& reason, const std::string& replay_group, Emitter& emit,
                                     const Correlator* correlator) {
  std::vector<uint64_t> touched;
  for (const Held& h : held) {
    const uint64_t id = h.alert_id;
    auto it = model.alerts.find(id);
    if (it == model.alerts.end() || it->second.incident_id != 0) continue;
    const Alert& alert = it->second;
    NewAlert spec;
    spec.service = alert.service;
    spec.group_key = h.group_key;
    spec.title = h.title;
    if (!replay_group.empty() && model.FindOpenGroup(alert.service, h.group_key) == 0) {
      spec.group_key = replay_group;
      spec.title = replay_group;
    }
    spec.dedup_key = alert.dedup_key;
    spec.severity = alert.severity;
    Decision d;
    d.subject = alert.subject;
    d.failure = alert.failure;
    if (correlator != nullptr) {
      if (auto parent = correlator->ParentOf(model, alert.subject, emit.now())) d.placement = *parent;
    }
    if (d.placement.kind == Placement::Kind::kSuppressed) d.placement = Placement{};
    const bool newly_failing = d.subject != 0 && model.failing.count(d.subject) == 0;
    Placed p = Place(model, config, spec, d, 0, emit);
    const Incident* inc = model.FindIncident(p.incident_id);
    int64_t notify_at = p.notify_at_ms;
    if (inc != nullptr && notify_at == 0 && !inc->notify_due && p.placement.kind != Placement::Kind::kOpened) {
      notify_at = UpdateDue(config, *inc, emit.now());
    }
    emit.Emit(AlertLinked{id, p.incident_id, notify_at, reason});
    if (newly_failing && correlator != nullptr) MergeDependents(model, config, d.subject, p.incident_id, emit, *correlator);
    if (std::find(touched.begin(), touched.end(), p.incident_id) == touched.end()) touched.push_back(p.incident_id);
  }
  return touched;
}

void CloseAlert(const Model& model, const Config& config, uint64_t alert_id, Emitter& emit) {
  auto it = model.alerts.find(alert_id);
  if (it == model.alerts.end()) return;
  uint64_t incident_id = it->second.incident_id;
  const std::string service_name = it->second.service;
  const std::string key = it->second.dedup_key;
  emit.Emit(AlertResolved{alert_id});
  if (incident_id != 0) {  // a suppressed alert is in no incident
    const Incident* inc = model.FindIncident(incident_id);
    if (inc != nullptr && inc->open_alerts.empty() && inc->open()) {
      const ServiceConfig* service = config.ByName(inc->service);
      core::Duration close_after = service != nullptr ? service->auto_close_after : core::Duration(0);
      emit.Emit(IncidentResolved{incident_id, "all alerts resolved", DueMs(emit.now(), close_after)});
      if (!model.Flapping(service_name, key)) NotifyResolved(model, incident_id, emit);
    }
  }
  CheckFlap(model, config, service_name, key, emit);
}

std::string Explain(const Placement& p, uint64_t incident_id, std::string_view group_key) {
  std::string id = std::to_string(incident_id);
  std::string out;
  // Appended into one reserved string: this runs for every alert the writer places.
  out.reserve(48 + group_key.size());
  switch (p.kind) {
    case Placement::Kind::kOpened:
      out.append("opened incident ").append(id);
      if (!group_key.empty()) out.append(" (group ").append(group_key).append(")");
      break;
    case Placement::Kind::kGrouped:
      out.append("joined incident ").append(id).append(" by its group key");
      if (!group_key.empty()) out.append(" (").append(group_key).append(")");
      break;
    case Placement::Kind::kSymptom: {
      int64_t s = p.offset_ms / 1000;
      out = "joined incident " + id + " as a symptom: " + p.parent + " down (rule " + p.rule + "), " +
            (s >= 0 ? std::to_string(s) + " s after the parent" : std::to_string(-s) + " s before the parent");
      break;
    }
    case Placement::Kind::kSuppressed:
      return "suppressed by maintenance window '" + p.window_name + "' (" + p.window + "): in scope and expected";
  }
  if (!p.window.empty()) out += "; during maintenance window '" + p.window_name + "', not expected";
  return out;
}

core::Status ReportCoverage(const Model& model, const Config& config, const std::string& schedule,
                            const std::string& service, bool gap, Timestamp gap_start, Timestamp gap_end,
                            Emitter& emit) {
  if (config.ByName(service) == nullptr) {
    return core::Invalid("service '" + service + "' is not configured", "/service");
  }
  const std::string key = "coverage-gap:" + schedule;
  const Alert* open = model.FindOpenAlert(service, key);
  if (!gap) {
    if (open != nullptr) CloseAlert(model, config, open->id, emit);
    return core::Ok();
  }
  if (open != nullptr) return core::Ok();  // already alerting; the alert's text says when the gap starts
  NewAlert a;
  a.service = service;
  a.group_key = key;
  a.title = "On-call schedule '" + schedule + "' has nobody on call";
  a.dedup_key = key;
  a.summary = "Nobody is on call for schedule '" + schedule + "' from " + core::FormatRfc3339(gap_start) + " to " +
              core::FormatRfc3339(gap_end);
  a.source = "oncall";
  a.severity = ingest::Severity::kError;
  a.kind_name = "coverage_gap";
  OpenAlert(model, config, a, emit, nullptr);
  return core::Ok();
}

core::Status Acknowledge(const Model& model, const Config& config, uint64_t incident_id, Emitter& emit) {
  const Incident* inc = nullptr;
  if (auto st = CheckOpen(model, incident_id, &inc); !st.ok()) return st;
  if (inc->state == State::kAcknowledged) return core::Ok();
  if (inc->state != State::kTriggered) {
    return core::Conflict("incident " + std::to_string(incident_id) + " is " + ToString(inc->state));
  }
  const ServiceConfig* service = config.ByName(inc->service);
  core::Duration timeout = service != nullptr ? service->ack_timeout : core::Duration(0);
  emit.Emit(IncidentAcknowledged{incident_id, DueMs(emit.now(), timeout)});
  return core::Ok();
}

core::Status Resolve(const Model& model, const Config& config, uint64_t incident_id, const std::string& note,
                     Emitter& emit) {
  if (note.size() > kMaxNoteLength) return core::Invalid("note is longer than 10000 bytes", "/note");
  const Incident* inc = nullptr;
  if (auto st = CheckOpen(model, incident_id, &inc); !st.ok()) return st;
  if (inc->state != State::kTriggered && inc->state != State::kAcknowledged) {
    return core::Conflict("incident " + std::to_string(incident_id) + " is " + ToString(inc->state));
  }
  const ServiceConfig* service = config.ByName(inc->service);
  core::Duration close_after = service != nullptr ? service->auto_close_after : core::Duration(0);
  std::vector<uint64_t> alerts = model.OpenAlertIds(*inc);  // a copy: emitting mutates the incident
  for (uint64_t alert_id : alerts) emit.Emit(AlertResolved{alert_id});
  emit.Emit(IncidentResolved{incident_id, note, DueMs(emit.now(), close_after)});
  NotifyResolved(model, incident_id, emit);
  return core::Ok();
}

core::Status Reclassify(const Model& model, const Config& config, uint64_t incident_id, const std::string& category,
                        const std::string& subcategory, const std::string& reason, Emitter& emit) {
  if (reason.size() > kMaxNoteLength) return core::Invalid("reason is longer than 10000 bytes", "/reason");
  if (config.classifier() != nullptr) {
    if (auto st = config.classifier()->Check(category, subcategory); !st.ok()) return st;
  } else if (category.empty() || category.size() > 200 || subcategory.size() > 200) {
    return core::Invalid("category must be 1 to 200 bytes", "/category");
  }
  const Incident* inc = nullptr;
  if (auto st = CheckOpen(model, incident_id, &inc); !st.ok()) return st;
  if (inc->category == category && inc->subcategory == subcategory) return core::Ok();
  emit.Emit(IncidentReclassified{incident_id, category, subcategory, reason});
  return core::Ok();
}

core::Status AddNote(const Model& model, uint64_t incident_id, const std::string& text, Emitter& emit) {
  if (text.empty()) return core::Invalid("note text is empty", "/text");
  if (text.size() > kMaxNoteLength) return core::Invalid("note is longer than 10000 bytes", "/text");
  const Incident* inc = nullptr;
  if (auto st = CheckOpen(model, incident_id, &inc); !st.ok()) return st;
  emit.Emit(NoteAdded{incident_id, text});
  return core::Ok();
}

bool FireTimers(const Model& model, Emitter& emit, size_t max_fired) {
  int64_t now = core::ToUnixMillis(emit.now());
  bool left = false;
  // Collect first: emitting changes the timer set.
  std::vector<uint64_t> due;
  for (auto it = model.timers.begin(); it != model.timers.end() && it->first <= now; ++it) {
    if (due.size() == max_fired) {
      left = true;
      break;
    }
    due.push_back(it->second);
  }
  for (uint64_t id : due) {
    const Incident* inc = model.FindIncident(id);
    if (inc == nullptr) continue;
    if (inc->state == State::kAcknowledged) {
      emit.Emit(IncidentUnacknowledged{id, "acknowledgement timed out"});
    } else if (inc->state == State::kResolved) {
      emit.Emit(IncidentClosed{id});
    }
  }
  if (!model.flaps.empty() && now - model.flaps_pruned_ms >= kFlapForget.count()) {
    emit.Emit(FlapsPruned{now - kFlapForget.count()});
  }
  std::vector<uint64_t> notify;
  for (auto it = model.notify_timers.begin(); it != model.notify_timers.end() && it->first <= now; ++it) {
    if (notify.size() == max_fired) {
      left = true;
      break;
    }
    notify.push_back(it->second);
  }
  for (uint64_t id : notify) NotifyIfDue(model, id, emit);
  return left;
}

core::Status Apply(Model& m, const journal::Record& record, Observer* obs) {
  auto decoded = DecodePayload(record.type, record.version, record.payload);
  if (!decoded.ok()) return decoded.error();
  return Apply(m, record, std::move(decoded).value(), obs);
}

core::Status Apply(Model& m, const journal::Record& record, Payload payload, Observer* obs) {
  const Timestamp t = record.time;
  core::Status st;
  auto touch = [&](Incident& inc) {
    inc.last_seq = record.seq;
    inc.last_actor = record.actor;
  };

  std::visit(
      [&](auto& p) {
        using T = std::decay_t<decltype(p)>;
        if constexpr (std::is_same_v<T, IncidentOpened>) {
          if (p.incident_id != m.next_incident_id) {
            st = core::Corrupt("incident.opened with id " + std::to_string(p.incident_id) + ", expected " +
                               std::to_string(m.next_incident_id));
            return;
          }
          m.next_incident_id = p.incident_id + 1;
          Incident inc;
          inc.id = p.incident_id;
          inc.service = std::move(p.service);
          inc.group_key = std::move(p.group_key);
          inc.title = std::move(p.title);
          inc.severity = p.severity;
          inc.opened_at = t;
          inc.last_alert_at = t;
          inc.subject = p.subject;
          inc.category = std::move(p.category);
          inc.subcategory = std::move(p.subcategory);
          inc.category_rule = std::move(p.category_rule);
          ++m.category_usage[inc.category].assigned;
          touch(inc);
          auto& stored = m.incidents.emplace(inc.id, std::move(inc)).first->second;
          m.IndexGroup(stored);
          if (stored.subject != 0) m.roots[stored.subject].insert(stored.id);
          if (p.notify_at_ms != 0) m.SetNotify(stored, core::FromUnixMillis(p.notify_at_ms));
          if (obs) {
            obs->TimelineEntry(stored.id, "opened",
                               "Incident opened: " + stored.title + " (service " + stored.service + ", severity " +
                                   ingest::ToString(stored.severity) + ")");
            obs->IncidentChanged(stored);
          }
        } else if constexpr (std::is_same_v<T, AlertTriggered>) {
          Alert a;
          a.id = record.seq;
          a.incident_id = p.incident_id;
          a.subject = p.subject;
          a.failure = p.failure;
          a.service = std::move(p.service);
          a.dedup_key = std::move(p.dedup_key);
          a.severity = p.severity;
          a.created_at = a.updated_at = t;
          m.FlapSample(a.service, a.dedup_key, true, t);
          if (p.incident_id == 0) {
            // Suppressed by a maintenance window: held, in no incident.
            auto& stored = m.alerts.emplace(a.id, std::move(a)).first->second;
            m.IndexAlert(stored);
            m.suppressed[p.placement.window].push_back(Held{stored.id, std::move(p.group_key), std::move(p.title)});
            if (obs) {
              AlertText text{p.summary, p.source, p.details_json};
              obs->AlertChanged(stored, &text);
              obs->AlertExplained(stored, Explain(p.placement, 0, {}), p.placement.window);
            }
            return;
          }
          Incident* found = MustIncident(m, p.incident_id, st);
          if (found == nullptr) return;
          Incident& inc = *found;
          inc.open_alerts.Add(a.id);
          ++inc.alert_count;
          ++inc.pending;
          inc.last_alert_at = t;
          if (p.member != 0 && inc.members.size() < kMaxMembers &&
              std::find(inc.members.begin(), inc.members.end(), p.member) == inc.members.end()) {
            inc.members.push_back(p.member);
          }
          if (p.notify_at_ms != 0 && (!inc.notify_due || core::ToUnixMillis(*inc.notify_due) > p.notify_at_ms)) {
            m.SetNotify(inc, core::FromUnixMillis(p.notify_at_ms));
          }
          touch(inc);
          auto& stored = m.alerts.emplace(a.id, std::move(a)).first->second;
          m.IndexAlert(stored);
          if (stored.subject != 0) {
            Failing& f = m.failing[stored.subject];
            if (f.open++ == 0) {
              f.incident_id = inc.id;
              f.since = t;
            }
          }
          if (obs) {
            std::string why = Explain(p.placement, inc.id, inc.group_key);
            const bool notable = p.placement.kind == Placement::Kind::kSymptom || !p.placement.window.empty();
            if (OnTimeline(inc.alert_count) || notable) {
              obs->TimelineEntry(inc.id, p.placement.kind == Placement::Kind::kSymptom ? "symptom" : "alert_triggered",
                                 "Alert " + Quote(stored.dedup_key) + " triggered: " + p.summary +
                                     (p.source.empty() ? "" : " (source " + p.source + ")") + "; " + why +
                                     (inc.alert_count > kTimelineAlerts
                                          ? " — alert " + std::to_string(inc.alert_count) +
                                                " of this incident; the alert list has every one"
                                          : ""));
            }
            AlertText text{p.summary, p.source, p.details_json};
            obs->AlertChanged(stored, &text);
            obs->AlertExplained(stored, std::move(why), {});
            obs->IncidentChanged(inc);
          }
        } else if constexpr (std::is_same_v<T, AlertRetriggered>) {
          auto it = m.alerts.find(p.alert_id);
          if (it == m.alerts.end()) {
            st = core::Corrupt("alert.retriggered names alert " + std::to_string(p.alert_id) + ", which is not open");
            return;
          }
          Alert& a = it->second;
          a.severity = std::min(a.severity, p.severity);
          a.updated_at = t;
          ++a.event_count;
          m.FlapSample(a.service, a.dedup_key, true, t);
          if (a.incident_id == 0) {
            if (obs) {
              AlertText text{p.summary, {}, p.details_json};
              obs->AlertChanged(a, &text);
            }
            return;
          }
          Incident* found = MustIncident(m, a.incident_id, st);
          if (found == nullptr) return;
          Incident& inc = *found;
          touch(inc);
          if (obs) {
            obs->TimelineEntry(inc.id, "alert_retriggered",
                               "Alert " + Quote(a.dedup_key) + " triggered again (" + std::to_string(a.event_count) +
                                   " events): " + p.summary);
            // The source is not in a re-trigger record: keep the stored one (empty source = unchanged).
            AlertText text{p.summary, {}, p.details_json};
            obs->AlertChanged(a, &text);
            obs->IncidentChanged(inc);
          }
        } else if constexpr (std::is_same_v<T, AlertAcknowledged> || std::is_same_v<T, AlertResolved>) {
          auto it = m.alerts.find(p.alert_id);
          if (it == m.alerts.end()) {
            st = core::Corrupt("record names alert " + std::to_string(p.alert_id) + ", which is not open");
            return;
          }
          Alert& a = it->second;
          if constexpr (std::is_same_v<T, AlertResolved>) m.FlapSample(a.service, a.dedup_key, false, t);
          if (a.incident_id == 0) {  // suppressed: in no incident
            a.updated_at = t;
            if constexpr (std::is_same_v<T, AlertAcknowledged>) {
              a.status = AlertStatus::kAcknowledged;
              if (obs) obs->AlertChanged(a, nullptr);
            } else {
              a.status = AlertStatus::kResolved;
              if (obs) obs->AlertChanged(a, nullptr);
              m.UnindexAlert(a);
              m.alerts.erase(it);
            }
            return;
          }
          Incident* found = MustIncident(m, a.incident_id, st);
          if (found == nullptr) return;
          Incident& inc = *found;
          a.updated_at = t;
          touch(inc);
          if constexpr (std::is_same_v<T, AlertAcknowledged>) {
            a.status = AlertStatus::kAcknowledged;
            if (obs) {
              obs->TimelineEntry(inc.id, "alert_acknowledged", "Alert " + Quote(a.dedup_key) + " acknowledged");
              obs->AlertChanged(a, nullptr);
              obs->IncidentChanged(inc);
            }
          } else {
            a.status = AlertStatus::kResolved;
            inc.open_alerts.Removed([&](uint64_t id) { return id != a.id && m.alerts.count(id) != 0; });
            if (a.subject != 0) {
              auto f = m.failing.find(a.subject);
              if (f != m.failing.end() && --f->second.open == 0) m.failing.erase(f);
            }
            if (obs) {
              if (OnTimeline(inc.open_alerts.size() + 1)) {
                obs->TimelineEntry(inc.id, "alert_resolved",
                                   "Alert " + Quote(a.dedup_key) + " resolved" +
                                       (inc.open_alerts.size() >= kTimelineAlerts
                                            ? "; " + std::to_string(inc.open_alerts.size()) + " still open"
                                            : ""));
              }
              obs->AlertChanged(a, nullptr);
              obs->IncidentChanged(inc);
            }
            m.UnindexAlert(a);
            m.alerts.erase(it);
          }
        } else if constexpr (std::is_same_v<T, IncidentAcknowledged>) {
          Incident* found = MustIncident(m, p.incident_id, st);
          if (found == nullptr) return;
          Incident& inc = *found;
          inc.state = State::kAcknowledged;
          inc.acknowledged_at = t;
          m.SetNotify(inc, std::nullopt);  // someone has it: a first notification still waiting is not needed
          SetTimer(m, inc, p.timeout_at_ms ? std::optional(core::FromUnixMillis(p.timeout_at_ms)) : std::nullopt);
          touch(inc);
          if (obs) {
            std::string text = "Acknowledged by " + record.actor;
            if (p.timeout_at_ms) {
              text += "; re-triggers at " + core::FormatRfc3339(core::FromUnixMillis(p.timeout_at_ms)) +
                      " unless resolved";
            }
            obs->TimelineEntry(inc.id, "acknowledged", std::move(text));
            obs->IncidentChanged(inc);
          }
        } else if constexpr (std::is_same_v<T, IncidentUnacknowledged>) {
          Incident* found = MustIncident(m, p.incident_id, st);
          if (found == nullptr) return;
          Incident& inc = *found;
          inc.state = State::kTriggered;
          inc.acknowledged_at.reset();
          SetTimer(m, inc, std::nullopt);
          touch(inc);
          if (obs) {
            obs->TimelineEntry(inc.id, "unacknowledged", "Back to triggered: " + p.reason);
            obs->IncidentChanged(inc);
          }
        } else if constexpr (std::is_same_v<T, IncidentResolved>) {
          Incident* found = MustIncident(m, p.incident_id, st);
          if (found == nullptr) return;
          Incident& inc = *found;
          inc.state = State::kResolved;
          inc.resolved_at = t;
          m.UnindexGroup(inc);
          m.RemoveRoot(inc);
          m.SetNotify(inc, std::nullopt);  // a notification still pending for it is no longer owed
          SetTimer(m, inc, p.close_at_ms ? std::optional(core::FromUnixMillis(p.close_at_ms)) : std::nullopt);
          touch(inc);
          if (obs) {
            obs->TimelineEntry(inc.id, "resolved",
                               "Resolved by " + record.actor + (p.note.empty() ? "" : ": " + p.note));
            obs->IncidentChanged(inc);
          }
        } else if constexpr (std::is_same_v<T, IncidentClosed>) {
          auto it = m.incidents.find(p.incident_id);
          if (it == m.incidents.end()) {
            st = core::Corrupt("incident.closed names incident " + std::to_string(p.incident_id) +
                               ", which is not open");
            return;
          }
          Incident& inc = it->second;
          inc.state = State::kClosed;
          inc.closed_at = t;
          SetTimer(m, inc, std::nullopt);
          m.SetNotify(inc, std::nullopt);
          touch(inc);
          if (obs) {
            obs->TimelineEntry(inc.id, "closed", "Closed");
            obs->IncidentChanged(inc);
          }
          // Only resolved incidents close, and resolving already released the group key (which a newer incident
          // may hold by now) and every open alert.
          m.incidents.erase(it);
        } else if constexpr (std::is_same_v<T, NoteAdded>) {
          Incident* found = MustIncident(m, p.incident_id, st);
          if (found == nullptr) return;
          Incident& inc = *found;
          touch(inc);
          if (obs) {
            obs->TimelineEntry(inc.id, "note", p.text);
            obs->IncidentChanged(inc);
          }
        } else if constexpr (std::is_same_v<T, SeverityRaised>) {
          Incident* found = MustIncident(m, p.incident_id, st);
          if (found == nullptr) return;
          Incident& inc = *found;
          inc.severity = p.severity;
          touch(inc);
          if (obs) {
            obs->TimelineEntry(inc.id, "severity_raised",
                               std::string("Severity raised to ") + ingest::ToString(p.severity));
            obs->IncidentChanged(inc);
          }
        } else if constexpr (std::is_same_v<T, IncidentMerged>) {
          Incident* child_found = MustIncident(m, p.incident_id, st);
          if (child_found == nullptr) return;
          Incident* parent_found = MustIncident(m, p.into, st);
          if (parent_found == nullptr) return;
          Incident& child = *child_found;
          Incident& parent = *parent_found;
          std::vector<uint64_t> moving = m.OpenAlertIds(child);
          for (uint64_t id : moving) {
            Alert& a = m.alerts.at(id);
            a.incident_id = parent.id;
            parent.open_alerts.Add(id);
            ++parent.alert_count;
            ++parent.pending;
            if (a.subject != 0) {
              auto f = m.failing.find(a.subject);
              if (f != m.failing.end() && f->second.incident_id == child.id) f->second.incident_id = parent.id;
            }
          }
          for (uint64_t k : child.members) {
            if (parent.members.size() < kMaxMembers &&
                std::find(parent.members.begin(), parent.members.end(), k) == parent.members.end()) {
              parent.members.push_back(k);
            }
          }
          parent.last_alert_at = t;
          if (p.notify_at_ms != 0 && (!parent.notify_due || core::ToUnixMillis(*parent.notify_due) > p.notify_at_ms)) {
            m.SetNotify(parent, core::FromUnixMillis(p.notify_at_ms));
          }
          child.open_alerts = OpenAlerts{};
          child.state = State::kResolved;
          child.resolved_at = t;
          child.merged_into = parent.id;
          m.UnindexGroup(child);
          m.RemoveRoot(child);
          m.SetNotify(child, std::nullopt);
          SetTimer(m, child, p.close_at_ms ? std::optional(core::FromUnixMillis(p.close_at_ms)) : std::nullopt);
          touch(child);
          touch(parent);
          if (obs) {
            std::string why = p.parent + " down (rule " + p.rule + "), " + std::to_string(p.offset_ms / 1000) +
                              " s after this incident opened";
            obs->TimelineEntry(child.id, "merged",
                               "Merged into incident " + std::to_string(parent.id) + " as a symptom: " + why + "; " +
                                   std::to_string(moving.size()) + " open alerts moved");
            obs->TimelineEntry(parent.id, "merged_in",
                               "Incident " + std::to_string(child.id) + " (" + child.title + ") merged in: " + why +
                                   "; " + std::to_string(moving.size()) + " open alerts joined");
            for (uint64_t id : moving) {
              const Alert& a = m.alerts.at(id);
              obs->AlertChanged(a, nullptr);
              Placement pl{Placement::Kind::kSymptom, parent.id, p.rule, p.parent, -p.offset_ms, {}, {}};
              obs->AlertExplained(a,
                                  Explain(pl, parent.id, {}) + " (incident " + std::to_string(child.id) + " merged in)",
                                  {});
            }
            obs->IncidentChanged(child);
            obs->IncidentChanged(parent);
          }
        } else if constexpr (std::is_same_v<T, NotificationRequested>) {
          if (p.incident_id == 0) return;  // about a maintenance window: on the journal only
          Incident* found = MustIncident(m, p.incident_id, st);
          if (found == nullptr) return;
          Incident& inc = *found;
          ++inc.notified;
          inc.last_notified_at = t;
          inc.pending = 0;
          if (p.kind == NotificationRequested::Kind::kTriggered || p.kind == NotificationRequested::Kind::kUpdated) {
            m.SetNotify(inc, std::nullopt);
          }
          touch(inc);
          if (obs) {
            obs->TimelineEntry(inc.id, "notification",
                               std::string("Notification (") + ToString(p.kind) + (p.to.empty() ? "" : ", to " + p.to) +
                                   "): " + p.text);
            obs->IncidentChanged(inc);
          }
        } else if constexpr (std::is_same_v<T, AlertLinked>) {
          auto it = m.alerts.find(p.alert_id);
          if (it == m.alerts.end() || it->second.incident_id != 0) {
            st = core::Corrupt("alert.linked names alert " + std::to_string(p.alert_id) + ", which is not suppressed");
            return;
          }
          Incident* found = MustIncident(m, p.incident_id, st);
          if (found == nullptr) return;
          Incident& inc = *found;
          Alert& a = it->second;
          a.incident_id = inc.id;
          inc.open_alerts.Add(a.id);
          ++inc.alert_count;
          ++inc.pending;
          inc.last_alert_at = t;
          if (p.notify_at_ms != 0 && (!inc.notify_due || core::ToUnixMillis(*inc.notify_due) > p.notify_at_ms)) {
            m.SetNotify(inc, core::FromUnixMillis(p.notify_at_ms));
          }
          if (a.subject != 0) {
            Failing& f = m.failing[a.subject];
            if (f.open++ == 0) {
              f.incident_id = inc.id;
              f.since = t;
            }
          }
          touch(inc);
          if (obs) {
            obs->TimelineEntry(inc.id, "alert_linked",
                               "Alert " + Quote(a.dedup_key) + " joined after suppression: " + p.reason);
            obs->AlertChanged(a, nullptr);
            obs->AlertExplained(a, "joined incident " + std::to_string(inc.id) + " after suppression: " + p.reason, {});
            obs->IncidentChanged(inc);
          }
        } else if constexpr (std::is_same_v<T, AlertFlapping>) {
          FlapHistory& h = m.flaps[KeyIndex::Hash(p.service, p.dedup_key)];
          h.flapping = p.started;
          if (obs) {
            if (const Alert* a = m.FindOpenAlert(p.service, p.dedup_key); a != nullptr && a->incident_id != 0) {
              obs->TimelineEntry(a->incident_id, "flapping",
                                 "Alert " + Quote(p.dedup_key) + (p.started ? " started" : " stopped") +
                                     " flapping (" + std::to_string(p.percent_x100 / 100) + "% state change)");
            }
          }
        } else if constexpr (std::is_same_v<T, IncidentReclassified>) {
          Incident* found = MustIncident(m, p.incident_id, st);
          if (found == nullptr) return;
          const std::string before = found->category.empty() ? "unclassified"
                                                               : found->category +
                                                                     (found->subcategory.empty() ? "" : "/" + found->subcategory);
          ++m.category_usage[found->category].reclassified_from;
          ++m.category_usage[p.category].reclassified_to;
          found->category = p.category;
          found->subcategory = p.subcategory;
          found->category_rule = record.actor;
          touch(*found);
          if (obs) {
            obs->TimelineEntry(found->id, "reclassified",
                               "Reclassified from " + before + " to " + p.category +
                                   (p.subcategory.empty() ? "" : "/" + p.subcategory) + " by " + record.actor +
                                   (p.reason.empty() ? "" : ": " + p.reason));
            obs->IncidentChanged(*found);
          }
        } else if constexpr (std::is_same_v<T, NotificationCancelled>) {
          Incident* found = MustIncident(m, p.incident_id, st);
          if (found == nullptr) return;
          m.SetNotify(*found, std::nullopt);
          touch(*found);
          if (obs) {
            obs->TimelineEntry(found->id, "notification_cancelled", "Pending notification cancelled: " + p.reason);
            obs->IncidentChanged(*found);
          }
        } else if constexpr (std::is_same_v<T, FlapsPruned>) {
          std::erase_if(m.flaps, [&](const auto& kv) {
            return !kv.second.flapping && core::ToUnixMillis(kv.second.last) < p.before_ms;
          });
          m.flaps_pruned_ms = core::ToUnixMillis(t);
        } else if constexpr (std::is_same_v<T, EventDropped>) {
          // Journaled for the audit trail; changes no state.
        }
      },
      payload);
  return st;
}

}  // namespace incident
