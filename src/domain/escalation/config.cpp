#include "domain/escalation/config.h"

#include <algorithm>
#include <set>

namespace escalation {
namespace {

// A calendar that has somebody "on call" exactly in the given local weekly ranges: the business hours of a service,
// read with the same restriction rules (and DST handling) as on-call rotations.
core::Result<oncall::Schedule> HoursCalendar(const std::string& time_zone, const std::vector<std::string>& ranges) {
  oncall::Rotation r;
  r.name = "business hours";
  r.participants = {"open"};
  r.frequency = oncall::Frequency::kDaily;
  r.shift_length = 1;
  r.start_local = "1970-01-05T00:00";  // a Monday
  r.time_zone = time_zone;
  r.restrictions = ranges;
  oncall::Definition d;
  d.name = "business hours";
  d.time_zone = time_zone;
  d.layers.push_back(oncall::Layer{"hours", {std::move(r)}});
  return oncall::Schedule::Make(std::move(d));
}

// Re-roots an oncall validation error ("/layers/0/rotations/0/restrictions/1") under the service's fields.
core::Error Reroot(const core::Error& e, const std::string& service_at) {
  static constexpr std::string_view kRestrictions = "/restrictions/";
  auto pos = e.field.find(kRestrictions);
  if (pos != std::string::npos) {
    return core::Invalid(e.message, service_at + "/business_hours/" + e.field.substr(pos + kRestrictions.size()));
  }
  return core::Invalid(e.message, service_at + "/time_zone");
}

template <typename T>
bool Contains(const std::vector<T>& v, const T& x) {
  return std::find(v.begin(), v.end(), x) != v.end();
}

}  // namespace

core::Result<Target> ParseTarget(std::string_view text) {
  Target t;
  auto colon = text.find(':');
  std::string_view kind = colon == std::string_view::npos ? "user" : text.substr(0, colon);
  std::string_view name = colon == std::string_view::npos ? text : text.substr(colon + 1);
  if (kind == "user") {
    t.kind = TargetKind::kUser;
  } else if (kind == "schedule") {
    t.kind = TargetKind::kSchedule;
  } else if (kind == "team") {
    t.kind = TargetKind::kTeam;
  } else {
    return core::Invalid("a target is user:<name>, schedule:<name> or team:<name>, not '" + std::string(text) + "'");
  }
  if (name.empty()) return core::Invalid("a target needs a name after '" + std::string(kind) + ":'");
  t.name = std::string(name);
  return t;
}

std::string ToString(const Target& t) {
  switch (t.kind) {
    case TargetKind::kUser: return "user:" + t.name;
    case TargetKind::kSchedule: return "schedule:" + t.name;
    case TargetKind::kTeam: return "team:" + t.name;
  }
  return t.name;
}

const char* ToString(Hours hours) {
  switch (hours) {
    case Hours::kAny: return "any";
    case Hours::kBusiness: return "business";
    case Hours::kOffHours: return "off";
  }
  return "any";
}

core::Result<Config> Config::Make(ConfigInput in) {
  Config c;
  std::set<std::string> people;
  for (size_t i = 0; i < in.people.size(); ++i) {
    const Person& p = in.people[i];
    const std::string at = "/people/" + p.name;
    if (p.name.empty()) return core::Invalid("a person needs a name", "/people/" + std::to_string(i));
    if (!people.insert(p.name).second) return core::Invalid("person '" + p.name + "' appears twice", at);
    if (p.contacts.empty()) return core::Invalid("person '" + p.name + "' has no contact methods", at + "/contacts");
    for (size_t k = 0; k < p.contacts.size(); ++k) {
      const Contact& ct = p.contacts[k];
      const std::string cat = at + "/contacts/" + std::to_string(k);
      if (!Contains(in.channels, ct.channel)) {
        return core::Invalid("no channel named '" + ct.channel + "'", cat + "/channel");
      }
      if (ct.delay < core::Duration(0) || ct.delay > std::chrono::hours(24)) {
        return core::Invalid("a contact delay is between 0 and 24h", cat + "/delay");
      }
    }
  }
  for (const auto& [team, members] : in.teams) {
    for (size_t i = 0; i < members.size(); ++i) {
      if (!people.count(members[i])) {
        return core::Invalid("no person named '" + members[i] + "'", "/teams/" + team + "/" + std::to_string(i));
      }
    }
  }
  std::set<std::string> schedules;
  for (const auto& s : in.schedules) schedules.insert(s.definition().name);
  std::set<std::string> policies;
  for (const Policy& p : in.policies) {
    const std::string at = "/escalation_policies/" + p.name;
    if (p.name.empty()) return core::Invalid("a policy needs a name", "/escalation_policies");
    if (!policies.insert(p.name).second) return core::Invalid("policy '" + p.name + "' appears twice", at);
    if (p.steps.empty()) return core::Invalid("a policy needs at least one step", at + "/steps");
    if (p.repeat > 20) return core::Invalid("repeat is at most 20", at + "/repeat");
    if (p.repeat_delay <= core::Duration(0)) return core::Invalid("repeat_delay must be above 0", at + "/repeat_delay");
    for (size_t i = 0; i < p.steps.size(); ++i) {
      const Step& s = p.steps[i];
      const std::string sat = at + "/steps/" + std::to_string(i);
      if (s.targets.empty()) return core::Invalid("a step needs targets", sat + "/targets");
      if (s.delay < core::Duration(0) || s.delay > std::chrono::hours(24)) {
        return core::Invalid("a step delay is between 0 and 24h", sat + "/delay");
      }
      if (i > 0 && s.delay <= core::Duration(0)) {
        return core::Invalid("a step after the first needs a delay above 0", sat + "/delay");
      }
      for (size_t k = 0; k < s.targets.size(); ++k) {
        const Target& t = s.targets[k];
        bool known = t.kind == TargetKind::kUser       ? people.count(t.name) != 0
                     : t.kind == TargetKind::kSchedule ? schedules.count(t.name) != 0
                                                       : in.teams.count(t.name) != 0;
        if (!known) return core::Invalid("unknown target " + ToString(t), sat + "/targets/" + std::to_string(k));
      }
    }
  }
  for (size_t i = 0; i < in.routes.size(); ++i) {
    const RouteRule& r = in.routes[i];
    const std::string at = "/routing/" + std::to_string(i);
    if (!policies.count(r.policy)) return core::Invalid("no escalation policy named '" + r.policy + "'", at + "/policy");
    for (size_t k = 0; k < r.services.size(); ++k) {
      if (!in.known_services.empty() && !Contains(in.known_services, r.services[k])) {
        return core::Invalid("no service named '" + r.services[k] + "'", at + "/services/" + std::to_string(k));
      }
    }
    for (size_t k = 0; k < r.severities.size(); ++k) {
      static const std::vector<std::string> kSev{"critical", "error", "warning", "info"};
      if (!Contains(kSev, r.severities[k])) {
        return core::Invalid("severity is critical, error, warning or info", at + "/severities/" + std::to_string(k));
      }
    }
  }
  for (const ServicePaging& s : in.services) {
    const std::string at = "/services/" + s.service;
    if (!in.known_services.empty() && !Contains(in.known_services, s.service)) {
      return core::Invalid("no service named '" + s.service + "'", at);
    }
    auto cal = HoursCalendar(s.time_zone, s.business_hours);
    if (!cal.ok()) return Reroot(cal.error(), at);
    c.hours_.emplace(s.service, std::move(cal).value());
  }
  auto def = HoursCalendar("UTC", {"Mon-Fri 09:00-17:00"});
  if (!def.ok()) return def.error();
  c.default_hours_ = std::move(def).value();
  std::set<std::string> drills;
  for (size_t i = 0; i < in.drills.size(); ++i) {
    const Drill& d = in.drills[i];
    const std::string at = "/drills/" + std::to_string(i);
    if (d.name.empty() || d.name.find(':') != std::string::npos) {
      return core::Invalid("a drill needs a name without ':'", at + "/name");
    }
    if (!drills.insert(d.name).second) return core::Invalid("drill '" + d.name + "' appears twice", at + "/name");
    if (!in.known_services.empty() && !Contains(in.known_services, d.service)) {
      return core::Invalid("no service named '" + d.service + "'", at + "/service");
    }
    if (!d.report_service.empty() && !in.known_services.empty() && !Contains(in.known_services, d.report_service)) {
      return core::Invalid("no service named '" + d.report_service + "'", at + "/report_service");
    }
    if (d.sla < std::chrono::seconds(10) || d.sla > std::chrono::hours(24)) {
      return core::Invalid("sla is between 10s and 24h", at + "/sla");
    }
    static const std::vector<std::string> kSev{"critical", "error", "warning", "info"};
    if (!Contains(kSev, d.severity)) return core::Invalid("severity is critical, error, warning or info", at + "/severity");
    if (d.when.rrule.empty() && d.when.start_local.empty()) continue;  // run on request only
    correlate::Recurrence rec = d.when;
    rec.duration = std::chrono::minutes(1);
    auto sched = correlate::Schedule::Make(rec);
    if (!sched.ok()) return core::Invalid(sched.error().message, at + sched.error().field);
    c.drill_times_.emplace(d.name, std::move(sched).value());
  }
  c.in_ = std::move(in);
  return c;
}

const Person* Config::FindPerson(std::string_view name) const {
  for (const auto& p : in_.people) {
    if (p.name == name) return &p;
  }
  return nullptr;
}
const Policy* Config::FindPolicy(std::string_view name) const {
  for (const auto& p : in_.policies) {
    if (p.name == name) return &p;
  }
  return nullptr;
}
const oncall::Schedule* Config::FindSchedule(std::string_view name) const {
  for (const auto& s : in_.schedules) {
    if (s.definition().name == name) return &s;
  }
  return nullptr;
}
const std::vector<std::string>* Config::FindTeam(std::string_view name) const {
  for (const auto& [team, members] : in_.teams) {
    if (team == name) return &members;
  }
  return nullptr;
}
const Drill* Config::FindDrill(std::string_view name) const {
  for (const auto& d : in_.drills) {
    if (d.name == name) return &d;
  }
  return nullptr;
}
const ServicePaging* Config::FindService(std::string_view name) const {
  for (const auto& s : in_.services) {
    if (s.service == name) return &s;
  }
  return nullptr;
}

bool Config::BusinessHours(std::string_view service, core::Timestamp t) const {
  auto it = hours_.find(service);
  if (it != hours_.end()) return !it->second.OnCallAt(t).empty();
  return default_hours_ && !default_hours_->OnCallAt(t).empty();
}

std::optional<core::Timestamp> Config::NextDrill(std::string_view drill, core::Timestamp t) const {
  auto it = drill_times_.find(drill);
  if (it == drill_times_.end()) return std::nullopt;
  // Occurrences last a minute: the one containing t started before t, so look from just after its start.
  auto occ = it->second.NextEndingAfter(t);
  while (occ && occ->start < t) occ = it->second.NextEndingAfter(occ->end);
  if (!occ) return std::nullopt;
  return occ->start;
}

}  // namespace escalation
