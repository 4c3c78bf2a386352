#include "app/config_reload.h"

#include <yaml-cpp/yaml.h>

#include <set>

#include "http/auth.h"

namespace app {
namespace {

std::string Digest(const std::string& text) {
  static constexpr char kHex[] = "0123456789abcdef";
  const http::TokenHash h = http::HashToken(text);
  std::string out;
  for (uint8_t b : h) {
    out += kHex[b >> 4];
    out += kHex[b & 15];
  }
  return out;
}

std::string Emit(const YAML::Node& n) {
  YAML::Emitter e;
  e << n;
  return e.c_str();
}

const std::set<std::string> kCatalogueKeys = {"slos",          "owner_team", "business_functions", "customers",
                                             "jurisdictions", "data",       "regions"};
const std::set<std::string> kServicePagingKeys = {"time_zone", "business_hours", "criticality"};
const std::set<std::string> kClassifySections = {"critical_functions", "major_incident", "regulatory",
                                                 "regulatory/rules_file", "ownership", "impact"};
const std::set<std::string> kPagingSections = {"people", "teams", "escalation_policies", "routing", "drills"};

enum class Effect { kClassify, kPaging, kTopology, kRestart };

Effect EffectOf(const std::string& section) {
  if (kClassifySections.count(section)) return Effect::kClassify;
  if (kPagingSections.count(section)) return Effect::kPaging;
  if (section == "topology") return Effect::kTopology;
  if (section.starts_with("services/")) {
    if (section.ends_with("/catalogue")) return Effect::kClassify;
    if (section.ends_with("/paging")) return Effect::kPaging;
  }
  return Effect::kRestart;
}

}  // namespace

std::map<std::string, std::string> SectionDigests(const std::string& text, const std::string& rules_file_text) {
  std::map<std::string, std::string> out;
  YAML::Node root;
  try {
    root = YAML::Load(text);
  } catch (const YAML::Exception&) {
    return out;  // ParseConfig refused it already
  }
  if (!root.IsMap()) return out;
  for (const auto& kv : root) {
    const std::string key = kv.first.as<std::string>("");
    if (key != "services") {
      out[key] = Digest(Emit(kv.second));
      continue;
    }
    if (!kv.second.IsSequence()) continue;
    for (const auto& svc : kv.second) {
      if (!svc.IsMap()) continue;
      const std::string name = svc["name"].as<std::string>("");
      YAML::Node catalogue(YAML::NodeType::Map), paging(YAML::NodeType::Map), rest(YAML::NodeType::Map);
      for (const auto& field : svc) {
        const std::string f = field.first.as<std::string>("");
        YAML::Node& into = kCatalogueKeys.count(f) ? catalogue : kServicePagingKeys.count(f) ? paging : rest;
        into[f] = field.second;
      }
      out["services/" + name] = Digest(Emit(rest));
      if (catalogue.size() > 0) out["services/" + name + "/catalogue"] = Digest(Emit(catalogue));
      if (paging.size() > 0) out["services/" + name + "/paging"] = Digest(Emit(paging));
    }
  }
  if (!rules_file_text.empty()) out["regulatory/rules_file"] = Digest(rules_file_text);
  return out;
}

engine::ReloadConfig PlanReload(const std::map<std::string, std::string>& in_force, Config& fresh, bool at_start) {
  engine::ReloadConfig cmd;
  cmd.digests = fresh.digests;
  // Each changed section: added, removed or changed.
  std::vector<std::pair<std::string, std::string>> diffs;
  for (const auto& [section, digest] : fresh.digests) {
    auto it = in_force.find(section);
    if (it == in_force.end()) {
      diffs.emplace_back(section, "added");
    } else if (it->second != digest) {
      diffs.emplace_back(section, "changed");
    }
  }
  for (const auto& [section, digest] : in_force) {
    if (!fresh.digests.count(section)) diffs.emplace_back(section, "removed");
  }
  std::sort(diffs.begin(), diffs.end());
  if (diffs.empty()) return cmd;
  if (at_start && in_force.empty()) {
    // The first start: one line, not one per section (the digests say what was in force).
    cmd.changes.push_back("first configuration: " + std::to_string(fresh.digests.size()) + " sections in force");
    return cmd;
  }

  bool classify = false, paging = false, paging_blocked = false;
  for (const auto& [section, how] : diffs) {
    if (section == "schedules" || section == "channels") paging_blocked = true;
  }
  for (const auto& [section, how] : diffs) {
    std::string effect;
    if (at_start) {
      effect = "in force since start";
    } else {
      switch (EffectOf(section)) {
        case Effect::kClassify:
          classify = true;
          effect = "in force now";
          break;
        case Effect::kPaging:
          if (paging_blocked) {
            effect = "takes effect at restart (schedules or channels changed too)";
          } else {
            paging = true;
            effect = "in force now";
          }
          break;
        case Effect::kTopology:
          effect = "in force now (topology.saved)";
          break;
        case Effect::kRestart:
          effect = "takes effect at restart";
          break;
      }
    }
    cmd.changes.push_back(section + " " + how + ": " + effect);
  }
  if (classify) cmd.classify = std::make_shared<const classify::Config>(std::move(fresh.classify));
  if (paging) cmd.paging = std::make_shared<const escalation::Config>(std::move(fresh.paging));
  return cmd;
}

}  // namespace app
