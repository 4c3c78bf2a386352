// incidentctl's shared responder pool commands: the pools, a pool's queue, and requesting, releasing and yielding
// a pool for an incident.
#include <boost/json.hpp>

#include <chrono>
#include <ostream>

#include "cli/call.h"
#include "cli/commands.h"
#include "cli/format.h"

namespace cli {

namespace {

std::string PoolPath(const std::string& pool, const char* rest) { return "/api/v1/pools/" + QueryValue(pool) + rest; }

std::string Seconds(const boost::json::value& o, std::string_view key) {
  const auto* obj = o.if_object();
  const auto* v = obj ? obj->if_contains(key) : nullptr;
  if (v == nullptr || v->is_null()) return "-";
  const int64_t s = v->is_int64() ? v->as_int64() : v->is_uint64() ? static_cast<int64_t>(v->as_uint64()) : 0;
  return FormatAge(std::chrono::seconds(s));
}

// "incident 2 waits for pool dba at position 1 (P2); response expected within 14m (by ...)" or "... holds ...".
std::string Standing(const boost::json::value& e) {
  const std::string who = "incident " + Text(e, "incident_id");
  if (Text(e, "state") == "holding") return who + " holds pool " + Text(e, "pool") + " (" + Text(e, "priority") + ")";
  std::string s = who + " waits for pool " + Text(e, "pool") + " at position " + Text(e, "position") + " (" +
                  Text(e, "priority") + ")";
  if (Text(e, "respond_by") != "-") {
    s += "; expected response within " + Seconds(e, "expected_response_seconds") + " (by " + Text(e, "respond_by") +
         ", " + Text(e, "business_unit") + " expects " + Seconds(e, "expectation_seconds") + ")";
  }
  if (Text(e, "breached") == "true") s += " BREACHED";
  return s;
}

int PrintStanding(const Reply& reply, uint64_t id, const std::string& pool, Console console) {
  for (const auto& e : ArrayField(reply.body, "pools")) {
    if (Text(e, "pool") == pool) {
      console.out << Standing(e) << "\n";
      return kExitOk;
    }
  }
  console.out << "incident " << id << " has no request for pool " << pool << "\n";
  return kExitOk;
}

}  // namespace

int ListPools(Transport& transport, bool json, Console console) {
  Reply reply = Call(transport, Request{"GET", "/api/v1/pools", ""}, console);
  if (reply.exit_code != kExitOk) return reply.exit_code;
  if (json) {
    PrintJson(reply.body, console);
    return kExitOk;
  }
  std::vector<std::vector<std::string>> rows{{"POOL", "NAME", "CAPACITY", "HOLDING", "WAITING", "CONFLICTS", "BREACHED"}};
  for (const auto& p : ArrayField(reply.body, "pools")) {
    rows.push_back({Text(p, "id"), Text(p, "name"), Text(p, "capacity"), Text(p, "holding"), Text(p, "waiting"),
                    Text(p, "conflicts"), Text(p, "breached")});
  }
  console.out << RenderTable(rows);
  return kExitOk;
}

int ShowPoolQueue(Transport& transport, const std::string& pool, bool json, Console console) {
  Reply reply = Call(transport, Request{"GET", PoolPath(pool, "/queue"), ""}, console);
  if (reply.exit_code != kExitOk) return reply.exit_code;
  if (json) {
    PrintJson(reply.body, console);
    return kExitOk;
  }
  console.out << Text(reply.body, "pool") << " (" << Text(reply.body, "name") << "): capacity "
              << Text(reply.body, "capacity") << ", " << Text(reply.body, "free") << " free\n";
  std::vector<std::vector<std::string>> holders{{"HOLDER", "PRIORITY", "FOR", "SERVICE", "TITLE"}};
  for (const auto& e : ArrayField(reply.body, "holders")) {
    holders.push_back({Text(e, "incident_id"), Text(e, "priority"), Seconds(e, "holding_seconds"), Text(e, "service"),
                       Truncate(Text(e, "title"), 50)});
  }
  console.out << RenderTable(holders);
  std::vector<std::vector<std::string>> queue{
      {"POS", "INCIDENT", "PRIORITY", "UNIT", "WAITED", "EXPECTED", "RESPOND BY", "BREACH", "CONFLICT", "WHY"}};
  for (const auto& e : ArrayField(reply.body, "queue")) {
    std::vector<std::string> conflicts;
    for (const auto& id : ArrayField(e, "conflicts_with")) {
      conflicts.push_back(std::to_string(id.is_uint64() ? id.as_uint64() : static_cast<uint64_t>(id.as_int64())));
    }
    queue.push_back({Text(e, "position"), Text(e, "incident_id"), Text(e, "priority"), Text(e, "business_unit"),
                     Seconds(e, "waited_seconds"), Seconds(e, "expected_response_seconds"), Text(e, "respond_by"),
                     Text(e, "breached") == "true" ? "BREACHED" : "-",
                     conflicts.empty() ? "-" : "held by " + Join(conflicts, ","),
                     Truncate(Text(e, "priority_reason"), 60)});
  }
  console.out << RenderTable(queue);
  for (const auto& y : ArrayField(reply.body, "yields")) {
    console.out << "yield: incident " << Text(y, "from") << " to incident " << Text(y, "to") << " (" << Text(y, "reason")
                << ") by " << Text(y, "by") << " at " << Text(y, "at") << "\n";
  }
  return kExitOk;
}

int RequestPool(Transport& transport, uint64_t id, const std::string& pool, const std::string& note,
                Console console) {
  boost::json::object body{{"pool", pool}};
  if (!note.empty()) body["note"] = note;
  Reply reply = Call(transport,
                     Request{"POST", "/api/v1/incidents/" + std::to_string(id) + "/pools", boost::json::serialize(body)},
                     console);
  if (reply.exit_code != kExitOk) return reply.exit_code;
  return PrintStanding(reply, id, pool, console);
}

int ReleasePool(Transport& transport, uint64_t id, const std::string& pool, Console console) {
  boost::json::object body{{"pool", pool}};
  Reply reply = Call(
      transport,
      Request{"POST", "/api/v1/incidents/" + std::to_string(id) + "/pools/release", boost::json::serialize(body)},
      console);
  if (reply.exit_code != kExitOk) return reply.exit_code;
  console.out << "incident " << id << " released pool " << pool << "\n";
  return kExitOk;
}

int YieldPool(Transport& transport, const std::string& pool, uint64_t from, uint64_t to, const std::string& reason,
              Console console) {
  boost::json::object body{{"from", from}, {"to", to}, {"reason", reason}};
  Reply reply = Call(transport, Request{"POST", PoolPath(pool, "/yield"), boost::json::serialize(body)}, console);
  if (reply.exit_code != kExitOk) return reply.exit_code;
  console.out << "incident " << from << " yielded pool " << pool << " to incident " << to << "\n";
  return kExitOk;
}

}  // namespace cli
