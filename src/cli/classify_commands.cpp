// incidentctl's classification commands: reclassifying an incident, and the taxonomy with its usage.
#include <boost/json.hpp>

#include <cstdio>
#include <ostream>

#include "cli/call.h"
#include "cli/commands.h"
#include "cli/format.h"

namespace cli {

int Reclassify(Transport& transport, uint64_t id, const std::string& category, const std::string& subcategory,
               const std::string& reason, Console console) {
  boost::json::object body{{"category", category}};
  if (!subcategory.empty()) body["subcategory"] = subcategory;
  if (!reason.empty()) body["reason"] = reason;
  Reply reply = Call(transport,
                     Request{"POST", "/api/v1/incidents/" + std::to_string(id) + "/reclassify",
                             boost::json::serialize(body)},
                     console);
  if (reply.exit_code != kExitOk) return reply.exit_code;
  console.out << "incident " << id << " is now " << category << (subcategory.empty() ? "" : "/" + subcategory)
              << "\n";
  return kExitOk;
}

int ShowTaxonomyUsage(Transport& transport, bool json, Console console) {
  Reply reply = Call(transport, Request{"GET", "/api/v1/taxonomy/usage", ""}, console);
  if (reply.exit_code != kExitOk) return reply.exit_code;
  if (json) {
    PrintJson(reply.body, console);
    return kExitOk;
  }
  std::vector<std::vector<std::string>> rows{{"CATEGORY", "INCIDENTS", "SHARE", "RECLASSIFIED AWAY", "RECLASSIFIED TO"}};
  for (const auto& c : ArrayField(reply.body, "categories")) {
    const auto* share = c.as_object().if_contains("share");
    char pct[16];
    std::snprintf(pct, sizeof pct, "%.0f%%", share != nullptr && share->is_double() ? share->as_double() * 100 : 0.0);
    std::string name = Text(c, "category");
    rows.push_back({name == "-" ? "(unclassified)" : name, Text(c, "assigned"), pct, Text(c, "reclassified_from"),
                    Text(c, "reclassified_to")});
  }
  console.out << RenderTable(rows);
  return kExitOk;
}

int AssignOwner(Transport& transport, uint64_t id, const std::string& team, const std::string& reason,
                Console console) {
  boost::json::object body{{"team", team}};
  if (!reason.empty()) body["reason"] = reason;
  Reply reply = Call(transport,
                     Request{"POST", "/api/v1/incidents/" + std::to_string(id) + "/owner", boost::json::serialize(body)},
                     console);
  if (reply.exit_code != kExitOk) return reply.exit_code;
  console.out << "incident " << id << " is now owned by " << team << "\n";
  return kExitOk;
}

int ShowClassification(Transport& transport, uint64_t id, bool json, Console console) {
  Reply reply = Call(transport, Request{"GET", "/api/v1/incidents/" + std::to_string(id) + "/classification", ""},
                     console);
  if (reply.exit_code != kExitOk) return reply.exit_code;
  if (json) {
    PrintJson(reply.body, console);
    return kExitOk;
  }
  const auto& b = reply.body;
  const auto& sev = Member(b, "severity");
  const auto& pri = Member(b, "priority");
  const auto& owner = Member(b, "owner");
  std::string category = Text(b, "category");
  if (Text(b, "subcategory") != "-") category += "/" + Text(b, "subcategory");
  category = category == "-" ? "unclassified" : category + " (" + Text(b, "category_rule") + ")";
  console.out << RenderTable({{"category:", category},
                              {"major:", Text(b, "major") == "true" ? "yes: " + Text(b, "major_reason") : "no"},
                              {"severity:", Text(sev, "level") + ": " + Text(sev, "reason")},
                              {"priority:", Text(pri, "level") + ": " + Text(pri, "reason")},
                              {"owner:", Text(owner, "team") + ": " + Text(owner, "reason")}});
  return kExitOk;
}

}  // namespace cli
