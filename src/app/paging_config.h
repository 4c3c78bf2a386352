// Loading the paging keys of the configuration: channels, people, teams, escalation_policies, routing, drills,
// delivery and public_url. Internal to app/ (config.cpp calls it).
#pragma once

#include <yaml-cpp/yaml.h>

#include "app/config.h"
#include "app/config_reader.h"

namespace app {

// The services' paging keys (time_zone, business_hours, criticality) of services[i].
void ReadServicePaging(Reader& r, const YAML::Node& service, const std::string& path, const std::string& name,
                       Config& cfg);
// Everything else; call after the services and schedules are read.
void ReadPaging(Reader& r, const YAML::Node& root, const Getenv& getenv, Config& cfg);

}  // namespace app
