// incidentctl's paging commands: an incident's escalation and deliveries, reassignment and escalate-now, the outbox,
// fire drills, on-call overrides.
#include <boost/json.hpp>

#include <ostream>

#include "cli/call.h"
#include "cli/commands.h"
#include "cli/format.h"

namespace cli {
namespace {

namespace json = boost::json;

std::string Strings(const json::value& array) {
  std::vector<std::string> parts;
  if (array.is_array()) {
    for (const auto& v : array.as_array()) {
      if (v.is_string()) parts.emplace_back(v.as_string());
    }
  }
  return parts.empty() ? "-" : Join(parts, ", ");
}

std::string DrillPath(const std::string& name) { return "/api/v1/drills/" + QueryValue(name); }

}  // namespace

int ShowPaging(Transport& transport, uint64_t id, bool json, Console console) {
  Reply reply = Call(transport, Request{"GET", "/api/v1/incidents/" + std::to_string(id) + "/paging", ""}, console);
  if (reply.exit_code != kExitOk) return reply.exit_code;
  if (json) {
    PrintJson(reply.body, console);
    return kExitOk;
  }
  const json::value& e = Member(reply.body, "escalation");
  if (e.is_null()) {
    console.out << "escalation: none (no notification was due yet)\n";
  } else {
    std::string state = Text(e, "active") == "true" ? "active, step " + Text(e, "step") + " round " + Text(e, "round")
                                                    : "stopped: " + Text(e, "stopped");
    console.out << RenderTable({{"drill:", Text(reply.body, "drill")},
                                {"policy:", Text(e, "policy")},
                                {"routing rule:", Text(e, "rule")},
                                {"state:", state},
                                {"next step:", Text(e, "next_step_at")},
                                {"paged:", Strings(Member(e, "paged"))},
                                {"problems:", Strings(Member(e, "problems"))}});
  }
  const auto& deliveries = ArrayField(reply.body, "deliveries");
  if (!deliveries.empty()) {
    std::vector<std::vector<std::string>> rows{{"ID", "KIND", "USER", "CHANNEL", "STATE", "ATTEMPTS", "LAST ERROR"}};
    for (const auto& d : deliveries) {
      rows.push_back({Text(d, "id"), Text(d, "kind"), Text(d, "user"), Text(d, "channel"), Text(d, "state"),
                      Text(d, "attempts"), Truncate(Text(d, "last_error"), 60)});
    }
    console.out << "\ndeliveries:\n" << RenderTable(rows);
  }
  return kExitOk;
}

int Reassign(Transport& transport, uint64_t id, const std::string& user, const std::string& policy,
             Console console) {
  if (user.empty() == policy.empty()) {
    console.err << "incidentctl: give exactly one of --user and --policy\n";
    return kExitUsage;
  }
  json::object body;
  if (!user.empty()) body["user"] = user;
  if (!policy.empty()) body["policy"] = policy;
  Reply reply = Call(transport,
                     Request{"POST", "/api/v1/incidents/" + std::to_string(id) + "/reassign", json::serialize(body)},
                     console);
  if (reply.exit_code != kExitOk) return reply.exit_code;
  console.out << "incident " << id << " reassigned to " << (user.empty() ? "policy " + policy : user) << "\n";
  return kExitOk;
}

int Escalate(Transport& transport, uint64_t id, const std::string& reason, Console console) {
  json::object body;
  if (!reason.empty()) body["reason"] = reason;
  Reply reply = Call(transport,
                     Request{"POST", "/api/v1/incidents/" + std::to_string(id) + "/escalate", json::serialize(body)},
                     console);
  if (reply.exit_code != kExitOk) return reply.exit_code;
  const json::value& e = Member(reply.body, "escalation");
  console.out << "incident " << id << " escalated: step " << Text(e, "step") << " round " << Text(e, "round")
              << ", paged " << Strings(Member(e, "paged")) << "\n";
  return kExitOk;
}

int AddOverride(Transport& transport, const OverrideOptions& o, Console console) {
  json::object body{{"start", o.start}, {"end", o.end}, {"kind", o.kind}, {"user", o.user}};
  if (!o.replaces.empty()) body["replaced_user"] = o.replaces;
  if (!o.reason.empty()) body["reason"] = o.reason;
  Reply reply = Call(
      transport, Request{"POST", "/api/v1/schedules/" + QueryValue(o.schedule) + "/overrides", json::serialize(body)},
      console);
  if (reply.exit_code != kExitOk) return reply.exit_code;
  if (o.json) {
    PrintJson(reply.body, console);
    return kExitOk;
  }
  console.out << "override " << Text(reply.body, "id") << " on schedule " << o.schedule << ": " << o.kind << " "
              << o.user << (o.replaces.empty() ? "" : " for " + o.replaces) << " from " << o.start << " to " << o.end
              << "\n";
  return kExitOk;
}

int RemoveOverride(Transport& transport, const std::string& schedule, uint64_t id, Console console) {
  Reply reply = Call(transport,
                     Request{"DELETE", "/api/v1/schedules/" + QueryValue(schedule) + "/overrides/" + std::to_string(id),
                             ""},
                     console);
  if (reply.exit_code != kExitOk) return reply.exit_code;
  console.out << "override " << id << " removed from schedule " << schedule << "\n";
  return kExitOk;
}

int ListDeliveries(Transport& transport, const std::string& state, bool json, Console console) {
  std::string path = "/api/v1/deliveries";
  if (!state.empty()) path += "?state=" + QueryValue(state);
  Reply reply = Call(transport, Request{"GET", path, ""}, console);
  if (reply.exit_code != kExitOk) return reply.exit_code;
  if (json) {
    PrintJson(reply.body, console);
    return kExitOk;
  }
  std::vector<std::vector<std::string>> rows{
      {"ID", "INCIDENT", "KIND", "USER", "CHANNEL", "STATE", "ATTEMPTS", "NEXT ATTEMPT", "LAST ERROR"}};
  for (const auto& d : ArrayField(reply.body, "deliveries")) {
    rows.push_back({Text(d, "id"), Text(d, "incident_id"), Text(d, "kind"), Text(d, "user"), Text(d, "channel"),
                    Text(d, "state"), Text(d, "attempts"), Text(d, "next_attempt_at"),
                    Truncate(Text(d, "last_error"), 50)});
  }
  console.out << RenderTable(rows);
  return kExitOk;
}

int ListDrills(Transport& transport, bool json, Console console) {
  Reply reply = Call(transport, Request{"GET", "/api/v1/drills", ""}, console);
  if (reply.exit_code != kExitOk) return reply.exit_code;
  if (json) {
    PrintJson(reply.body, console);
    return kExitOk;
  }
  std::vector<std::vector<std::string>> rows{
      {"NAME", "SERVICE", "NEXT RUN", "LAST RESULT", "BROKEN LINK", "PASSED", "FAILED"}};
  for (const auto& d : ArrayField(reply.body, "drills")) {
    const json::value& last = Member(d, "last_run");
    rows.push_back({Text(d, "name"), Text(d, "service"), Text(d, "next_run"), Text(last, "result"),
                    Text(last, "broken_link"), Text(d, "passed"), Text(d, "failed")});
  }
  console.out << RenderTable(rows);
  return kExitOk;
}

int ShowDrill(Transport& transport, const std::string& name, bool json, Console console) {
  Reply reply = Call(transport, Request{"GET", DrillPath(name), ""}, console);
  if (reply.exit_code != kExitOk) return reply.exit_code;
  if (json) {
    PrintJson(reply.body, console);
    return kExitOk;
  }
  const auto& d = reply.body;
  console.out << RenderTable({{"name:", Text(d, "name")},
                              {"service:", Text(d, "service")},
                              {"failures open on:", Text(d, "report_service")},
                              {"schedule:", Text(d, "rrule") + " (" + Text(d, "time_zone") + ")"},
                              {"next run:", Text(d, "next_run")},
                              {"sla:", Text(d, "sla_seconds") + " s"},
                              {"passed / failed:", Text(d, "passed") + " / " + Text(d, "failed")}});
  std::vector<std::vector<std::string>> rows{{"RUN", "STARTED", "RESULT", "LINK", "INCIDENT", "DETAIL"}};
  for (const auto& r : ArrayField(d, "runs")) {
    rows.push_back({Text(r, "run"), Text(r, "started_at"), Text(r, "result"), Text(r, "broken_link"),
                    Text(r, "incident_id"), Truncate(Text(r, "detail"), 90)});
  }
  console.out << "\nruns (newest first):\n" << RenderTable(rows);
  return kExitOk;
}

int RunDrill(Transport& transport, const std::string& name, Console console) {
  Reply reply = Call(transport, Request{"POST", DrillPath(name) + "/run", ""}, console);
  if (reply.exit_code != kExitOk) return reply.exit_code;
  console.out << "drill " << name << ": run " << Text(reply.body, "run")
              << " started; see `incidentctl drills show " << name << "`\n";
  return kExitOk;
}

}  // namespace cli
