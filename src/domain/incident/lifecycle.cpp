#include "domain/incident/lifecycle.h"

#include <algorithm>
#include <cstdio>

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

std::string JsonEscape(std::string_view s) {
  std::string out;
  out.reserve(s.size() + 2);
  out += '"';
  for (unsigned char c : s) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        if (c < 0x20) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\u%04x", c);
          out += buf;
        } else {
          out += static_cast<char>(c);
        }
    }
  }
  out += '"';
  return out;
}

// The payload fields that are not columns of their own, as one JSON object ("" when there are none).
std::string DetailsJson(const ingest::Event& e) {
  std::string out = "{";
  auto field = [&](const char* name, const std::string& v) {
    if (v.empty()) return;
    if (out.size() > 1) out += ',';
    out += JsonEscape(name);
    out += ':';
    out += JsonEscape(v);
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
      out += "{\"href\":" + JsonEscape(e.links[i].href) + ",\"text\":" + JsonEscape(e.links[i].text) + "}";
    }
    out += ']';
  }
  if (!e.images.empty()) {
    if (out.size() > 1) out += ',';
    out += "\"images\":[";
    for (size_t i = 0; i < e.images.size(); ++i) {
      if (i) out += ',';
      out += "{\"src\":" + JsonEscape(e.images[i].src) + ",\"href\":" + JsonEscape(e.images[i].href) +
             ",\"alt\":" + JsonEscape(e.images[i].alt) + "}";
    }
    out += ']';
  }
  out += '}';
  return out == "{}" ? std::string() : out;
}

}  // namespace

core::Result<EventResult> HandleEvent(const Model& model, const Config& config, const ingest::Event& e,
                                      Emitter& emit) {
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
    const Incident* inc = model.FindIncident(incident_id);
    if (inc != nullptr && e.severity < inc->severity) emit.Emit(SeverityRaised{incident_id, e.severity});
    return EventResult{incident_id, false, "alert updated"};
  }

  NewAlert spec{service->name, GroupKey(*service, e), e.summary, e.dedup_key, e.summary, e.source, e.severity,
                std::move(details)};
  OpenedAlert opened = OpenAlert(model, spec, emit);
  return EventResult{opened.incident_id, false, "alert triggered"};
}

OpenedAlert OpenAlert(const Model& model, const NewAlert& a, Emitter& emit) {
  uint64_t incident_id;
  if (uint64_t open = model.FindOpenGroup(a.service, a.group_key); open != 0) {
    incident_id = open;
  } else {
    incident_id = model.next_incident_id;
    emit.Emit(IncidentOpened{incident_id, a.service, a.group_key, a.title, a.severity});
  }
  uint64_t alert_id =
      emit.Emit(AlertTriggered{incident_id, a.service, a.dedup_key, a.summary, a.source, a.severity, a.details_json});
  const Incident* inc = model.FindIncident(incident_id);
  if (inc != nullptr && a.severity < inc->severity) emit.Emit(SeverityRaised{incident_id, a.severity});
  return OpenedAlert{incident_id, alert_id};
}

void CloseAlert(const Model& model, const Config& config, uint64_t alert_id, Emitter& emit) {
  auto it = model.alerts.find(alert_id);
  if (it == model.alerts.end()) return;
  uint64_t incident_id = it->second.incident_id;
  emit.Emit(AlertResolved{alert_id});
  const Incident* inc = model.FindIncident(incident_id);
  if (inc != nullptr && inc->open_alerts.empty() &&
      (inc->state == State::kTriggered || inc->state == State::kAcknowledged)) {
    const ServiceConfig* service = config.ByName(inc->service);
    core::Duration close_after = service != nullptr ? service->auto_close_after : core::Duration(0);
    emit.Emit(IncidentResolved{incident_id, "all alerts resolved", DueMs(emit.now(), close_after)});
  }
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

void FireTimers(const Model& model, Emitter& emit) {
  int64_t now = core::ToUnixMillis(emit.now());
  // Collect first: emitting changes the timer set.
  std::vector<uint64_t> due;
  for (auto it = model.timers.begin(); it != model.timers.end() && it->first <= now; ++it) due.push_back(it->second);
  for (uint64_t id : due) {
    const Incident* inc = model.FindIncident(id);
    if (inc == nullptr) continue;
    if (inc->state == State::kAcknowledged) {
      emit.Emit(IncidentUnacknowledged{id, "acknowledgement timed out"});
    } else if (inc->state == State::kResolved) {
      emit.Emit(IncidentClosed{id});
    }
  }
}

core::Status Apply(Model& m, const journal::Record& record, Observer* obs) {
  auto decoded = DecodePayload(record.type, record.version, record.payload);
  if (!decoded.ok()) return decoded.error();
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
          touch(inc);
          auto& stored = m.incidents.emplace(inc.id, std::move(inc)).first->second;
          m.IndexGroup(stored);
          if (obs) {
            obs->TimelineEntry(stored.id, "opened",
                               "Incident opened: " + stored.title + " (service " + stored.service + ", severity " +
                                   ingest::ToString(stored.severity) + ")");
            obs->IncidentChanged(stored);
          }
        } else if constexpr (std::is_same_v<T, AlertTriggered>) {
          Incident* found = MustIncident(m, p.incident_id, st);
          if (found == nullptr) return;
          Incident& inc = *found;
          Alert a;
          a.id = record.seq;
          a.incident_id = p.incident_id;
          a.service = std::move(p.service);
          a.dedup_key = std::move(p.dedup_key);
          a.severity = p.severity;
          a.created_at = a.updated_at = t;
          inc.open_alerts.Add(a.id);
          ++inc.alert_count;
          touch(inc);
          auto& stored = m.alerts.emplace(a.id, std::move(a)).first->second;
          m.IndexAlert(stored);
          if (obs) {
            if (OnTimeline(inc.alert_count)) {
              obs->TimelineEntry(inc.id, "alert_triggered",
                                 "Alert " + Quote(stored.dedup_key) + " triggered: " + p.summary +
                                     (p.source.empty() ? "" : " (source " + p.source + ")") +
                                     (inc.alert_count > kTimelineAlerts
                                          ? " — alert " + std::to_string(inc.alert_count) +
                                                " of this incident; the alert list has every one"
                                          : ""));
            }
            AlertText text{p.summary, p.source, p.details_json};
            obs->AlertChanged(stored, &text);
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
        } else if constexpr (std::is_same_v<T, EventDropped>) {
          // Journaled for the audit trail; changes no state.
        }
      },
      decoded.value());
  return st;
}

}  // namespace incident
