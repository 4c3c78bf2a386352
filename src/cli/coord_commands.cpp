// incidentctl's coordination commands: incident roles and commander hand-off, typed log entries, status updates,
// and the coordination view (roles, channel, when the next update is due).
#include <boost/json.hpp>

#include <ostream>

#include "cli/call.h"
#include "cli/commands.h"
#include "cli/format.h"

namespace cli {

namespace {
std::string IncidentPath(uint64_t id, const char* rest) { return "/api/v1/incidents/" + std::to_string(id) + rest; }
}  // namespace

int AssignRole(Transport& transport, uint64_t id, const std::string& role, const std::string& user, bool handoff,
               const std::string& reason, Console console) {
  boost::json::object body{{"role", role}, {"user", user}, {"handoff", handoff}};
  if (!reason.empty()) body["reason"] = reason;
  Reply reply = Call(transport, Request{"POST", IncidentPath(id, "/roles"), boost::json::serialize(body)}, console);
  if (reply.exit_code != kExitOk) return reply.exit_code;
  console.out << (user.empty() ? "nobody" : user) << " is " << role << " of incident " << id << "\n";
  return kExitOk;
}

int AddLogEntry(Transport& transport, uint64_t id, const std::string& kind, const std::string& text,
                Console console) {
  boost::json::object body{{"kind", kind}, {"text", text}};
  Reply reply = Call(transport, Request{"POST", IncidentPath(id, "/log"), boost::json::serialize(body)}, console);
  if (reply.exit_code != kExitOk) return reply.exit_code;
  console.out << kind << " logged on incident " << id << "\n";
  return kExitOk;
}

int PostStatusUpdate(Transport& transport, uint64_t id, const std::string& text, bool no_change, Console console) {
  boost::json::object body{{"text", text}, {"no_change", no_change}};
  Reply reply =
      Call(transport, Request{"POST", IncidentPath(id, "/status-updates"), boost::json::serialize(body)}, console);
  if (reply.exit_code != kExitOk) return reply.exit_code;
  const auto& updates = Member(reply.body, "status_updates");
  console.out << "status update posted on incident " << id << "; next due " << Text(updates, "next_due") << "\n";
  return kExitOk;
}

int ShowCoordination(Transport& transport, uint64_t id, bool json, Console console) {
  Reply reply = Call(transport, Request{"GET", IncidentPath(id, "/coordination"), ""}, console);
  if (reply.exit_code != kExitOk) return reply.exit_code;
  if (json) {
    PrintJson(reply.body, console);
    return kExitOk;
  }
  const auto& roles = Member(reply.body, "roles");
  const auto& channel = Member(reply.body, "channel");
  const auto& updates = Member(reply.body, "status_updates");
  std::vector<std::vector<std::string>> rows;
  for (const char* role : {"commander", "communications", "scribe", "operations", "liaison"}) {
    rows.push_back({std::string(role) + ":", Text(roles, role)});
  }
  std::string ch = Text(channel, "chat_name");
  if (Text(channel, "chat_url") != "-") ch += " " + Text(channel, "chat_url");
  if (Text(channel, "bridge") != "-") ch += " · bridge " + Text(channel, "bridge");
  rows.push_back({"channel:", ch});
  const auto& last = Member(updates, "last_update");
  rows.push_back({"last update:", Text(last, "time") + " " + Text(last, "text")});
  std::string next = Text(updates, "next_due");
  if (next != "-") next += " (every " + Text(updates, "every_seconds") + " s for " + Text(updates, "severity") + ")";
  if (Text(updates, "overdue") == "true") next += " OVERDUE";
  rows.push_back({"next update:", next});
  console.out << RenderTable(rows);
  return kExitOk;
}

}  // namespace cli
