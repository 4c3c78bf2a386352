#include "app/config.h"

#include <yaml-cpp/yaml.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "core/local_time.h"
#include "core/matcher.h"
#include "core/time.h"
#include "domain/ingest/alertmanager.h"
#include "app/auth_config.h"
#include "app/config_reader.h"
#include "app/paging_config.h"
#include "app/config_reload.h"
#include "app/regulatory_rules.h"
#include "domain/classify/taxonomy.h"

namespace app {
namespace {

// services[].slos: [{name, sli, objective, window}].
void ReadSlos(Reader& r, const YAML::Node& list, const std::string& path, const std::string& service, Config& cfg) {
  if (!list.IsDefined() || list.IsNull()) return;
  if (!list.IsSequence()) {
    r.Fail(list, path, "must be a list of {name, sli, objective, window}");
    return;
  }
  for (size_t i = 0; i < list.size() && r.ok(); ++i) {
    const std::string at = path + "[" + std::to_string(i) + "]";
    classify::Slo slo;
    slo.service = service;
    std::string objective = "0.999";
    if (!r.CheckKeys(list[i], at, {"name", "sli", "objective", "window"}) ||
        !r.String(list[i]["name"], at + ".name", slo.name) || !r.String(list[i]["sli"], at + ".sli", slo.sli) ||
        !r.String(list[i]["objective"], at + ".objective", objective) ||
        !r.Duration(list[i]["window"], at + ".window", slo.window)) {
      return;
    }
    char* end = nullptr;
    slo.objective = std::strtod(objective.c_str(), &end);
    if (end == objective.c_str() || *end != '\0' || !(slo.objective > 0 && slo.objective < 1)) {
      r.Fail(list[i]["objective"], at + ".objective", "must be a fraction between 0 and 1, like 0.999");
      return;
    }
    if (slo.name.empty() || cfg.classify.FindSlo(service, slo.name) != nullptr) {
      r.Fail(list[i], at + ".name", "is required and unique per service");
      return;
    }
    cfg.classify.slos.push_back(std::move(slo));
  }
}

void ReadServices(Reader& r, const YAML::Node& services, Config& cfg) {
  if (!services.IsDefined() || !services.IsSequence() || services.size() == 0) {
    r.Fail(services, "services", "must be a non-empty list");
    return;
  }
  std::vector<incident::ServiceConfig> out;
  std::set<std::string> names, keys;
  for (size_t i = 0; i < services.size(); ++i) {
    const YAML::Node s = services[i];
    std::string path = "services[" + std::to_string(i) + "]";
    if (!r.CheckKeys(s, path, {"name", "routing_keys", "group_by", "ack_timeout", "auto_close_after", "group_wait",
                               "group_interval", "group_window", "new_symptom_severity", "time_zone",
                               "business_hours", "criticality", "slos", "owner_team",
                               "business_functions", "customers", "jurisdictions", "data", "regions"})) {
      return;
    }
    incident::ServiceConfig svc;
    std::string raise;
    if (!r.String(s["name"], path + ".name", svc.name) ||
        !r.StringList(s["routing_keys"], path + ".routing_keys", svc.routing_keys) ||
        !r.StringList(s["group_by"], path + ".group_by", svc.group_by) ||
        !r.Duration(s["ack_timeout"], path + ".ack_timeout", svc.ack_timeout) ||
        !r.Duration(s["auto_close_after"], path + ".auto_close_after", svc.auto_close_after) ||
        !r.Duration(s["group_wait"], path + ".group_wait", svc.group_wait) ||
        !r.Duration(s["group_interval"], path + ".group_interval", svc.group_interval) ||
        !r.Duration(s["group_window"], path + ".group_window", svc.group_window) ||
        !r.String(s["new_symptom_severity"], path + ".new_symptom_severity", raise)) {
      return;
    }
    if (!raise.empty()) {
      auto sev = ingest::ParseSeverity(raise);
      if (!sev) {
        r.Fail(s["new_symptom_severity"], path + ".new_symptom_severity",
               "must be one of critical, error, warning, info");
        return;
      }
      svc.new_symptom_severity = *sev;
    }
    ReadServicePaging(r, s, path, svc.name, cfg);
    if (!r.ok()) return;
    ReadSlos(r, s["slos"], path + ".slos", svc.name, cfg);
    if (!r.ok()) return;
    classify::ServiceFacts facts;
    facts.service = svc.name;
    if (!r.String(s["owner_team"], path + ".owner_team", facts.owner_team) ||
        !r.StringList(s["business_functions"], path + ".business_functions", facts.business_functions) ||
        !r.Unsigned(s["customers"], path + ".customers", facts.customers, 0, 10'000'000'000ull) ||
        !r.StringList(s["jurisdictions"], path + ".jurisdictions", facts.jurisdictions) ||
        !r.StringList(s["regions"], path + ".regions", facts.regions) ||
        !r.StringList(s["data"], path + ".data", facts.data)) {
      return;
    }
    for (const auto& d : facts.data) {
      if (d != "personal" && d != "payment_card" && d != "health") {
        r.Fail(s["data"], path + ".data", "must list personal, payment_card or health");
        return;
      }
    }
    cfg.classify.catalogue.push_back(std::move(facts));
    if (svc.name.empty()) {
      r.Fail(s, path + ".name", "is required");
      return;
    }
    if (!names.insert(svc.name).second) {
      r.Fail(s["name"], path + ".name", "duplicate service name '" + svc.name + "'");
      return;
    }
    for (const auto& k : svc.routing_keys) {
      if (k.empty() || !keys.insert(k).second) {
        r.Fail(s["routing_keys"], path + ".routing_keys", "routing key '" + k + "' is empty or used twice");
        return;
      }
    }
    if (svc.group_by.empty()) {
      r.Fail(s["group_by"], path + ".group_by", "must name at least one field");
      return;
    }
    for (const auto& g : svc.group_by) {
      if (!incident::IsGroupField(g)) {
        r.Fail(s["group_by"], path + ".group_by",
               "unknown field '" + g + "' (use dedup_key, source, component, group, class, severity)");
        return;
      }
    }
    out.push_back(std::move(svc));
  }
  cfg.services = incident::Config(std::move(out));
}

// The labelled-alert path: Alertmanager routes to services, resolve_timeout, silence retention.
void ReadAlertmanager(Reader& r, const YAML::Node& am, Config& cfg) {
  if (!am.IsDefined() || am.IsNull()) return;
  if (!r.CheckKeys(am, "alertmanager", {"resolve_timeout", "silence_retention", "routes"})) return;
  auto& out = cfg.alerts;
  if (!r.Duration(am["resolve_timeout"], "alertmanager.resolve_timeout", out.resolve_timeout) ||
      !r.Duration(am["silence_retention"], "alertmanager.silence_retention", out.silence_retention)) {
    return;
  }
  if (out.resolve_timeout.count() <= 0) {
    r.Fail(am["resolve_timeout"], "alertmanager.resolve_timeout", "must be longer than 0");
    return;
  }
  const YAML::Node routes = am["routes"];
  if (!routes.IsDefined() || routes.IsNull()) return;
  if (!routes.IsSequence()) {
    r.Fail(routes, "alertmanager.routes", "must be a list");
    return;
  }
  for (size_t i = 0; i < routes.size(); ++i) {
    const YAML::Node n = routes[i];
    std::string path = "alertmanager.routes[" + std::to_string(i) + "]";
    if (!r.CheckKeys(n, path, {"service", "matchers", "group_by", "default_severity"})) return;
    correlate::Route route;
    std::vector<std::string> matchers;
    std::string severity = "warning";
    if (!r.String(n["service"], path + ".service", route.service) ||
        !r.StringList(n["matchers"], path + ".matchers", matchers) ||
        !r.StringList(n["group_by"], path + ".group_by", route.group_by) ||
        !r.String(n["default_severity"], path + ".default_severity", severity)) {
      return;
    }
    if (cfg.services.ByName(route.service) == nullptr) {
      r.Fail(n["service"], path + ".service", "names no configured service ('" + route.service + "')");
      return;
    }
    for (size_t m = 0; m < matchers.size(); ++m) {
      auto parsed = core::Matcher::Parse(matchers[m]);
      if (!parsed.ok()) {
        r.Fail(n["matchers"], path + ".matchers[" + std::to_string(m) + "]", parsed.error().message);
        return;
      }
      route.matchers.push_back(std::move(parsed).value());
    }
    for (const auto& g : route.group_by) {
      if (g != "..." && !ingest::IsValidLabelName(g)) {
        r.Fail(n["group_by"], path + ".group_by", "'" + g + "' is not a label name (or ... for every label)");
        return;
      }
    }
    auto sev = ingest::ParseSeverity(severity);
    if (!sev) {
      r.Fail(n["default_severity"], path + ".default_severity", "must be one of critical, error, warning, info");
      return;
    }
    route.default_severity = *sev;
    out.routes.push_back(std::move(route));
  }
}

// Flap detection thresholds (percent state change over an alert's last 21 triggers and resolves).
void ReadFlapping(Reader& r, const YAML::Node& f, Config& cfg) {
  if (!f.IsDefined() || f.IsNull()) return;
  if (!r.CheckKeys(f, "flapping", {"high", "low", "min_samples"})) return;
  incident::FlapSettings s;
  uint32_t high = 50, low = 25, min = static_cast<uint32_t>(s.min_samples);
  if (!r.Unsigned(f["high"], "flapping.high", high, 1, 100) || !r.Unsigned(f["low"], "flapping.low", low, 0, 100) ||
      !r.Unsigned(f["min_samples"], "flapping.min_samples", min, 2, 21)) {
    return;
  }
  if (low >= high) {
    r.Fail(f["low"], "flapping.low", "must be below flapping.high");
    return;
  }
  s.high = high;
  s.low = low;
  s.min_samples = static_cast<int>(min);
  cfg.services = incident::Config(cfg.services.services(), s);
}

// On-call schedules: layers of rotations with restrictions, and overrides.
void ReadSchedules(Reader& r, const YAML::Node& list, Config& cfg) {
  if (!list.IsDefined() || list.IsNull()) return;
  if (!list.IsSequence()) {
    r.Fail(list, "schedules", "must be a list");
    return;
  }
  std::set<std::string> names;
  for (size_t i = 0; i < list.size() && r.ok(); ++i) {
    const YAML::Node s = list[i];
    const std::string path = "schedules[" + std::to_string(i) + "]";
    oncall::Definition d;
    std::string gap_service;
    if (!r.CheckKeys(s, path, {"name", "time_zone", "layers", "overrides", "gap_alert_service"}) ||
        !r.String(s["name"], path + ".name", d.name) || !r.String(s["time_zone"], path + ".time_zone", d.time_zone) ||
        !r.String(s["gap_alert_service"], path + ".gap_alert_service", gap_service)) {
      return;
    }
    if (!gap_service.empty()) {
      if (cfg.services.ByName(gap_service) == nullptr) {
        r.Fail(s["gap_alert_service"], path + ".gap_alert_service",
               "names no configured service ('" + gap_service + "')");
        return;
      }
      cfg.gap_alert_service[d.name] = gap_service;
    }
    if (d.name.empty() || !names.insert(d.name).second) {
      r.Fail(s["name"].IsDefined() ? s["name"] : s, path + ".name", "is required and must be unique");
      return;
    }
    const YAML::Node layers = s["layers"];
    if (!layers.IsDefined() || !layers.IsSequence() || layers.size() == 0) {
      r.Fail(layers.IsDefined() ? layers : s, path + ".layers", "must be a non-empty list");
      return;
    }
    for (size_t l = 0; l < layers.size() && r.ok(); ++l) {
      const std::string lpath = path + ".layers[" + std::to_string(l) + "]";
      oncall::Layer layer;
      if (!r.CheckKeys(layers[l], lpath, {"name", "rotations"}) ||
          !r.String(layers[l]["name"], lpath + ".name", layer.name)) {
        return;
      }
      const YAML::Node rotations = layers[l]["rotations"];
      if (!rotations.IsDefined() || !rotations.IsSequence()) {
        r.Fail(layers[l], lpath + ".rotations", "must be a list");
        return;
      }
      for (size_t k = 0; k < rotations.size() && r.ok(); ++k) {
        const YAML::Node n = rotations[k];
        const std::string rpath = lpath + ".rotations[" + std::to_string(k) + "]";
        oncall::Rotation rot;
        std::string frequency = "weekly";
        uint64_t length = 1;
        if (!r.CheckKeys(n, rpath, {"name", "participants", "frequency", "shift_length", "start", "time_zone",
                                    "restrictions"}) ||
            !r.String(n["name"], rpath + ".name", rot.name) ||
            !r.StringList(n["participants"], rpath + ".participants", rot.participants) ||
            !r.String(n["frequency"], rpath + ".frequency", frequency) ||
            !r.Unsigned(n["shift_length"], rpath + ".shift_length", length, 1, 8784) ||
            !r.String(n["start"], rpath + ".start", rot.start_local) ||
            !r.String(n["time_zone"], rpath + ".time_zone", rot.time_zone) ||
            !r.StringList(n["restrictions"], rpath + ".restrictions", rot.restrictions)) {
          return;
        }
        if (frequency == "hourly") {
          rot.frequency = oncall::Frequency::kHourly;
        } else if (frequency == "daily") {
          rot.frequency = oncall::Frequency::kDaily;
        } else if (frequency == "weekly") {
          rot.frequency = oncall::Frequency::kWeekly;
        } else if (frequency == "custom") {
          rot.frequency = oncall::Frequency::kCustom;
        } else {
          r.Fail(n["frequency"], rpath + ".frequency", "must be hourly, daily, weekly or custom");
          return;
        }
        rot.shift_length = static_cast<int64_t>(length);
        layer.rotations.push_back(std::move(rot));
      }
      d.layers.push_back(std::move(layer));
    }
    const YAML::Node overrides = s["overrides"];
    for (size_t k = 0; r.ok() && overrides.IsDefined() && overrides.IsSequence() && k < overrides.size(); ++k) {
      const YAML::Node n = overrides[k];
      const std::string opath = path + ".overrides[" + std::to_string(k) + "]";
      oncall::Override o;
      std::string start, end, kind = "replace";
      if (!r.CheckKeys(n, opath, {"start", "end", "kind", "user", "replaces"}) ||
          !r.String(n["start"], opath + ".start", start) || !r.String(n["end"], opath + ".end", end) ||
          !r.String(n["kind"], opath + ".kind", kind) || !r.String(n["user"], opath + ".user", o.user) ||
          !r.String(n["replaces"], opath + ".replaces", o.replaced_user)) {
        return;
      }
      auto s_at = core::ParseRfc3339(start);
      auto e_at = core::ParseRfc3339(end);
      if (!s_at.ok()) {
        r.Fail(n, opath + ".start", "must be an RFC 3339 time (2026-12-24T00:00:00Z)");
        return;
      }
      if (!e_at.ok()) {
        r.Fail(n, opath + ".end", "must be an RFC 3339 time (2026-12-27T00:00:00Z)");
        return;
      }
      o.start = s_at.value();
      o.end = e_at.value();
      if (kind == "replace") {
        o.kind = oncall::OverrideKind::kReplace;
      } else if (kind == "add") {
        o.kind = oncall::OverrideKind::kAdd;
      } else if (kind == "remove") {
        o.kind = oncall::OverrideKind::kRemove;
      } else {
        r.Fail(n["kind"], opath + ".kind", "must be replace, add or remove");
        return;
      }
      d.overrides.push_back(std::move(o));
    }
    if (!r.ok()) return;
    auto schedule = oncall::Schedule::Make(std::move(d));
    if (!schedule.ok()) {
      r.Fail(s, path, schedule.error().message + " (at " + schedule.error().field + ")");
      return;
    }
    cfg.schedules.push_back(std::move(schedule).value());
  }
}

// Ownership rules and the impact thresholds severity and priority read.
void ReadOwnership(Reader& r, const YAML::Node& root, Config& cfg) {
  const YAML::Node list = root["ownership"];
  for (size_t i = 0; list.IsDefined() && list.IsSequence() && i < list.size() && r.ok(); ++i) {
    const std::string path = "ownership[" + std::to_string(i) + "]";
    classify::OwnerRule rule;
    if (!r.CheckKeys(list[i], path, {"categories", "services", "team"}) ||
        !r.StringList(list[i]["categories"], path + ".categories", rule.categories) ||
        !r.StringList(list[i]["services"], path + ".services", rule.services) ||
        !r.String(list[i]["team"], path + ".team", rule.team)) {
      return;
    }
    if (rule.team.empty()) {
      r.Fail(list[i], path + ".team", "is required");
      return;
    }
    cfg.classify.owner_rules.push_back(std::move(rule));
  }
  const YAML::Node impact = root["impact"];
  if (impact.IsDefined() && r.CheckKeys(impact, "impact", {"high_customers", "medium_customers"})) {
    r.Unsigned(impact["high_customers"], "impact.high_customers", cfg.classify.high_customers, 1, 10'000'000'000ull) &&
        r.Unsigned(impact["medium_customers"], "impact.medium_customers", cfg.classify.medium_customers, 1,
                   10'000'000'000ull);
  }
}

// Regulatory clocks: the rules file (relative to the configuration file), what the organisation is, reminders.
void ReadRegulatory(Reader& r, const YAML::Node& n, const std::string& config_name, Config& cfg,
                    std::string& rules_text) {
  if (!n.IsDefined() || n.IsNull()) return;
  std::string rules;
  std::vector<std::string> reminders;
  if (!r.CheckKeys(n, "regulatory", {"rules", "entity", "reminders", "time_zone"}) ||
      !r.String(n["time_zone"], "regulatory.time_zone", cfg.classify.time_zone) ||
      !r.String(n["rules"], "regulatory.rules", rules) ||
      !r.StringList(n["entity"], "regulatory.entity", cfg.classify.entity) ||
      !r.StringList(n["reminders"], "regulatory.reminders", reminders)) {
    return;
  }
  if (rules.empty()) {
    r.Fail(n, "regulatory.rules", "is required (the project ships rules/regulatory.yaml)");
    return;
  }
  std::filesystem::path path(rules);
  if (path.is_relative()) path = std::filesystem::path(config_name).parent_path() / path;
  auto regimes = LoadRegimes(path.string());
  if (!regimes.ok()) {
    r.Fail(n["rules"], "regulatory.rules", regimes.error().message);
    return;
  }
  cfg.classify.regimes = std::move(regimes).value();
  bool known_zone = true;
  try {
    (void)date::locate_zone(cfg.classify.time_zone);
  } catch (const std::exception&) {
    known_zone = false;
  }
  if (!known_zone) {
    r.Fail(n["time_zone"], "regulatory.time_zone", "unknown time zone '" + cfg.classify.time_zone + "'");
    return;
  }
  {
    std::ifstream in(path);
    std::stringstream text;
    text << in.rdbuf();
    rules_text = text.str();
  }
  if (n["reminders"].IsDefined()) {
    cfg.classify.reminders.clear();
    for (size_t i = 0; i < reminders.size(); ++i) {
      auto d = reminders[i] == "0" ? core::Result<core::Duration>(core::Duration(0)) : core::ParseDuration(reminders[i]);
      if (!d.ok()) {
        r.Fail(n["reminders"], "regulatory.reminders[" + std::to_string(i) + "]", d.error().message);
        return;
      }
      cfg.classify.reminders.push_back(d.value());
    }
  }
}

// Major-incident criteria and the critical business functions they name.
void ReadMajor(Reader& r, const YAML::Node& root, Config& cfg) {
  if (!r.StringList(root["critical_functions"], "critical_functions", cfg.classify.critical_functions)) return;
  const YAML::Node m = root["major_incident"];
  if (!m.IsDefined() || m.IsNull()) return;
  classify::MajorCriteria c;
  std::string critical = "false";
  if (!r.CheckKeys(m, "major_incident", {"services_affected", "customers_affected", "critical_function_down",
                                          "categories", "policy"}) ||
      !r.Unsigned(m["services_affected"], "major_incident.services_affected", c.services_affected, 0, 100000) ||
      !r.Unsigned(m["customers_affected"], "major_incident.customers_affected", c.customers_affected, 0,
                  10'000'000'000ull) ||
      !r.String(m["critical_function_down"], "major_incident.critical_function_down", critical) ||
      !r.StringList(m["categories"], "major_incident.categories", c.categories) ||
      !r.String(m["policy"], "major_incident.policy", c.policy)) {
    return;
  }
  if (critical != "true" && critical != "false") {
    r.Fail(m["critical_function_down"], "major_incident.critical_function_down", "must be true or false");
    return;
  }
  c.critical_function_down = critical == "true";
  if (!c.policy.empty() && cfg.paging.FindPolicy(c.policy) == nullptr) {
    r.Fail(m["policy"], "major_incident.policy", "no escalation policy named '" + c.policy + "'");
    return;
  }
  if (cfg.taxonomy) {
    for (size_t i = 0; i < c.categories.size(); ++i) {
      if (auto st = cfg.taxonomy->Check(c.categories[i], ""); !st.ok()) {
        r.Fail(m["categories"], "major_incident.categories[" + std::to_string(i) + "]", st.error().message);
        return;
      }
    }
  }
  cfg.classify.major = std::move(c);
}

// Coordination: the channel templates, the status-update cadence per severity, the commander check.
void ReadCoordination(Reader& r, const YAML::Node& n, Config& cfg) {
  if (!n.IsDefined() || n.IsNull()) return;
  if (!r.CheckKeys(n, "coordination", {"channel", "status_updates", "remind_before", "commander"})) return;
  coord::Config& c = cfg.coordination;
  if (!r.Duration(n["remind_before"], "coordination.remind_before", c.remind_before)) return;
  const YAML::Node ch = n["channel"];
  if (ch.IsDefined() && !ch.IsNull()) {
    coord::ChannelTemplate t;
    if (!r.CheckKeys(ch, "coordination.channel", {"chat_name", "chat_url", "bridge", "announce_to"}) ||
        !r.String(ch["chat_name"], "coordination.channel.chat_name", t.chat_name) ||
        !r.String(ch["chat_url"], "coordination.channel.chat_url", t.chat_url) ||
        !r.String(ch["bridge"], "coordination.channel.bridge", t.bridge) ||
        !r.String(ch["announce_to"], "coordination.channel.announce_to", t.announce_to)) {
      return;
    }
    if (t.chat_name.empty()) {
      r.Fail(ch, "coordination.channel.chat_name", "is required (e.g. \"#inc-{{id}}-{{service}}\")");
      return;
    }
    if (!t.announce_to.empty() && cfg.paging.FindPerson(t.announce_to) == nullptr) {
      r.Fail(ch["announce_to"], "coordination.channel.announce_to", "no person named '" + t.announce_to + "' in people");
      return;
    }
    c.channel = std::move(t);
  }
  const YAML::Node updates = n["status_updates"];
  if (updates.IsDefined() && !updates.IsNull()) {
    if (!updates.IsMap()) {
      r.Fail(updates, "coordination.status_updates", "must map a severity (SEV1..SEV5) to an interval");
      return;
    }
    for (const auto& kv : updates) {
      const std::string sev = kv.first.as<std::string>("");
      const std::string path = "coordination.status_updates." + sev;
      if (sev.size() != 4 || sev.substr(0, 3) != "SEV" || sev[3] < '1' || sev[3] > '5') {
        r.Fail(kv.first, path, "severities are SEV1..SEV5");
        return;
      }
      core::Duration every{0};
      if (!r.Duration(kv.second, path, every)) return;
      if (every < std::chrono::minutes(1)) {
        r.Fail(kv.second, path, "must be at least 1m");
        return;
      }
      c.cadence[sev] = every;
    }
  }
  const YAML::Node cmd = n["commander"];
  if (cmd.IsDefined() && !cmd.IsNull()) {
    if (!r.CheckKeys(cmd, "coordination.commander", {"within", "schedule"}) ||
        !r.Duration(cmd["within"], "coordination.commander.within", c.commander_within) ||
        !r.String(cmd["schedule"], "coordination.commander.schedule", c.commander_schedule)) {
      return;
    }
    if (!c.commander_schedule.empty() && cfg.paging.FindSchedule(c.commander_schedule) == nullptr) {
      r.Fail(cmd["schedule"], "coordination.commander.schedule",
             "no schedule named '" + c.commander_schedule + "' in schedules");
    }
  }
}

// Pre-authorised vendors: contacts, the scopes a grant may give (read, log), the longest grant, how to work with them.
void ReadVendors(Reader& r, const YAML::Node& list, Config& cfg) {
  if (!list.IsDefined() || list.IsNull()) return;
  if (!list.IsSequence()) {
    r.Fail(list, "vendors", "must be a list");
    return;
  }
  for (size_t i = 0; i < list.size(); ++i) {
    const std::string path = "vendors[" + std::to_string(i) + "]";
    const YAML::Node n = list[i];
    coord::Vendor v;
    if (!r.CheckKeys(n, path, {"name", "contacts", "scopes", "max_grant", "protocol"}) ||
        !r.String(n["name"], path + ".name", v.name) ||
        !r.StringList(n["contacts"], path + ".contacts", v.contacts) ||
        !r.StringList(n["scopes"], path + ".scopes", v.scopes) ||
        !r.Duration(n["max_grant"], path + ".max_grant", v.max_grant) ||
        !r.String(n["protocol"], path + ".protocol", v.protocol)) {
      return;
    }
    if (v.name.empty() || cfg.coordination.FindVendor(v.name) != nullptr) {
      r.Fail(n, path + ".name", "a vendor needs a unique name");
      return;
    }
    if (v.scopes.empty()) v.scopes = {"read", "log"};
    for (size_t k = 0; k < v.scopes.size(); ++k) {
      if (v.scopes[k] != "read" && v.scopes[k] != "log") {
        r.Fail(n["scopes"], path + ".scopes[" + std::to_string(k) + "]", "scopes are read and log");
        return;
      }
    }
    if (v.max_grant <= core::Duration(0) || v.max_grant > std::chrono::hours(24 * 7)) {
      r.Fail(n["max_grant"], path + ".max_grant", "must be between 1s and 7d");
      return;
    }
    cfg.coordination.vendors.push_back(std::move(v));
  }
}

// Shared responder pools: [{id, name, members, capacity, expectations: {business unit: duration, default: ...}}].
void ReadPools(Reader& r, const YAML::Node& list, Config& cfg) {
  if (!list.IsDefined() || list.IsNull()) return;
  if (!list.IsSequence()) {
    r.Fail(list, "pools", "must be a list of {id, name, members, capacity, expectations}");
    return;
  }
  std::set<std::string> functions;
  for (const auto& facts : cfg.classify.catalogue) functions.insert(facts.business_functions.begin(), facts.business_functions.end());
  for (size_t i = 0; i < list.size() && r.ok(); ++i) {
    const std::string at = "pools[" + std::to_string(i) + "]";
    const YAML::Node n = list[i];
    pools::Pool pool;
    if (!r.CheckKeys(n, at, {"id", "name", "members", "capacity", "expectations"}) ||
        !r.String(n["id"], at + ".id", pool.id) || !r.String(n["name"], at + ".name", pool.name) ||
        !r.StringList(n["members"], at + ".members", pool.members) ||
        !r.Unsigned(n["capacity"], at + ".capacity", pool.capacity, 1, 10000)) {
      return;
    }
    const bool plain = !pool.id.empty() && pool.id.size() <= 200 &&
                       pool.id.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-") ==
                           std::string::npos;
    if (!plain) {
      r.Fail(n["id"], at + ".id", "is required: 1..200 of letters, digits, '.', '_', '-' (it goes in URLs)");
      return;
    }
    if (cfg.pools.Find(pool.id) != nullptr) {
      r.Fail(n["id"], at + ".id", "duplicate pool id '" + pool.id + "'");
      return;
    }
    if (pool.name.empty()) pool.name = pool.id;
    for (size_t k = 0; k < pool.members.size(); ++k) {
      if (cfg.paging.FindPerson(pool.members[k]) == nullptr) {
        r.Fail(n["members"], at + ".members[" + std::to_string(k) + "]",
               "no person named '" + pool.members[k] + "' in people");
        return;
      }
    }
    if (pool.Capacity() == 0) {
      r.Fail(n, at + ".capacity", "is required when the pool has no members (how many incidents it can work at once)");
      return;
    }
    const YAML::Node expect = n["expectations"];
    if (expect.IsDefined() && !expect.IsNull()) {
      if (!expect.IsMap()) {
        r.Fail(expect, at + ".expectations", "must map business units (and default) to response times, like {payments: 15m, default: 1h}");
        return;
      }
      for (const auto& kv : expect) {
        const std::string unit = kv.first.as<std::string>("");
        const std::string path = at + ".expectations." + unit;
        if (unit != "default" && !functions.count(unit)) {
          r.Fail(kv.first, path, "no service supports business function '" + unit +
                                     "' (services[].business_functions); use those, or default");
          return;
        }
        core::Duration d{0};
        if (!r.Duration(kv.second, path, d)) return;
        if (d < std::chrono::minutes(1)) {
          r.Fail(kv.second, path, "must be at least 1m");
          return;
        }
        pool.expectations[unit] = d;
      }
    }
    cfg.pools.pools.push_back(std::move(pool));
  }
}

// The incident taxonomy (categories and the rules that choose them); the default list without rules when absent.
void ReadTaxonomy(Reader& r, const YAML::Node& t, Config& cfg) {
  classify::TaxonomyInput in = classify::DefaultTaxonomy();
  if (t.IsDefined() && !t.IsNull() && r.CheckKeys(t, "taxonomy", {"categories", "rules"})) {
    const YAML::Node cats = t["categories"];
    if (cats.IsDefined()) {
      if (!cats.IsMap()) {
        r.Fail(cats, "taxonomy.categories", "must map categories to lists of subcategories");
        return;
      }
      in.categories.clear();
      for (const auto& kv : cats) {
        std::vector<std::string> subs;
        const std::string name = kv.first.as<std::string>();
        if (!r.StringList(kv.second, "taxonomy.categories." + name, subs)) return;
        in.categories.emplace_back(name, std::move(subs));
      }
    }
    const YAML::Node rules = t["rules"];
    for (size_t i = 0; r.ok() && rules.IsDefined() && i < rules.size(); ++i) {
      const std::string path = "taxonomy.rules[" + std::to_string(i) + "]";
      classify::TaxonomyRule rule;
      if (!r.CheckKeys(rules[i], path, {"name", "category", "subcategory", "matchers", "text"}) ||
          !r.String(rules[i]["name"], path + ".name", rule.name) ||
          !r.String(rules[i]["category"], path + ".category", rule.category) ||
          !r.String(rules[i]["subcategory"], path + ".subcategory", rule.subcategory) ||
          !r.StringList(rules[i]["matchers"], path + ".matchers", rule.matchers) ||
          !r.String(rules[i]["text"], path + ".text", rule.text)) {
        return;
      }
      if (rule.name.empty()) rule.name = "rule " + std::to_string(i + 1);
      in.rules.push_back(std::move(rule));
    }
  }
  if (!r.ok()) return;
  auto taxonomy = classify::Taxonomy::Make(std::move(in));
  if (!taxonomy.ok()) {
    r.Fail(t.IsDefined() ? t : YAML::Node(), "taxonomy" + taxonomy.error().field, taxonomy.error().message);
    return;
  }
  cfg.taxonomy = taxonomy.value();
  cfg.services = incident::Config(cfg.services.services(), cfg.services.flapping(), taxonomy.value());
}

// The service topology: segments, hosts, services' hosts and dependencies, failure rules.
void ReadTopology(Reader& r, const YAML::Node& t, Config& cfg) {
  if (!t.IsDefined() || t.IsNull()) return;
  if (!r.CheckKeys(t, "topology", {"window", "join_while_failing", "host_labels", "segments", "hosts", "services",
                                   "failures"})) {
    return;
  }
  correlate::TopologyConfig& out = cfg.topology;
  if (!r.Duration(t["window"], "topology.window", out.window) ||
      !r.StringList(t["host_labels"], "topology.host_labels", out.host_labels)) {
    return;
  }
  if (t["join_while_failing"].IsDefined()) {
    std::string v = t["join_while_failing"].Scalar();
    if (v != "true" && v != "false") {
      r.Fail(t["join_while_failing"], "topology.join_while_failing", "must be true or false");
      return;
    }
    out.join_while_failing = v == "true";
  }
  auto list = [&](const char* key) -> YAML::Node {
    YAML::Node n = t[key];
    if (!n.IsDefined()) return YAML::Node();
    if (!n.IsNull() && !n.IsSequence()) {
      r.Fail(n, std::string("topology.") + key, "must be a list");
      return YAML::Node();
    }
    return n;
  };
  YAML::Node segments = list("segments");
  for (size_t i = 0; r.ok() && segments.IsSequence() && i < segments.size(); ++i) {
    std::string path = "topology.segments[" + std::to_string(i) + "]";
    correlate::TopologyConfig::Segment seg;
    if (segments[i].IsScalar()) {
      seg.name = segments[i].Scalar();
    } else if (r.CheckKeys(segments[i], path, {"name"})) {
      r.String(segments[i]["name"], path + ".name", seg.name);
    }
    out.segments.push_back(std::move(seg));
  }
  YAML::Node hosts = list("hosts");
  for (size_t i = 0; r.ok() && hosts.IsSequence() && i < hosts.size(); ++i) {
    std::string path = "topology.hosts[" + std::to_string(i) + "]";
    const YAML::Node h = hosts[i];
    correlate::TopologyConfig::Host host;
    if (r.CheckKeys(h, path, {"name", "segment", "aliases"})) {
      r.String(h["name"], path + ".name", host.name) && r.String(h["segment"], path + ".segment", host.segment) &&
          r.StringList(h["aliases"], path + ".aliases", host.aliases);
    }
    out.hosts.push_back(std::move(host));
  }
  YAML::Node services = list("services");
  for (size_t i = 0; r.ok() && services.IsSequence() && i < services.size(); ++i) {
    std::string path = "topology.services[" + std::to_string(i) + "]";
    const YAML::Node s = services[i];
    correlate::TopologyConfig::Service svc;
    if (r.CheckKeys(s, path, {"name", "hosts", "depends_on"})) {
      r.String(s["name"], path + ".name", svc.name) && r.StringList(s["hosts"], path + ".hosts", svc.hosts) &&
          r.StringList(s["depends_on"], path + ".depends_on", svc.depends_on);
    }
    out.services.push_back(std::move(svc));
  }
  YAML::Node failures = list("failures");
  for (size_t i = 0; r.ok() && failures.IsSequence() && i < failures.size(); ++i) {
    std::string path = "topology.failures[" + std::to_string(i) + "]";
    const YAML::Node f = failures[i];
    correlate::TopologyConfig::FailureRule rule;
    std::string kind = "host";
    std::vector<std::string> matchers;
    if (!r.CheckKeys(f, path, {"rule", "kind", "matchers", "node_label"}) ||
        !r.String(f["rule"], path + ".rule", rule.name) || !r.String(f["kind"], path + ".kind", kind) ||
        !r.StringList(f["matchers"], path + ".matchers", matchers) ||
        !r.String(f["node_label"], path + ".node_label", rule.node_label)) {
      return;
    }
    if (kind == "host") {
      rule.kind = correlate::NodeKind::kHost;
    } else if (kind == "segment") {
      rule.kind = correlate::NodeKind::kSegment;
    } else if (kind == "service") {
      rule.kind = correlate::NodeKind::kService;
    } else {
      r.Fail(f["kind"], path + ".kind", "must be host, segment or service");
      return;
    }
    for (size_t m = 0; m < matchers.size(); ++m) {
      auto parsed = core::Matcher::Parse(matchers[m]);
      if (!parsed.ok()) {
        r.Fail(f["matchers"], path + ".matchers[" + std::to_string(m) + "]", parsed.error().message);
        return;
      }
      rule.matchers.push_back(std::move(parsed).value());
    }
    out.failures.push_back(std::move(rule));
  }
  if (!r.ok()) return;
  auto compiled = correlate::Topology::Make(out);
  if (!compiled.ok()) {
    // The message already starts with the key ("topology.hosts[1].segment: ...").
    std::string msg = compiled.error().message;
    auto colon = msg.find(": ");
    r.Fail(t, colon == std::string::npos ? "topology" : msg.substr(0, colon),
           colon == std::string::npos ? msg : msg.substr(colon + 2));
  }
}

}  // namespace

core::Status ParseListen(const std::string& text, std::string& address, uint16_t& port) {
  auto colon = text.rfind(':');
  if (colon == std::string::npos) return core::Invalid("listen must be ADDRESS:PORT, e.g. 127.0.0.1:9797", "listen");
  std::string host = text.substr(0, colon);
  std::string p = text.substr(colon + 1);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  if (host.empty()) host = "127.0.0.1";
  if (p.empty() || p.size() > 5 || p.find_first_not_of("0123456789") != std::string::npos || std::stoul(p) > 65535) {
    return core::Invalid("listen port must be 0..65535", "listen");
  }
  address = host;
  port = static_cast<uint16_t>(std::stoul(p));
  return core::Ok();
}

core::Result<Config> ParseConfig(const std::string& text, const std::string& name, const Getenv& getenv) {
  YAML::Node root;
  try {
    root = YAML::Load(text);
  } catch (const YAML::Exception& e) {
    return core::Invalid(name + ":" + std::to_string(e.mark.line + 1) + ": " + e.msg, "config");
  }
  Config cfg;
  Reader r(name);
  if (!root.IsMap()) return core::Invalid(name + ": the configuration must be a YAML mapping", "config");
  r.CheckKeys(root, "",
              {"listen", "data_dir", "store", "auth", "http", "engine", "services", "alertmanager", "topology", "flapping",
               "schedules", "public_url", "channels", "people", "teams", "escalation_policies", "routing", "drills",
               "delivery", "taxonomy", "critical_functions", "major_incident", "regulatory", "ownership",
               "coordination", "impact", "users", "vendors", "pools", "ui", "cluster"});
  std::string listen = "127.0.0.1:9797";
  if (r.ok()) r.String(root["listen"], "listen", listen);
  if (r.ok()) {
    auto st = ParseListen(listen, cfg.http.address, cfg.http.port);
    if (!st.ok()) r.Fail(root["listen"], "listen", st.error().message);
  }
  if (r.ok()) r.String(root["data_dir"], "data_dir", cfg.data_dir);
  if (r.ok()) r.String(root["store"], "store", cfg.store);
  if (r.ok() && !cfg.store.empty() && cfg.store != "sqlite" && !cfg.store.starts_with("postgres://") &&
      !cfg.store.starts_with("postgresql://")) {
    r.Fail(root["store"], "store", "expected sqlite or a postgres:// URL");
  }
  if (r.ok()) ReadTokens(r, root, getenv, cfg);
  if (r.ok() && root["http"].IsDefined()) {
    const YAML::Node h = root["http"];
    if (r.CheckKeys(h, "http", {"max_body_bytes", "max_json_depth", "max_header_bytes", "request_timeout",
                                 "max_connections", "threads"})) {
      r.Unsigned(h["max_body_bytes"], "http.max_body_bytes", cfg.http.max_body_bytes, 1024, 64ull << 20) &&
          r.Unsigned(h["max_json_depth"], "http.max_json_depth", cfg.http.max_json_depth, 2, 256) &&
          r.Unsigned(h["max_header_bytes"], "http.max_header_bytes", cfg.http.max_header_bytes, 1024, 1 << 20) &&
          r.Duration(h["request_timeout"], "http.request_timeout", cfg.http.request_timeout) &&
          r.Unsigned(h["max_connections"], "http.max_connections", cfg.http.max_connections, 1, 1'000'000) &&
          r.Unsigned(h["threads"], "http.threads", cfg.http.threads, 1, 256);
    }
  }
  if (r.ok() && root["cluster"].IsDefined()) {
    // Several nodes on one PostgreSQL (docs/deploy.md): what a follower does with a request that writes.
    const YAML::Node c = root["cluster"];
    if (r.CheckKeys(c, "cluster", {"forward_writes", "node_url"}) &&
        r.Bool(c["forward_writes"], "cluster.forward_writes", cfg.http.forward_writes) &&
        r.String(c["node_url"], "cluster.node_url", cfg.node_url) && !cfg.node_url.empty() &&
        !cfg.node_url.starts_with("http://")) {
      r.Fail(c["node_url"], "cluster.node_url", "must be an http:// URL (followers forward writes over plain HTTP)");
    }
  }
  if (r.ok() && root["ui"].IsDefined()) {
    // The web UI's sessions (docs/ui.md).
    const YAML::Node u = root["ui"];
    if (r.CheckKeys(u, "ui", {"session_idle", "session_lifetime"}) &&
        r.Duration(u["session_idle"], "ui.session_idle", cfg.http.session_idle) &&
        r.Duration(u["session_lifetime"], "ui.session_lifetime", cfg.http.session_lifetime)) {
      if (cfg.http.session_idle <= core::Duration(0)) {
        r.Fail(u["session_idle"], "ui.session_idle", "must be longer than 0s");
      } else if (cfg.http.session_lifetime <= core::Duration(0)) {
        r.Fail(u["session_lifetime"], "ui.session_lifetime", "must be longer than 0s");
      }
    }
  }
  if (r.ok() && root["engine"].IsDefined()) {
    const YAML::Node e = root["engine"];
    if (r.CheckKeys(e, "engine", {"queue_capacity", "max_batch", "snapshot_every", "snapshot_tail_percent",
                                      "snapshot_min_interval", "verify_on_start"})) {
      std::string verify = "full";
      r.Unsigned(e["queue_capacity"], "engine.queue_capacity", cfg.engine.queue_capacity, 1, 100'000'000) &&
          r.Unsigned(e["max_batch"], "engine.max_batch", cfg.engine.max_batch, 1, 1'000'000) &&
          r.Unsigned(e["snapshot_every"], "engine.snapshot_every", cfg.engine.snapshot_every, 0, 1'000'000'000) &&
          r.Unsigned(e["snapshot_tail_percent"], "engine.snapshot_tail_percent", cfg.engine.snapshot_tail_percent, 0,
                     100'000) &&
          r.Duration(e["snapshot_min_interval"], "engine.snapshot_min_interval", cfg.engine.snapshot_min_interval) &&
          r.String(e["verify_on_start"], "engine.verify_on_start", verify);
      if (r.ok() && verify != "full" && verify != "tail") {
        r.Fail(e["verify_on_start"], "engine.verify_on_start", "must be full or tail");
      }
      cfg.engine.verify_full_chain = verify == "full";
    }
  }
  if (r.ok()) ReadServices(r, root["services"], cfg);
  if (r.ok()) ReadAlertmanager(r, root["alertmanager"], cfg);
  if (r.ok()) ReadTopology(r, root["topology"], cfg);
  if (r.ok()) ReadFlapping(r, root["flapping"], cfg);
  if (r.ok()) ReadSchedules(r, root["schedules"], cfg);
  if (r.ok()) ReadPaging(r, root, getenv, cfg);
  if (r.ok()) ReadUsers(r, root, cfg);
  if (r.ok()) ReadTaxonomy(r, root["taxonomy"], cfg);
  if (r.ok()) ReadMajor(r, root, cfg);
  if (r.ok()) ReadCoordination(r, root["coordination"], cfg);
  if (r.ok()) ReadVendors(r, root["vendors"], cfg);
  if (r.ok()) ReadPools(r, root["pools"], cfg);
  // Who may command an incident: users with the commander or admin role (anyone when no users are configured).
  for (const auto& u : cfg.http.users) {
    if (u.role == "commander" || u.role == "admin") cfg.coordination.commanders.insert(u.name);
  }
  std::string rules_text;
  if (r.ok()) ReadRegulatory(r, root["regulatory"], name, cfg, rules_text);
  if (r.ok()) ReadOwnership(r, root, cfg);
  if (!r.ok()) return core::Invalid(r.error(), "config");
  cfg.digests = SectionDigests(text, rules_text);
  return cfg;
}

core::Result<Config> LoadConfig(const std::string& path, const Getenv& getenv) {
  std::ifstream in(path);
  if (!in) return core::Invalid("cannot read configuration file " + path, "config");
  std::stringstream ss;
  ss << in.rdbuf();
  return ParseConfig(ss.str(), path, getenv);
}

}  // namespace app
