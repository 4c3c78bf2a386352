#include "app/paging_config.h"

#include <set>

namespace app {
namespace {

bool ReadSecret(Reader& r, const YAML::Node& n, const std::string& path, const std::string& key,
                const Getenv& getenv, std::string& out) {
  std::string plain, env;
  if (!r.String(n[key], path + "." + key, plain) || !r.String(n[key + "_env"], path + "." + key + "_env", env)) {
    return false;
  }
  if (!plain.empty() && !env.empty()) return r.Fail(n[key], path + "." + key, "give " + key + " or " + key + "_env, not both");
  if (!env.empty()) {
    const char* v = getenv(env.c_str());
    if (v == nullptr || *v == '\0') {
      return r.Fail(n[key + "_env"], path + "." + key + "_env", "environment variable " + env + " is not set");
    }
    out = v;
  } else {
    out = plain;
  }
  return true;
}

// channels: {name: {type, url, ...}} (docs/channels.md).
void ReadChannels(Reader& r, const YAML::Node& map, const Getenv& getenv, Config& cfg) {
  if (!map.IsDefined() || map.IsNull()) return;
  if (!map.IsMap()) {
    r.Fail(map, "channels", "must map channel names to their settings");
    return;
  }
  for (const auto& kv : map) {
    if (!r.ok()) return;
    const YAML::Node n = kv.second;
    channels::ChannelConfig c;
    c.name = kv.first.as<std::string>();
    const std::string path = "channels." + c.name;
    std::string type;
    core::Duration timeout = std::chrono::seconds(10);
    if (!r.CheckKeys(n, path, {"type", "url", "secret", "secret_env", "template", "headers", "from", "username",
                               "password", "password_env", "ca_file", "timeout"}) ||
        !r.String(n["type"], path + ".type", type) || !r.String(n["url"], path + ".url", c.url) ||
        !ReadSecret(r, n, path, "secret", getenv, c.secret) ||
        !r.String(n["template"], path + ".template", c.body_template) || !r.String(n["from"], path + ".from", c.from) ||
        !r.String(n["username"], path + ".username", c.username) ||
        !ReadSecret(r, n, path, "password", getenv, c.password) ||
        !r.String(n["ca_file"], path + ".ca_file", c.ca_file) || !r.Duration(n["timeout"], path + ".timeout", timeout)) {
      return;
    }
    c.timeout = std::chrono::duration_cast<std::chrono::milliseconds>(timeout);
    if (type == "webhook") {
      c.type = channels::ChannelType::kWebhook;
    } else if (type == "email") {
      c.type = channels::ChannelType::kEmail;
    } else if (type == "chat") {
      c.type = channels::ChannelType::kChat;
    } else {
      r.Fail(n["type"].IsDefined() ? n["type"] : n, path + ".type", "must be webhook, email or chat");
      return;
    }
    const YAML::Node headers = n["headers"];
    if (headers.IsDefined() && !headers.IsNull()) {
      if (!headers.IsMap()) {
        r.Fail(headers, path + ".headers", "must be a mapping of header names to values");
        return;
      }
      for (const auto& h : headers) {
        if (!h.second.IsScalar()) {
          r.Fail(h.second, path + ".headers", "header values must be strings");
          return;
        }
        c.headers[h.first.as<std::string>()] = h.second.Scalar();
      }
    }
    if (c.name.empty() || c.name.find_first_of(" \t:/") != std::string::npos) {
      r.Fail(kv.first, path, "a channel name is a non-empty word");
      return;
    }
    if (auto st = channels::ValidateChannel(c); !st.ok()) {
      std::string field = st.error().field.empty() ? "" : "." + st.error().field;
      r.Fail(n, path + field, st.error().message);
      return;
    }
    cfg.channels.push_back(std::move(c));
  }
}

void ReadPeople(Reader& r, const YAML::Node& list, escalation::ConfigInput& in) {
  if (!list.IsDefined() || list.IsNull()) return;
  if (!list.IsSequence()) {
    r.Fail(list, "people", "must be a list");
    return;
  }
  for (size_t i = 0; i < list.size() && r.ok(); ++i) {
    const YAML::Node n = list[i];
    const std::string path = "people[" + std::to_string(i) + "]";
    escalation::Person p;
    if (!r.CheckKeys(n, path, {"name", "contacts"}) || !r.String(n["name"], path + ".name", p.name)) return;
    const YAML::Node contacts = n["contacts"];
    if (!contacts.IsDefined() || !contacts.IsSequence()) {
      r.Fail(contacts.IsDefined() ? contacts : n, path + ".contacts", "must be a list of {channel, address, delay}");
      return;
    }
    for (size_t k = 0; k < contacts.size() && r.ok(); ++k) {
      const std::string cpath = path + ".contacts[" + std::to_string(k) + "]";
      escalation::Contact c;
      if (!r.CheckKeys(contacts[k], cpath, {"channel", "address", "delay"}) ||
          !r.String(contacts[k]["channel"], cpath + ".channel", c.channel) ||
          !r.String(contacts[k]["address"], cpath + ".address", c.address) ||
          !r.Duration(contacts[k]["delay"], cpath + ".delay", c.delay)) {
        return;
      }
      p.contacts.push_back(std::move(c));
    }
    in.people.push_back(std::move(p));
  }
}

void ReadPolicies(Reader& r, const YAML::Node& list, escalation::ConfigInput& in) {
  if (!list.IsDefined() || list.IsNull()) return;
  if (!list.IsSequence()) {
    r.Fail(list, "escalation_policies", "must be a list");
    return;
  }
  for (size_t i = 0; i < list.size() && r.ok(); ++i) {
    const YAML::Node n = list[i];
    const std::string path = "escalation_policies[" + std::to_string(i) + "]";
    escalation::Policy p;
    if (!r.CheckKeys(n, path, {"name", "steps", "repeat", "repeat_delay"}) ||
        !r.String(n["name"], path + ".name", p.name) || !r.Unsigned(n["repeat"], path + ".repeat", p.repeat, 0, 20) ||
        !r.Duration(n["repeat_delay"], path + ".repeat_delay", p.repeat_delay)) {
      return;
    }
    const YAML::Node steps = n["steps"];
    if (!steps.IsDefined() || !steps.IsSequence()) {
      r.Fail(steps.IsDefined() ? steps : n, path + ".steps", "must be a list of {delay, targets}");
      return;
    }
    for (size_t k = 0; k < steps.size() && r.ok(); ++k) {
      const std::string spath = path + ".steps[" + std::to_string(k) + "]";
      escalation::Step s;
      std::vector<std::string> targets;
      if (!r.CheckKeys(steps[k], spath, {"delay", "targets"}) ||
          !r.Duration(steps[k]["delay"], spath + ".delay", s.delay) ||
          !r.StringList(steps[k]["targets"], spath + ".targets", targets)) {
        return;
      }
      for (size_t t = 0; t < targets.size(); ++t) {
        auto target = escalation::ParseTarget(targets[t]);
        if (!target.ok()) {
          r.Fail(steps[k]["targets"], spath + ".targets[" + std::to_string(t) + "]", target.error().message);
          return;
        }
        s.targets.push_back(std::move(target).value());
      }
      p.steps.push_back(std::move(s));
    }
    in.policies.push_back(std::move(p));
  }
}

void ReadRouting(Reader& r, const YAML::Node& list, escalation::ConfigInput& in) {
  if (!list.IsDefined() || list.IsNull()) return;
  if (!list.IsSequence()) {
    r.Fail(list, "routing", "must be a list");
    return;
  }
  for (size_t i = 0; i < list.size() && r.ok(); ++i) {
    const YAML::Node n = list[i];
    const std::string path = "routing[" + std::to_string(i) + "]";
    escalation::RouteRule rule;
    std::string hours = "any";
    if (!r.CheckKeys(n, path, {"name", "services", "severities", "categories", "criticalities", "hours", "policy"}) ||
        !r.String(n["name"], path + ".name", rule.name) ||
        !r.StringList(n["services"], path + ".services", rule.services) ||
        !r.StringList(n["severities"], path + ".severities", rule.severities) ||
        !r.StringList(n["categories"], path + ".categories", rule.categories) ||
        !r.StringList(n["criticalities"], path + ".criticalities", rule.criticalities) ||
        !r.String(n["hours"], path + ".hours", hours) || !r.String(n["policy"], path + ".policy", rule.policy)) {
      return;
    }
    if (hours == "any") {
      rule.hours = escalation::Hours::kAny;
    } else if (hours == "business") {
      rule.hours = escalation::Hours::kBusiness;
    } else if (hours == "off") {
      rule.hours = escalation::Hours::kOffHours;
    } else {
      r.Fail(n["hours"], path + ".hours", "must be any, business or off");
      return;
    }
    if (rule.name.empty()) rule.name = "rule " + std::to_string(i + 1);
    in.routes.push_back(std::move(rule));
  }
}

void ReadDrills(Reader& r, const YAML::Node& list, escalation::ConfigInput& in) {
  if (!list.IsDefined() || list.IsNull()) return;
  if (!list.IsSequence()) {
    r.Fail(list, "drills", "must be a list");
    return;
  }
  for (size_t i = 0; i < list.size() && r.ok(); ++i) {
    const YAML::Node n = list[i];
    const std::string path = "drills[" + std::to_string(i) + "]";
    escalation::Drill d;
    if (!r.CheckKeys(n, path, {"name", "service", "time_zone", "start", "rrule", "sla", "report_service",
                               "severity"}) ||
        !r.String(n["name"], path + ".name", d.name) || !r.String(n["service"], path + ".service", d.service) ||
        !r.String(n["time_zone"], path + ".time_zone", d.when.time_zone) ||
        !r.String(n["start"], path + ".start", d.when.start_local) ||
        !r.String(n["rrule"], path + ".rrule", d.when.rrule) || !r.Duration(n["sla"], path + ".sla", d.sla) ||
        !r.String(n["report_service"], path + ".report_service", d.report_service) ||
        !r.String(n["severity"], path + ".severity", d.severity)) {
      return;
    }
    in.drills.push_back(std::move(d));
  }
}

}  // namespace

void ReadServicePaging(Reader& r, const YAML::Node& s, const std::string& path, const std::string& name,
                       Config& cfg) {
  if (!s["time_zone"].IsDefined() && !s["business_hours"].IsDefined() && !s["criticality"].IsDefined()) return;
  escalation::ServicePaging p;
  p.service = name;
  if (!r.String(s["time_zone"], path + ".time_zone", p.time_zone) ||
      !r.StringList(s["business_hours"], path + ".business_hours", p.business_hours) ||
      !r.String(s["criticality"], path + ".criticality", p.criticality)) {
    return;
  }
  cfg.paging_input.services.push_back(std::move(p));
}

void ReadPaging(Reader& r, const YAML::Node& root, const Getenv& getenv, Config& cfg) {
  if (r.ok()) r.String(root["public_url"], "public_url", cfg.public_url);
  if (r.ok()) ReadChannels(r, root["channels"], getenv, cfg);
  if (r.ok()) ReadPeople(r, root["people"], cfg.paging_input);
  if (r.ok() && root["teams"].IsDefined() && !root["teams"].IsNull()) {
    const YAML::Node teams = root["teams"];
    if (!teams.IsMap()) {
      r.Fail(teams, "teams", "must map team names to lists of people");
    } else {
      for (const auto& kv : teams) {
        std::vector<std::string> members;
        const std::string name = kv.first.as<std::string>();
        if (!r.StringList(kv.second, "teams." + name, members)) break;
        cfg.paging_input.teams[name] = std::move(members);
      }
    }
  }
  if (r.ok()) ReadPolicies(r, root["escalation_policies"], cfg.paging_input);
  if (r.ok()) ReadRouting(r, root["routing"], cfg.paging_input);
  if (r.ok()) ReadDrills(r, root["drills"], cfg.paging_input);
  if (r.ok() && root["delivery"].IsDefined()) {
    const YAML::Node d = root["delivery"];
    auto& in = cfg.paging_input;
    if (r.CheckKeys(d, "delivery", {"workers", "retry_base", "retry_cap", "give_up_after", "ack_link_ttl",
                                    "ack_secret_env"})) {
      r.Unsigned(d["workers"], "delivery.workers", cfg.delivery.workers, 1, 64) &&
          r.Duration(d["retry_base"], "delivery.retry_base", in.retry_base) &&
          r.Duration(d["retry_cap"], "delivery.retry_cap", in.retry_cap) &&
          r.Duration(d["give_up_after"], "delivery.give_up_after", in.give_up_after) &&
          r.Duration(d["ack_link_ttl"], "delivery.ack_link_ttl", cfg.delivery.ack_link_ttl) &&
          r.String(d["ack_secret_env"], "delivery.ack_secret_env", cfg.delivery.ack_secret_env);
      if (r.ok() && (in.retry_base < std::chrono::seconds(1) || in.retry_cap < in.retry_base ||
                     in.give_up_after < in.retry_cap)) {
        r.Fail(d, "delivery", "need 1s <= retry_base <= retry_cap <= give_up_after");
      }
    }
  }
  if (!r.ok()) return;
  escalation::ConfigInput in = cfg.paging_input;
  in.schedules = cfg.schedules;
  for (const auto& c : cfg.channels) in.channels.push_back(c.name);
  for (const auto& s : cfg.services.services()) in.known_services.push_back(s.name);
  auto made = escalation::Config::Make(std::move(in));
  if (!made.ok()) {
    // The domain names the field as a path ("/escalation_policies/night/steps/1/targets/0").
    std::string top = made.error().field.substr(1, made.error().field.find('/', 1) - 1);
    r.Fail(root[top].IsDefined() ? root[top] : root, made.error().field, made.error().message);
    return;
  }
  cfg.paging = std::move(made).value();
}

}  // namespace app
