#include "app/regulatory_rules.h"

#include <yaml-cpp/yaml.h>

#include <fstream>
#include <sstream>

#include "app/config_reader.h"

namespace app {
namespace {

bool ReadStage(Reader& r, const YAML::Node& n, const std::string& path, classify::Stage& s) {
  std::string anchor, outer;
  if (!r.CheckKeys(n, path, {"id", "name", "anchor", "hours", "calendar_days", "us_business_days", "months",
                             "without_undue_delay", "outer_anchor", "outer_hours", "required_fields",
                             "weekend_rule"}) ||
      !r.String(n["id"], path + ".id", s.id) || !r.String(n["name"], path + ".name", s.name) ||
      !r.String(n["anchor"], path + ".anchor", anchor) || !r.String(n["outer_anchor"], path + ".outer_anchor", outer) ||
      !r.Unsigned(n["outer_hours"], path + ".outer_hours", s.outer_hours, 0, 100000) ||
      !r.StringList(n["required_fields"], path + ".required_fields", s.required_fields)) {
    return false;
  }
  const YAML::Node weekend = n["weekend_rule"];
  if (weekend.IsDefined() && !weekend.IsNull()) {
    std::string move;
    if (!r.CheckKeys(weekend, path + ".weekend_rule", {"move_to", "excluded_entities"}) ||
        !r.String(weekend["move_to"], path + ".weekend_rule.move_to", move) ||
        !r.StringList(weekend["excluded_entities"], path + ".weekend_rule.excluded_entities", s.weekend_excluded)) {
      return false;
    }
    if (move != "next_working_day_noon") {
      return r.Fail(weekend, path + ".weekend_rule.move_to", "the one rule known is next_working_day_noon");
    }
    s.weekend_to_noon = true;
  }
  auto a = classify::ParseAnchor(anchor);
  if (!a) return r.Fail(n["anchor"].IsDefined() ? n["anchor"] : n, path + ".anchor", "unknown anchor '" + anchor + "'");
  s.anchor = *a;
  if (!outer.empty()) {
    auto o = classify::ParseAnchor(outer);
    if (!o) return r.Fail(n["outer_anchor"], path + ".outer_anchor", "unknown anchor '" + outer + "'");
    s.outer_anchor = *o;
  }
  int units = 0;
  for (classify::Unit u : {classify::Unit::kHours, classify::Unit::kCalendarDays, classify::Unit::kUsBusinessDays,
                           classify::Unit::kMonths}) {
    const char* key = u == classify::Unit::kHours ? "hours" : classify::ToString(u);
    if (!n[key].IsDefined()) continue;
    ++units;
    s.unit = u;
    if (!r.Unsigned(n[key], path + "." + key, s.amount, 1, 100000)) return false;
  }
  if (n["without_undue_delay"].IsDefined()) {
    std::string v;
    r.String(n["without_undue_delay"], path + ".without_undue_delay", v);
    if (v != "true") return r.Fail(n["without_undue_delay"], path + ".without_undue_delay", "must be true when given");
    ++units;
    s.unit = classify::Unit::kUndueDelay;
  }
  if (units != 1) {
    return r.Fail(n, path, "give exactly one of hours, calendar_days, us_business_days, months, without_undue_delay");
  }
  return true;
}

}  // namespace

core::Result<std::vector<classify::Regime>> ParseRegimes(const std::string& text, const std::string& name) {
  YAML::Node root;
  try {
    root = YAML::Load(text);
  } catch (const YAML::Exception& e) {
    return core::Invalid(name + ":" + std::to_string(e.mark.line + 1) + ": " + e.msg, "rules");
  }
  Reader r(name);
  std::vector<classify::Regime> out;
  if (r.CheckKeys(root, "", {"regimes"})) {
    const YAML::Node list = root["regimes"];
    if (!list.IsSequence()) r.Fail(list, "regimes", "must be a list");
    for (size_t i = 0; r.ok() && i < list.size(); ++i) {
      const YAML::Node n = list[i];
      const std::string path = "regimes[" + std::to_string(i) + "]";
      classify::Regime g;
      if (!r.CheckKeys(n, path, {"id", "name", "source", "effective", "confidence", "scope", "stages"}) ||
          !r.String(n["id"], path + ".id", g.id) || !r.String(n["name"], path + ".name", g.name) ||
          !r.String(n["source"], path + ".source", g.source) ||
          !r.String(n["effective"], path + ".effective", g.effective) ||
          !r.String(n["confidence"], path + ".confidence", g.confidence)) {
        break;
      }
      const YAML::Node scope = n["scope"];
      if (scope.IsDefined()) {
        std::string spath = path + ".scope";
        if (!r.CheckKeys(scope, spath, {"jurisdictions", "data", "entity", "categories", "major", "breach",
                                        "material", "high_risk"}) ||
            !r.StringList(scope["jurisdictions"], spath + ".jurisdictions", g.scope.jurisdictions) ||
            !r.StringList(scope["data"], spath + ".data", g.scope.data) ||
            !r.StringList(scope["entity"], spath + ".entity", g.scope.entity) ||
            !r.StringList(scope["categories"], spath + ".categories", g.scope.categories)) {
          break;
        }
        for (auto [key, flag] : {std::pair{"major", &g.scope.major}, std::pair{"breach", &g.scope.breach},
                                 std::pair{"material", &g.scope.material},
                                 std::pair{"high_risk", &g.scope.high_risk}}) {
          if (!scope[key].IsDefined()) continue;
          std::string v;
          r.String(scope[key], spath + "." + key, v);
          if (v != "true" && v != "false") {
            r.Fail(scope[key], spath + "." + key, "must be true or false");
            break;
          }
          *flag = v == "true";
        }
      }
      const YAML::Node stages = n["stages"];
      if (!stages.IsSequence()) {
        r.Fail(stages.IsDefined() ? stages : n, path + ".stages", "must be a list");
        break;
      }
      for (size_t k = 0; r.ok() && k < stages.size(); ++k) {
        classify::Stage s;
        if (ReadStage(r, stages[k], path + ".stages[" + std::to_string(k) + "]", s)) g.stages.push_back(std::move(s));
      }
      out.push_back(std::move(g));
    }
  }
  if (!r.ok()) return core::Invalid(r.error(), "rules");
  if (auto st = classify::Validate(out); !st.ok()) {
    return core::Invalid(name + ": regimes" + st.error().field + ": " + st.error().message, "rules");
  }
  return out;
}

core::Result<std::vector<classify::Regime>> LoadRegimes(const std::string& path) {
  std::ifstream in(path);
  if (!in) return core::Invalid("cannot read " + path, "rules");
  std::stringstream ss;
  ss << in.rdbuf();
  return ParseRegimes(ss.str(), path);
}

}  // namespace app
