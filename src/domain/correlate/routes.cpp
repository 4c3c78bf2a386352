#include "domain/correlate/routes.h"

#include <algorithm>
#include <cctype>

namespace correlate {

const Route* Config::Match(const core::LabelSet& labels) const {
  for (const auto& route : routes) {
    bool all = std::all_of(route.matchers.begin(), route.matchers.end(),
                           [&](const core::Matcher& m) { return m.Matches(labels); });
    if (all) return &route;
  }
  return nullptr;
}

std::vector<std::string> Config::Receivers() const {
  std::vector<std::string> out;
  for (const auto& route : routes) {
    if (std::find(out.begin(), out.end(), route.service) == out.end()) out.push_back(route.service);
  }
  return out;
}

std::string GroupKey(const Route& route, const core::LabelSet& labels) {
  if (route.group_by.size() == 1 && route.group_by[0] == "...") return labels.ToString();
  std::string key;
  for (const auto& name : route.group_by) {
    // As Alertmanager: a label the alert lacks is not part of its group.
    if (labels.Get(name).empty()) continue;
    if (!key.empty()) key += ", ";
    key += name;
    key += "=\"";
    key += labels.Get(name);
    key += '"';
  }
  return key;
}

ingest::Severity SeverityFromLabel(std::string_view value, ingest::Severity fallback) {
  std::string v(value);
  std::transform(v.begin(), v.end(), v.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  if (v == "critical" || v == "page" || v == "p1" || v == "fatal" || v == "emergency") {
    return ingest::Severity::kCritical;
  }
  if (v == "error" || v == "high" || v == "major" || v == "p2") return ingest::Severity::kError;
  if (v == "warning" || v == "warn" || v == "medium" || v == "minor" || v == "p3") return ingest::Severity::kWarning;
  if (v == "info" || v == "low" || v == "none" || v == "p4" || v == "p5") return ingest::Severity::kInfo;
  return fallback;
}

}  // namespace correlate
