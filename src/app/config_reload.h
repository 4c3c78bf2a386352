// Configuration reload: which sections of a freshly read configuration differ from those in force, and the engine
// command that journals the change and puts the settings that can change live into force.
#pragma once

#include <map>
#include <string>

#include "app/config.h"
#include "engine/command.h"

namespace app {

// Digest (SHA-256, hex) of each section of a configuration text: every top-level key, and for each service
// "services/<name>/catalogue" (SLOs, owner, business functions, customers, jurisdictions, data),
// "services/<name>/paging" (time zone, business hours, criticality) and "services/<name>" (the rest: grouping and
// deduplication), and "regulatory/rules_file" for the rules file's content. ParseConfig fills Config::digests.
std::map<std::string, std::string> SectionDigests(const std::string& text, const std::string& rules_file_text);

// The change from the sections in force (as journaled) to `fresh`. At start everything is in force already (the
// engine was given `fresh`); on reload the classification settings (service catalogue, SLOs, major-incident
// criteria, regulatory, ownership, impact) and the paging settings (people, teams, escalation policies, routing,
// drills, services' business hours and criticality) take effect now, the paging ones only while the schedules and
// channels are unchanged; the topology is journaled on its own; everything else needs a restart, and says so.
engine::ReloadConfig PlanReload(const std::map<std::string, std::string>& in_force, Config& fresh, bool at_start);

}  // namespace app
