#include "domain/escalation/paging.h"

#include <algorithm>
#include <cmath>

#include "domain/escalation/overrides.h"
#include "domain/incident/lifecycle.h"

namespace escalation {
namespace {

using core::Timestamp;

bool Any(const std::vector<std::string>& list, std::string_view value) {
  return list.empty() || std::find(list.begin(), list.end(), value) != list.end();
}

std::string Iso(int64_t ms) { return core::FormatRfc3339(core::FromUnixMillis(ms)); }

std::string Seconds(int64_t ms) {
  char buf[32];
  if (ms < 60000) {
    std::snprintf(buf, sizeof buf, "%.1f s", static_cast<double>(ms) / 1000.0);
  } else {
    std::snprintf(buf, sizeof buf, "%lld min %lld s", static_cast<long long>(ms / 60000),
                  static_cast<long long>(ms % 60000 / 1000));
  }
  return buf;
}

// The people a step's targets give now, and the targets that gave nobody. Schedules are read with the overrides
// made at run time applied.
void Resolve(const View& v, const Step& step, Timestamp now, std::vector<std::string>& users,
             std::vector<std::string>& problems) {
  const Config& config = v.config;
  auto add = [&](const std::string& u) {
    if (std::find(users.begin(), users.end(), u) == users.end()) users.push_back(u);
  };
  for (const Target& t : step.targets) {
    switch (t.kind) {
      case TargetKind::kUser: add(t.name); break;
      case TargetKind::kTeam: {
        const auto* members = config.FindTeam(t.name);
        if (members == nullptr || members->empty()) {
          problems.push_back("team " + t.name + " has no members");
        } else {
          for (const auto& u : *members) add(u);
        }
        break;
      }
      case TargetKind::kSchedule: {
        const std::optional<oncall::Schedule> effective = EffectiveSchedule(config, v.paging, t.name);
        const oncall::Schedule* s = effective ? &*effective : nullptr;
        std::vector<std::string> on = s != nullptr ? s->OnCallAt(now) : std::vector<std::string>{};
        if (on.empty()) {
          std::string p = "schedule " + t.name + " has nobody on call at " + core::FormatRfc3339(now);
          if (s != nullptr) {
            auto gaps = s->Gaps(now, now + std::chrono::hours(24 * 14));
            if (!gaps.empty() && gaps.front().start <= now) {
              p += " (a gap until " + core::FormatRfc3339(gaps.front().end) + ")";
            }
          }
          problems.push_back(std::move(p));
        }
        for (const auto& u : on) add(u);
        break;
      }
    }
  }
}

std::string Subject(const incident::Incident& inc, std::string_view kind) {
  std::string s = "[" + std::string(ingest::ToString(inc.severity)) + "] Incident " + std::to_string(inc.id) + " " +
                  std::string(kind) + ": " + inc.title;
  if (s.size() > 200) s.resize(200);
  return s;
}

// Queues one delivery per contact method of `user`. Returns false when the person has none.
bool Queue(const View& v, const std::string& user, uint64_t incident_id, const std::string& kind,
           const std::string& subject, const std::string& text, bool page, const std::string& key, Emitter& emit) {
  const Person* person = v.config.FindPerson(user);
  if (person == nullptr || person->contacts.empty()) return false;
  const int64_t now = core::ToUnixMillis(emit.now());
  for (size_t i = 0; i < person->contacts.size(); ++i) {
    const Contact& c = person->contacts[i];
    DeliveryQueued q;
    q.incident_id = incident_id;
    q.user = user;
    q.channel = c.channel;
    q.address = c.address;
    q.kind = kind;
    q.subject = subject;
    q.text = text;
    if (incident_id != 0 && v.channel_lines != nullptr) {
      if (auto it = v.channel_lines->find(incident_id); it != v.channel_lines->end()) q.text += "\n" + it->second;
    }
    q.key = key + "-" + user + "-" + std::to_string(i);
    q.due_ms = now + std::chrono::duration_cast<std::chrono::milliseconds>(c.delay).count();
    q.page = page;
    emit.Emit(q);
  }
  return true;
}

// Runs step `step` of round `round` of the incident's escalation now.
void RunStep(const View& v, const incident::Incident& inc, const Policy& policy, uint32_t step, uint32_t round,
             const std::string& text, uint64_t start_seq, Emitter& emit) {
  const Timestamp now = emit.now();
  EscalationStepped s;
  s.incident_id = inc.id;
  s.step = step;
  s.round = round;
  Resolve(v, policy.steps[step], now, s.users, s.problems);
  for (const auto& u : s.users) {
    const Person* person = v.config.FindPerson(u);
    if (person == nullptr || person->contacts.empty()) s.problems.push_back(u + " has no contact methods (people:)");
  }
  if (step + 1 < policy.steps.size()) {
    s.next_at_ms = core::ToUnixMillis(now + policy.steps[step + 1].delay);
  } else if (round < policy.repeat) {
    s.next_at_ms = core::ToUnixMillis(now + policy.repeat_delay);
  }
  std::string body = text;
  if (step > 0 || round > 0) {
    body += "\nEscalated: step " + std::to_string(step + 1) + " of " + std::to_string(policy.steps.size()) +
            " of policy " + policy.name + (round > 0 ? ", round " + std::to_string(round + 1) : "") +
            "; nobody acknowledged yet.";
  }
  const std::string key = "inc" + std::to_string(inc.id) + "-e" + std::to_string(start_seq) + "-s" +
                          std::to_string(step) + "r" + std::to_string(round);
  const std::string kind = step > 0 || round > 0 ? "escalated" : "triggered";
  const std::string subject = Subject(inc, kind);
  // Record the step first: deliveries follow it on the timeline.
  std::vector<std::string> users = s.users;
  emit.Emit(s);
  for (const auto& u : users) Queue(v, u, inc.id, kind, subject, body, true, key, emit);
  // After the last step the escalation stays active, with no step due, until it is acknowledged or resolved: pages
  // still owed (a contact's delay) are cancelled then.
}

// The (step, round) after the escalation's last one, or nullopt when it ran the last step of its last round.
std::optional<std::pair<uint32_t, uint32_t>> NextStep(const Policy& policy, const Escalation& e) {
  uint32_t step = e.step + 1, round = e.round;
  if (step >= policy.steps.size()) {
    step = 0;
    ++round;
  }
  if (round > policy.repeat) return std::nullopt;
  return std::make_pair(step, round);
}

std::string StepText(const incident::Incident& inc) {
  return "Incident " + std::to_string(inc.id) + " (service " + inc.service + ", severity " +
         ingest::ToString(inc.severity) + "): " + inc.title;
}

uint64_t Start(const View& v, const incident::Incident& inc, const RouteChoice& choice, const std::string& text,
               Emitter& emit) {
  uint64_t seq = emit.Emit(EscalationStarted{inc.id, choice.policy, choice.rule, choice.reason});
  const Policy* policy = v.config.FindPolicy(choice.policy);
  if (policy != nullptr && !policy->steps.empty()) RunStep(v, inc, *policy, 0, 0, text, seq, emit);
  return seq;
}

void CancelPages(const View& v, uint64_t incident_id, const std::string& reason, Emitter& emit) {
  std::vector<uint64_t> cancel;
  for (const auto& [due, id] : v.paging.outbox) {
    const Delivery* d = v.paging.FindDelivery(id);
    if (d != nullptr && d->incident_id == incident_id && d->page && d->attempts == 0) cancel.push_back(id);
  }
  std::sort(cancel.begin(), cancel.end());
  for (uint64_t id : cancel) emit.Emit(DeliveryCancelled{id, reason});
}

void Stop(const View& v, uint64_t incident_id, const std::string& reason, Emitter& emit) {
  const Escalation* e = v.paging.FindEscalation(incident_id);
  if (e != nullptr && e->active) emit.Emit(EscalationStopped{incident_id, reason});
  CancelPages(v, incident_id, reason, emit);
}

const DrillRun* RunOfIncident(const View& v, uint64_t incident_id) {
  auto it = v.paging.drill_incidents.find(incident_id);
  if (it == v.paging.drill_incidents.end()) return nullptr;
  auto r = v.paging.runs.find(it->second);
  return r == v.paging.runs.end() || r->second.finished ? nullptr : &r->second;
}

const Delivery* FirstDelivered(const View& v, uint64_t incident_id) {
  for (const Delivery* d : v.paging.DeliveriesOf(incident_id)) {
    if (d->state == DeliveryState::kDelivered) return d;
  }
  return nullptr;
}

void FinishRun(const View& v, const DrillRun& run, bool passed, std::string link, std::string detail, int64_t ack_ms,
               Emitter& emit) {
  const uint64_t run_id = run.run;
  const uint64_t incident_id = run.incident_id;
  const std::string drill = run.drill;
  emit.Emit(DrillFinished{run_id, passed, link, detail, ack_ms});
  // The drill's own incident is closed out either way; a failure is reported as a real incident.
  if (incident_id != 0) {
    const incident::Incident* inc = v.incidents.FindIncident(incident_id);
    if (inc != nullptr && inc->open()) {
      (void)incident::Resolve(v.incidents, v.services, incident_id,
                              passed ? "drill passed" : "drill failed: " + link, emit);
    }
  }
  if (passed) return;
  const Drill* d = v.config.FindDrill(drill);
  std::string service = d != nullptr && !d->report_service.empty() ? d->report_service
                                                                    : (d != nullptr ? d->service : std::string());
  if (v.services.ByName(service) == nullptr) return;
  incident::NewAlert a;
  a.service = service;
  a.group_key = "drill-failed:" + drill;
  a.title = "Drill " + drill + " failed: broken link " + link;
  a.dedup_key = "drill-failed:" + drill + ":" + std::to_string(run_id);
  a.summary = "Drill " + drill + " (run " + std::to_string(run_id) + ") failed at the " + link + " link: " + detail;
  a.source = "incidentd drills";
  a.severity = ingest::Severity::kError;
  a.kind_name = "drill-failed";
  incident::OpenAlert(v.incidents, v.services, a, emit, nullptr);
}

// A drill passes once its incident is acknowledged within the deadline and a notification of it was delivered.
void MaybePass(const View& v, uint64_t incident_id, Emitter& emit) {
  const DrillRun* run = RunOfIncident(v, incident_id);
  if (run == nullptr) return;
  const incident::Incident* inc = v.incidents.FindIncident(incident_id);
  if (inc == nullptr || !inc->acknowledged_at) return;
  const Delivery* d = FirstDelivered(v, incident_id);
  if (d == nullptr) return;
  const int64_t ack = core::ToUnixMillis(*inc->acknowledged_at) - run->started_ms;
  const int64_t delivered = d->done_ms - run->started_ms;
  std::string detail = "delivered to " + d->user + " via " + d->channel + " " + Seconds(delivered) +
                       " after the start, acknowledged after " + Seconds(ack);
  FinishRun(v, *run, true, "acknowledged", std::move(detail), ack, emit);
}

// Names the first link of the chain that did not hold for a run past its deadline.
std::pair<std::string, std::string> Diagnose(const View& v, const DrillRun& run) {
  const Drill* drill = v.config.FindDrill(run.drill);
  const std::string service = drill != nullptr ? drill->service : "?";
  if (run.incident_id == 0) {
    return {"ingest", "the drill's synthetic event (dedup key " + run.dedup_key + ") did not open an incident of " +
                          "service " + service + " (it never arrived, or it joined an open incident by the service's " +
                          "group_by)"};
  }
  const Escalation* e = v.paging.FindEscalation(run.incident_id);
  if (e == nullptr) {
    return {"notification", "incident " + std::to_string(run.incident_id) +
                                " requested no notification before the deadline (group_wait, a maintenance window "
                                "or flapping held it)"};
  }
  if (e->policy.empty()) {
    return {"routing", "no routing rule matched incident " + std::to_string(run.incident_id) + " (service " +
                           service + ")"};
  }
  if (e->paged.empty()) {
    std::string why = e->problems.empty() ? "the policy's steps name nobody" : e->problems.front();
    for (size_t i = 1; i < e->problems.size(); ++i) why += "; " + e->problems[i];
    return {"schedule", "policy " + e->policy + " paged nobody: " + why};
  }
  auto deliveries = v.paging.DeliveriesOf(run.incident_id);
  const Delivery* delivered = FirstDelivered(v, run.incident_id);
  if (delivered == nullptr) {
    std::string why;
    for (const Delivery* d : deliveries) {
      if (!why.empty()) why += "; ";
      why += d->channel + " to " + d->user + ": " +
             (d->attempts == 0 ? std::string("not attempted yet")
                               : (d->error.empty() ? std::string("failed") : d->error) + " after " +
                                     std::to_string(d->attempts) + " attempt" + (d->attempts == 1 ? "" : "s"));
    }
    if (why.empty()) why = "the people paged have no contact methods";
    return {"channel", "no notification was delivered: " + why};
  }
  return {"acknowledgement", "delivered to " + delivered->user + " via " + delivered->channel + " at " +
                                 Iso(delivered->done_ms) + " but not acknowledged before " + Iso(run.deadline_ms)};
}

uint64_t Fnv(std::string_view s, uint64_t h = 1469598103934665603ull) {
  for (unsigned char c : s) {
    h ^= c;
    h *= 1099511628211ull;
  }
  return h;
}

DrillStarted NewRun(const Drill& d, int64_t now_ms, bool manual) {
  DrillStarted s;
  s.drill = d.name;
  s.dedup_key = "incidentd-drill:" + d.name + ":" + std::to_string(now_ms);
  s.deadline_ms = now_ms + std::chrono::duration_cast<std::chrono::milliseconds>(d.sla).count();
  s.manual = manual;
  return s;
}

bool Running(const View& v, const std::string& drill) {
  for (const auto& [id, r] : v.paging.runs) {
    if (r.drill == drill && !r.finished) return true;
  }
  return false;
}

}  // namespace

RouteChoice Route(const Config& config, const incident::Incident& inc, Timestamp now) {
  const ServicePaging* sp = config.FindService(inc.service);
  const std::string criticality = sp != nullptr ? sp->criticality : "";
  const bool business = config.BusinessHours(inc.service, now);
  const std::string severity = ingest::ToString(inc.severity);
  for (const RouteRule& r : config.routes()) {
    if (!Any(r.services, inc.service) || !Any(r.severities, severity) || !Any(r.categories, inc.category) ||
        !Any(r.criticalities, criticality)) {
      continue;
    }
    if (r.hours == Hours::kBusiness && !business) continue;
    if (r.hours == Hours::kOffHours && business) continue;
    RouteChoice c;
    c.policy = r.policy;
    c.rule = r.name;
    c.reason = "rule " + r.name + ": service " + inc.service + ", severity " + severity +
               (inc.category.empty() ? "" : ", category " + inc.category) +
               (criticality.empty() ? "" : ", criticality " + criticality) + ", " +
               (business ? "business hours" : "off hours") + " in " + (sp != nullptr ? sp->time_zone : "UTC");
    return c;
  }
  RouteChoice none;
  none.reason = "no routing rule matched: service " + inc.service + ", severity " + severity +
                (inc.category.empty() ? "" : ", category " + inc.category) + ", " +
                (business ? "business hours" : "off hours");
  return none;
}

void React(const View& v, const incident::Payload& record, Emitter& emit) {
  std::visit(
      [&](const auto& p) {
        using T = std::decay_t<decltype(p)>;
        if constexpr (std::is_same_v<T, incident::NotificationRequested>) {
          using Kind = incident::NotificationRequested::Kind;
          if (p.incident_id == 0) {
            // Not about an incident (maintenance): to the named person, if they are one of ours.
            if (!p.to.empty() && v.config.FindPerson(p.to) != nullptr) {
              std::string key = "note-" + std::to_string(Fnv(p.text, Fnv(p.to))) + "-" +
                                std::to_string(core::ToUnixMillis(emit.now()));
              std::string subject = p.text.substr(0, std::min<size_t>(p.text.find('\n'), 200));
              Queue(v, p.to, 0, incident::ToString(p.kind), subject, p.text, false, key, emit);
            }
            return;
          }
          const incident::Incident* inc = v.incidents.FindIncident(p.incident_id);
          if (inc == nullptr) return;
          if (p.kind == Kind::kDirect) {
            // To the named person only (a reminder to the communications lead, a channel announcement).
            if (p.to.empty() || v.config.FindPerson(p.to) == nullptr) return;
            const std::string key = "inc" + std::to_string(inc->id) + "-message-" +
                                    std::to_string(Fnv(p.text, Fnv(p.to))) + "-" +
                                    std::to_string(core::ToUnixMillis(emit.now()));
            std::string subject = "Incident " + std::to_string(inc->id) + ": " +
                                  p.text.substr(0, std::min<size_t>(p.text.find('\n'), 150));
            Queue(v, p.to, inc->id, "message", subject, p.text, false, key, emit);
            return;
          }
          const Escalation* e = v.paging.FindEscalation(inc->id);
          if (p.kind == Kind::kTriggered && e == nullptr) {
            if (!inc->open()) return;
            Start(v, *inc, Route(v.config, *inc, emit.now()), p.text, emit);
            return;
          }
          if (e == nullptr) return;
          // Everything else goes to the people already paged (and to `to` when named).
          std::vector<std::string> people = e->paged;
          if (!p.to.empty() && v.config.FindPerson(p.to) != nullptr &&
              std::find(people.begin(), people.end(), p.to) == people.end()) {
            people.push_back(p.to);
          }
          const std::string kind = incident::ToString(p.kind);
          const std::string key = "inc" + std::to_string(inc->id) + "-" + kind + "-" +
                                  std::to_string(core::ToUnixMillis(emit.now())) + "-" +
                                  std::to_string(inc->notified);
          for (const auto& u : people) Queue(v, u, inc->id, kind, Subject(*inc, kind), p.text, false, key, emit);
        } else if constexpr (std::is_same_v<T, incident::IncidentAcknowledged>) {
          Stop(v, p.incident_id, "acknowledged", emit);
          MaybePass(v, p.incident_id, emit);
        } else if constexpr (std::is_same_v<T, incident::IncidentUnacknowledged>) {
          const incident::Incident* inc = v.incidents.FindIncident(p.incident_id);
          const Escalation* e = v.paging.FindEscalation(p.incident_id);
          // A reassignment unacknowledges and restarts the escalation itself.
          if (p.reason == "reassigned") return;
          if (inc == nullptr || e == nullptr || e->policy.empty() || !inc->open()) return;
          RouteChoice again{e->policy, e->rule, "restarted: " + p.reason};
          Start(v, *inc, again, "Incident " + std::to_string(inc->id) + " is unacknowledged again (" + p.reason +
                                    "): " + inc->title,
                emit);
        } else if constexpr (std::is_same_v<T, incident::IncidentResolved>) {
          Stop(v, p.incident_id, "resolved", emit);
        } else if constexpr (std::is_same_v<T, incident::IncidentMerged>) {
          Stop(v, p.incident_id, "merged into incident " + std::to_string(p.into), emit);
        }
      },
      record);
}

core::Status Reassign(const View& v, uint64_t incident_id, const std::string& policy, const std::string& user,
                      Emitter& emit) {
  const incident::Incident* inc = v.incidents.FindIncident(incident_id);
  if (inc == nullptr) {
    if (incident_id == 0 || incident_id >= v.incidents.next_incident_id) {
      return core::NotFound("incident " + std::to_string(incident_id) + " does not exist");
    }
    return core::Conflict("incident " + std::to_string(incident_id) + " is closed");
  }
  if (!inc->open()) return core::Conflict("incident " + std::to_string(incident_id) + " is " + ToString(inc->state));
  if (policy.empty() == user.empty()) return core::Invalid("give exactly one of policy and user", "/policy");
  if (!policy.empty() && v.config.FindPolicy(policy) == nullptr) {
    return core::Invalid("no escalation policy named '" + policy + "'", "/policy");
  }
  if (!user.empty() && v.config.FindPerson(user) == nullptr) {
    return core::Invalid("no person named '" + user + "'", "/user");
  }
  const Escalation* e = v.paging.FindEscalation(incident_id);
  if (e != nullptr && e->active) emit.Emit(EscalationStopped{incident_id, "reassigned"});
  CancelPages(v, incident_id, "reassigned", emit);
  if (inc->state == incident::State::kAcknowledged) {
    emit.Emit(incident::IncidentUnacknowledged{incident_id, "reassigned"});
  }
  const std::string text = "Incident " + std::to_string(inc->id) + " reassigned to you: " + inc->title;
  if (!policy.empty()) {
    Start(v, *inc, RouteChoice{policy, "reassigned", "reassigned to policy " + policy}, text, emit);
  } else {
    uint64_t seq = emit.Emit(EscalationStarted{incident_id, "", "reassigned", "reassigned to " + user});
    EscalationStepped s;
    s.incident_id = incident_id;
    s.users = {user};
    emit.Emit(s);
    Queue(v, user, incident_id, "reassigned", Subject(*inc, "reassigned"), text, true,
          "inc" + std::to_string(incident_id) + "-e" + std::to_string(seq) + "-u", emit);
  }
  return core::Ok();
}

core::Status EscalateNow(const View& v, uint64_t incident_id, const std::string& reason, const std::string& actor,
                         Emitter& emit) {
  const std::string name = "incident " + std::to_string(incident_id);
  const incident::Incident* inc = v.incidents.FindIncident(incident_id);
  if (inc == nullptr) {
    if (incident_id == 0 || incident_id >= v.incidents.next_incident_id) {
      return core::NotFound(name + " does not exist");
    }
    return core::Conflict(name + " is closed");
  }
  if (inc->state != incident::State::kTriggered) {
    return core::Conflict(name + " is " + incident::ToString(inc->state) + ": no escalation is running");
  }
  const Escalation* e = v.paging.FindEscalation(incident_id);
  if (e == nullptr || !e->active || e->policy.empty()) {
    return core::Conflict(name + " has no escalation running");
  }
  const Policy* policy = v.config.FindPolicy(e->policy);
  if (policy == nullptr || policy->steps.empty()) {
    return core::Conflict(name + ": policy " + e->policy + " is no longer configured");
  }
  auto next = NextStep(*policy, *e);
  if (!next) return core::Conflict(name + " is at the last step of policy " + e->policy);
  const uint64_t started_seq = e->started_seq;
  emit.Emit(EscalationForced{incident_id, reason.substr(0, 500), actor});
  RunStep(v, *inc, *policy, next->first, next->second, StepText(*inc), started_seq, emit);
  return core::Ok();
}

int64_t NextAttemptMs(const Config& config, const Delivery& d, uint32_t attempt, int64_t now_ms,
                      int64_t retry_after_ms) {
  const int64_t base = std::chrono::duration_cast<std::chrono::milliseconds>(config.retry_base()).count();
  const int64_t cap = std::chrono::duration_cast<std::chrono::milliseconds>(config.retry_cap()).count();
  const int64_t give_up = std::chrono::duration_cast<std::chrono::milliseconds>(config.give_up_after()).count();
  double backoff = static_cast<double>(base) * std::pow(2.0, std::min<uint32_t>(attempt, 40) - 1);
  backoff = std::min(backoff, static_cast<double>(cap));
  // ±20% jitter, the same on every replay: taken from the key and the attempt number.
  const double unit = static_cast<double>(Fnv(std::to_string(attempt), Fnv(d.key)) % 10000) / 10000.0;
  int64_t wait = static_cast<int64_t>(backoff * (0.8 + 0.4 * unit));
  wait = std::max<int64_t>({wait, retry_after_ms, 1});
  const int64_t next = now_ms + wait;
  if (next - d.queued_ms > give_up) return 0;
  return next;
}

core::Status RecordAttempt(const View& v, const AttemptReport& r, Emitter& emit) {
  const Delivery* d = v.paging.FindDelivery(r.delivery_id);
  if (d == nullptr) return core::NotFound("no delivery " + std::to_string(r.delivery_id));
  if (d->state != DeliveryState::kPending || r.attempt != d->attempts + 1) {
    return core::Conflict("delivery " + std::to_string(r.delivery_id) + " attempt " + std::to_string(r.attempt) +
                          " is already recorded");
  }
  DeliveryAttempted a;
  a.delivery_id = r.delivery_id;
  a.attempt = r.attempt;
  a.ok = r.ok;
  a.permanent = !r.ok && r.permanent;
  a.status = r.status;
  a.error = r.error.substr(0, 500);
  if (!r.ok && !r.permanent) {
    a.next_at_ms = NextAttemptMs(v.config, *d, r.attempt, core::ToUnixMillis(emit.now()), r.retry_after_ms);
    if (a.next_at_ms == 0) a.error += " (given up)";
  }
  const uint64_t incident_id = d->incident_id;
  emit.Emit(a);
  if (r.ok && incident_id != 0) MaybePass(v, incident_id, emit);
  return core::Ok();
}

void FireTimers(const View& v, Emitter& emit) {
  const Timestamp now = emit.now();
  const int64_t now_ms = core::ToUnixMillis(now);
  std::vector<uint64_t> due;
  for (auto it = v.paging.step_timers.begin(); it != v.paging.step_timers.end() && it->first <= now_ms; ++it) {
    due.push_back(it->second);
  }
  for (uint64_t id : due) {
    const Escalation* e = v.paging.FindEscalation(id);
    const incident::Incident* inc = v.incidents.FindIncident(id);
    if (e == nullptr || !e->active) continue;
    if (inc == nullptr || inc->state != incident::State::kTriggered) {
      emit.Emit(EscalationStopped{id, inc == nullptr ? "closed" : std::string(incident::ToString(inc->state))});
      continue;
    }
    const Policy* policy = v.config.FindPolicy(e->policy);
    if (policy == nullptr || policy->steps.empty()) {
      emit.Emit(EscalationStopped{id, "policy " + e->policy + " is no longer configured"});
      continue;
    }
    auto next = NextStep(*policy, *e);
    if (!next) {
      emit.Emit(EscalationStopped{id, "exhausted"});
      continue;
    }
    RunStep(v, *inc, *policy, next->first, next->second, StepText(*inc), e->started_seq, emit);
  }

  // Drills past their deadline fail, naming the broken link.
  std::vector<const DrillRun*> late;
  for (const auto& [id, r] : v.paging.runs) {
    if (!r.finished && r.deadline_ms <= now_ms) late.push_back(&r);
  }
  std::vector<std::pair<uint64_t, std::pair<std::string, std::string>>> verdicts;
  for (const DrillRun* r : late) verdicts.push_back({r->run, Diagnose(v, *r)});
  for (auto& [run, verdict] : verdicts) {
    auto it = v.paging.runs.find(run);
    if (it == v.paging.runs.end() || it->second.finished) continue;
    FinishRun(v, it->second, false, verdict.first, verdict.second, 0, emit);
  }

  // Scheduled drills whose time has come. After a long stop only occurrences of the last few minutes run.
  for (const Drill& d : v.config.drills()) {
    auto last = v.paging.drill_last_ms.find(d.name);
    int64_t from = now_ms - 5 * 60 * 1000;
    if (last != v.paging.drill_last_ms.end()) from = std::max(from, last->second + 1);
    auto next = v.config.NextDrill(d.name, core::FromUnixMillis(from));
    if (!next || core::ToUnixMillis(*next) > now_ms || Running(v, d.name)) continue;
    emit.Emit(NewRun(d, now_ms, false));
  }
}

core::Result<uint64_t> RunDrill(const View& v, const std::string& name, Emitter& emit) {
  const Drill* d = v.config.FindDrill(name);
  if (d == nullptr) return core::NotFound("no drill named '" + name + "'");
  if (Running(v, name)) return core::Conflict("a run of drill '" + name + "' is still going");
  return emit.Emit(NewRun(*d, core::ToUnixMillis(emit.now()), true));
}

std::optional<DrillEvent> DrillEventOf(const View& v, uint64_t run) {
  auto it = v.paging.runs.find(run);
  if (it == v.paging.runs.end()) return std::nullopt;
  const Drill* d = v.config.FindDrill(it->second.drill);
  if (d == nullptr) return std::nullopt;
  const incident::ServiceConfig* s = v.services.ByName(d->service);
  if (s == nullptr || s->routing_keys.empty()) return std::nullopt;
  DrillEvent e;
  e.routing_key = s->routing_keys.front();
  e.dedup_key = it->second.dedup_key;
  e.summary = "[DRILL] " + d->name + ": synthetic incident to test paging for " + d->service +
              " (acknowledge it; no action needed)";
  e.severity = d->severity;
  return e;
}

void LinkDrillEvent(const View& v, const std::string& dedup_key, uint64_t incident_id, Emitter& emit) {
  if (incident_id == 0 || dedup_key.rfind("incidentd-drill:", 0) != 0) return;
  uint64_t run = v.paging.ArmedRun(dedup_key);
  // Only an incident the synthetic event opened itself: one it joined (a service grouping by severity) is real and
  // must not be marked or resolved as a drill. The run then fails at the ingest link, saying so.
  const incident::Incident* inc = v.incidents.FindIncident(incident_id);
  if (run != 0 && inc != nullptr && inc->alert_count == 1) emit.Emit(DrillLinked{run, incident_id});
}

std::optional<TimelineLine> Describe(const Model& m, const Payload& payload) {
  return std::visit(
      [&](const auto& p) -> std::optional<TimelineLine> {
        using T = std::decay_t<decltype(p)>;
        auto join = [](const std::vector<std::string>& v) {
          std::string s;
          for (const auto& x : v) s += (s.empty() ? "" : ", ") + x;
          return s;
        };
        if constexpr (std::is_same_v<T, EscalationStarted>) {
          if (p.policy.empty() && p.rule != "reassigned") {
            return TimelineLine{p.incident_id, "escalation", "Nobody paged: " + p.reason};
          }
          return TimelineLine{p.incident_id, "escalation",
                              p.policy.empty() ? "Escalation: " + p.reason
                                               : "Escalation policy " + p.policy + " (" + p.reason + ")"};
        } else if constexpr (std::is_same_v<T, EscalationStepped>) {
          std::string t = "Step " + std::to_string(p.step + 1) +
                          (p.round > 0 ? " (round " + std::to_string(p.round + 1) + ")" : "") + ": paged " +
                          (p.users.empty() ? std::string("nobody") : join(p.users));
          if (!p.problems.empty()) t += "; " + join(p.problems);
          if (p.next_at_ms != 0) {
            t += "; next step at " + Iso(p.next_at_ms) + " unless acknowledged";
          } else if (p.step != 0 || p.round != 0 || !p.users.empty()) {
            t += "; that was the last step";
          }
          return TimelineLine{p.incident_id, "escalation", std::move(t)};
        } else if constexpr (std::is_same_v<T, EscalationStopped>) {
          return TimelineLine{p.incident_id, "escalation", "Escalation stopped: " + p.reason};
        } else if constexpr (std::is_same_v<T, EscalationForced>) {
          std::string t = "Escalated to the next step now by " + p.actor;
          if (!p.reason.empty()) t += ": " + p.reason;
          return TimelineLine{p.incident_id, "escalation", std::move(t)};
        } else if constexpr (std::is_same_v<T, DeliveryQueued>) {
          if (p.incident_id == 0) return std::nullopt;
          return TimelineLine{p.incident_id, "delivery",
                              p.kind + " notification for " + p.user + " via " + p.channel + " queued" +
                                  (p.due_ms > 0 ? " for " + Iso(p.due_ms) : "") + " (key " + p.key + ")"};
        } else if constexpr (std::is_same_v<T, DeliveryAttempted>) {
          const Delivery* d = m.FindDelivery(p.delivery_id);
          if (d == nullptr || d->incident_id == 0) return std::nullopt;
          std::string t = "Attempt " + std::to_string(p.attempt) + " of " + d->kind + " notification to " + d->user +
                          " via " + d->channel + ": ";
          if (p.ok) {
            t += "delivered";
            if (p.status != 0) t += " (" + std::to_string(p.status) + ")";
          } else {
            t += p.error.empty() ? "failed" : p.error;
            t += p.permanent ? "; not retried (permanent)"
                             : (p.next_at_ms != 0 ? "; retry at " + Iso(p.next_at_ms) : "; given up");
          }
          return TimelineLine{d->incident_id, "delivery", std::move(t)};
        } else if constexpr (std::is_same_v<T, DeliveryCancelled>) {
          const Delivery* d = m.FindDelivery(p.delivery_id);
          if (d == nullptr || d->incident_id == 0) return std::nullopt;
          return TimelineLine{d->incident_id, "delivery",
                              "Notification to " + d->user + " via " + d->channel + " cancelled: " + p.reason};
        } else if constexpr (std::is_same_v<T, DrillLinked>) {
          return TimelineLine{p.incident_id, "drill", "This is a drill (run " + std::to_string(p.run) + ")"};
        } else if constexpr (std::is_same_v<T, DrillFinished>) {
          auto it = m.runs.find(p.run);
          if (it == m.runs.end() || it->second.incident_id == 0) return std::nullopt;
          return TimelineLine{it->second.incident_id, "drill",
                              std::string(p.passed ? "Drill passed: " : "Drill failed at the " + p.link + " link: ") +
                                  p.detail};
        } else {
          return std::nullopt;
        }
      },
      payload);
}

}  // namespace escalation
