#include "domain/incident/config.h"

namespace incident {

const ServiceConfig* Config::ByRoutingKey(std::string_view key) const {
  for (const auto& s : services_) {
    for (const auto& k : s.routing_keys) {
      if (k == key) return &s;
    }
  }
  return nullptr;
}

const ServiceConfig* Config::ByName(std::string_view name) const {
  for (const auto& s : services_) {
    if (s.name == name) return &s;
  }
  return nullptr;
}

bool IsGroupField(std::string_view name) {
  return name == "dedup_key" || name == "source" || name == "component" || name == "group" || name == "class" ||
         name == "severity";
}

}  // namespace incident
