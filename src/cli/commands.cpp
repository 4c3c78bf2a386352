#include "cli/commands.h"

#include <boost/json.hpp>

#include <cctype>
#include <fstream>
#include <initializer_list>
#include <ostream>

#include "cli/call.h"
#include "cli/format.h"

namespace cli {
namespace {

namespace json = boost::json;

constexpr uint32_t kDefaultLimit = 50;
constexpr uint32_t kPageLimit = 500;
constexpr size_t kTitleWidth = 80;

bool IsJson(const std::string& content_type) {
  return content_type.starts_with("application/json") || content_type.starts_with("application/problem+json");
}

std::string FirstLine(const std::string& text, size_t max_chars) {
  return Truncate(text.substr(0, text.find('\n')), max_chars);
}

// Prints the server's refusal: the problem's `detail`, the `field` at fault (and the option that sets it, when
// `option_for` knows one), and PagerDuty's `errors` list when it names more than one problem.
void ReportProblem(const Response& response, Console console, OptionNamer option_for) {
  json::error_code ec;
  json::value parsed = IsJson(response.content_type) ? json::parse(response.body, ec) : json::value();
  if (ec || !parsed.is_object()) {
    console.err << "incidentctl: the server answered HTTP " << response.status;
    if (!response.body.empty()) console.err << ": " << FirstLine(response.body, 200);
    console.err << "\n";
    return;
  }
  const auto& problem = parsed.as_object();
  std::string detail;
  if (const auto* d = problem.if_contains("detail"); d && d->is_string()) detail = d->as_string().c_str();
  if (detail.empty()) {
    if (const auto* t = problem.if_contains("title"); t && t->is_string()) detail = t->as_string().c_str();
  }
  if (detail.empty()) detail = "HTTP " + std::to_string(response.status);
  console.err << "incidentctl: " << detail;
  if (const auto* f = problem.if_contains("field"); f && f->is_string() && !f->as_string().empty()) {
    const std::string field(f->as_string());
    const std::string option = option_for != nullptr ? option_for(field) : std::string();
    console.err << " (field " << field << (option.empty() ? "" : ", set by " + option) << ")";
  }
  console.err << "\n";
  if (const auto* errors = problem.if_contains("errors"); errors && errors->is_array()) {
    const auto& list = errors->as_array();
    if (list.size() > 1) {
      for (const auto& e : list) {
        if (e.is_string()) console.err << "  " << e.as_string().c_str() << "\n";
      }
    }
  }
}

}  // namespace

Reply Call(Transport& transport, const Request& request, Console console, OptionNamer option_for) {
  auto response = transport.Send(request);
  if (!response.ok()) {
    console.err << "incidentctl: " << response.error().message << "\n";
    return Reply{kExitUnreachable, {}};
  }
  if (response->status < 200 || response->status > 299) {
    ReportProblem(*response, console, option_for);
    return Reply{kExitFailed, {}};
  }
  if (response->body.empty()) return Reply{kExitOk, json::object()};
  json::error_code ec;
  json::value body = json::parse(response->body, ec);
  if (ec) {
    console.err << "incidentctl: the server's answer is not JSON (" << ec.message()
                << "): " << FirstLine(response->body, 200) << "\n";
    return Reply{kExitFailed, {}};
  }
  return Reply{kExitOk, std::move(body)};
}

// A field of an object as display text: strings as they are, numbers in decimal, null or missing as "-".
std::string Text(const json::value& object, std::string_view key) {
  const auto* obj = object.if_object();
  const auto* v = obj ? obj->if_contains(key) : nullptr;
  if (v == nullptr || v->is_null()) return "-";
  if (v->is_string()) return OneLine(std::string(v->as_string()));
  if (v->is_uint64()) return std::to_string(v->as_uint64());
  if (v->is_int64()) return std::to_string(v->as_int64());
  if (v->is_bool()) return v->as_bool() ? "true" : "false";
  return json::serialize(*v);
}

uint64_t Number(const json::value& object, std::string_view key) {
  const auto* obj = object.if_object();
  const auto* v = obj ? obj->if_contains(key) : nullptr;
  if (v == nullptr) return 0;
  if (v->is_uint64()) return v->as_uint64();
  if (v->is_int64() && v->as_int64() > 0) return static_cast<uint64_t>(v->as_int64());
  return 0;
}

const json::array& ArrayField(const json::value& object, std::string_view key) {
  static const json::array kEmpty;
  const auto* obj = object.if_object();
  const auto* v = obj ? obj->if_contains(key) : nullptr;
  return v && v->is_array() ? v->as_array() : kEmpty;
}

// Percent-encodes a query value; ',' stays literal because the API separates lists with it.
std::string QueryValue(std::string_view value) {
  static const char* kHex = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : value) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~' || c == ',') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 0xF];
    }
  }
  return out;
}

std::string Join(const std::vector<std::string>& parts, std::string_view separator) {
  std::string out;
  for (const auto& part : parts) {
    if (!out.empty()) out += separator;
    out += part;
  }
  return out;
}

const json::value& Member(const json::value& object, std::string_view key) {
  static const json::value kNull;
  const auto* obj = object.if_object();
  const auto* v = obj ? obj->if_contains(key) : nullptr;
  return v != nullptr ? *v : kNull;
}

std::string IncidentPath(uint64_t id) { return "/api/v1/incidents/" + std::to_string(id); }

void PrintJson(const json::value& value, Console console) { console.out << json::serialize(value) << "\n"; }


int ListIncidents(Transport& transport, const ListOptions& options, core::Timestamp now, Console console) {
  const uint32_t limit = options.limit != 0 ? options.limit : (options.all ? kPageLimit : kDefaultLimit);
  std::string query = "limit=" + std::to_string(limit);
  if (!options.states.empty()) query += "&state=" + QueryValue(Join(options.states, ","));
  if (!options.service.empty()) query += "&service=" + QueryValue(options.service);
  if (!options.severity.empty()) query += "&severity=" + QueryValue(options.severity);

  json::array incidents;
  json::value last_page;
  uint64_t before = 0;
  for (;;) {
    std::string target = "/api/v1/incidents?" + query;
    if (before != 0) target += "&before=" + std::to_string(before);
    Reply reply = Call(transport, Request{"GET", target, ""}, console);
    if (reply.exit_code != kExitOk) return reply.exit_code;
    for (const auto& incident : ArrayField(reply.body, "incidents")) incidents.push_back(incident);
    const uint64_t next = Number(reply.body, "next_before");
    last_page = std::move(reply.body);
    if (!options.all || next == 0 || (before != 0 && next >= before)) break;
    before = next;
  }

  if (options.json) {
    if (!options.all) {
      PrintJson(last_page, console);
    } else {
      PrintJson(json::object{{"incidents", std::move(incidents)}, {"next_before", nullptr}}, console);
    }
    return kExitOk;
  }
  std::vector<std::vector<std::string>> rows{{"ID", "STATE", "SEVERITY", "SERVICE", "AGE", "TITLE"}};
  for (const auto& incident : incidents) {
    rows.push_back({Text(incident, "id"), Text(incident, "state"), Text(incident, "severity"),
                    Text(incident, "service"), AgeOf(Text(incident, "opened_at"), now),
                    Truncate(Text(incident, "title"), kTitleWidth)});
  }
  console.out << RenderTable(rows);
  return kExitOk;
}

int ShowIncident(Transport& transport, uint64_t id, bool json, core::Timestamp now, Console console) {
  Reply reply = Call(transport, Request{"GET", IncidentPath(id), ""}, console);
  if (reply.exit_code != kExitOk) return reply.exit_code;
  if (json) {
    PrintJson(reply.body, console);
    return kExitOk;
  }
  const auto& incident = reply.body;
  auto when = [&](std::string_view key) {
    std::string text = Text(incident, key);
    return text == "-" ? text : text + " (" + AgeOf(text, now) + " ago)";
  };
  console.out << RenderTable({
      {"id:", Text(incident, "id")},
      {"title:", Text(incident, "title")},
      {"state:", Text(incident, "state")},
      {"severity:", Text(incident, "severity")},
      {"service:", Text(incident, "service")},
      {"group key:", Text(incident, "group_key")},
      {"opened:", when("opened_at")},
      {"acknowledged:", when("acknowledged_at")},
      {"resolved:", when("resolved_at")},
      {"closed:", when("closed_at")},
      {"alerts:", Text(incident, "alert_count") + " (" + Text(incident, "open_alert_count") + " open)"},
      {"last change:", "seq " + Text(incident, "last_seq") + " by " + Text(incident, "last_actor")},
  });
  const auto& alerts = ArrayField(incident, "alerts");
  if (!alerts.empty()) {
    std::vector<std::vector<std::string>> rows{
        {"ALERT", "STATUS", "SEVERITY", "SOURCE", "EVENTS", "DEDUP KEY", "SUMMARY"}};
    for (const auto& alert : alerts) {
      rows.push_back({Text(alert, "id"), Text(alert, "status"), Text(alert, "severity"), Text(alert, "source"),
                      Text(alert, "event_count"), Text(alert, "dedup_key"),
                      Truncate(Text(alert, "summary"), kTitleWidth)});
    }
    console.out << "\n" << RenderTable(rows);
  }
  return kExitOk;
}

int AcknowledgeIncident(Transport& transport, uint64_t id, Console console) {
  Reply reply = Call(transport, Request{"POST", IncidentPath(id) + "/acknowledge", "{}"}, console);
  if (reply.exit_code != kExitOk) return reply.exit_code;
  console.out << "incident " << id << ": " << Text(reply.body, "state") << "\n";
  return kExitOk;
}

int ResolveIncident(Transport& transport, uint64_t id, const std::optional<std::string>& note, Console console) {
  json::object body;
  if (note) body["note"] = *note;
  Reply reply = Call(transport, Request{"POST", IncidentPath(id) + "/resolve", json::serialize(body)}, console);
  if (reply.exit_code != kExitOk) return reply.exit_code;
  console.out << "incident " << id << ": " << Text(reply.body, "state") << "\n";
  return kExitOk;
}

int AddNote(Transport& transport, uint64_t id, const std::string& text, Console console) {
  json::object body{{"text", text}};
  Reply reply = Call(transport, Request{"POST", IncidentPath(id) + "/notes", json::serialize(body)}, console);
  if (reply.exit_code != kExitOk) return reply.exit_code;
  console.out << "incident " << id << ": note added (seq " << Text(reply.body, "seq") << ")\n";
  return kExitOk;
}

int ShowTimeline(Transport& transport, uint64_t id, bool json, Console console) {
  json::array entries;
  uint64_t after = 0;
  for (;;) {
    const std::string target = IncidentPath(id) + "/timeline?after=" + std::to_string(after) +
                               "&limit=" + std::to_string(kPageLimit);
    Reply reply = Call(transport, Request{"GET", target, ""}, console);
    if (reply.exit_code != kExitOk) return reply.exit_code;
    const auto& page = ArrayField(reply.body, "entries");
    for (const auto& entry : page) entries.push_back(entry);
    const uint64_t last = page.empty() ? 0 : Number(page.back(), "seq");
    if (page.size() < kPageLimit || last <= after) break;
    after = last;
  }

  if (json) {
    PrintJson(json::object{{"entries", std::move(entries)}}, console);
    return kExitOk;
  }
  std::vector<std::vector<std::string>> rows{{"TIME", "ACTOR", "KIND", "TEXT"}};
  for (const auto& entry : entries) {
    rows.push_back({Text(entry, "time"), Text(entry, "actor"), Text(entry, "kind"), Text(entry, "text")});
  }
  console.out << RenderTable(rows);
  return kExitOk;
}

core::Result<std::string> BuildEvent(const EventOptions& options) {
  const bool trigger = options.action == "trigger";
  json::object payload;
  if (!options.summary.empty()) payload["summary"] = options.summary;
  if (!options.source.empty()) {
    payload["source"] = options.source;
  } else if (trigger) {
    payload["source"] = options.hostname;
  }
  if (!options.severity.empty()) {
    payload["severity"] = options.severity;
  } else if (trigger) {
    payload["severity"] = "error";
  }
  if (!options.custom_details.empty()) {
    json::error_code ec;
    json::value details = json::parse(options.custom_details, ec);
    if (ec) return core::Invalid("--custom-details is not valid JSON: " + ec.message(), "--custom-details");
    payload["custom_details"] = std::move(details);
  }

  json::object event{{"routing_key", options.routing_key}, {"event_action", options.action}};
  if (!options.dedup_key.empty()) event["dedup_key"] = options.dedup_key;
  if (!payload.empty()) event["payload"] = std::move(payload);
  return json::serialize(event);
}

int SendEvent(Transport& transport, const EventOptions& options, Console console) {
  auto body = BuildEvent(options);
  if (!body.ok()) {
    console.err << "incidentctl: " << body.error().message << "\n";
    return kExitUsage;
  }
  Reply reply = Call(transport, Request{"POST", "/v2/enqueue", *body}, console);
  if (reply.exit_code != kExitOk) return reply.exit_code;
  console.out << Text(reply.body, "dedup_key") << "\n";
  return kExitOk;
}

namespace {

std::string WindowPath(const std::string& id) { return "/api/v1/maintenance/" + QueryValue(id); }


// A list of strings as "a, b, c" ("" when empty).
std::string List(const json::value& array) {
  std::vector<std::string> parts;
  if (const auto* a = array.if_array()) {
    for (const auto& v : *a) parts.push_back(v.is_string() ? OneLine(std::string(v.as_string())) : json::serialize(v));
  }
  return Join(parts, ", ");
}

// "services checkout, search; hosts db-1": the non-empty lists of a scope or expect object, or `none`.
std::string Lists(const json::value& object, std::initializer_list<std::string_view> keys, std::string_view none) {
  std::vector<std::string> parts;
  for (std::string_view key : keys) {
    std::string items = List(Member(object, key));
    if (!items.empty()) parts.push_back(std::string(key) + " " + items);
  }
  return parts.empty() ? std::string(none) : Join(parts, "; ");
}

// "open until T", "scheduled from S until T", "ended": where a window stands.
std::string Standing(const json::value& window) {
  const std::string state = Text(window, "state");
  const json::value& occurrence = Member(window, "occurrence");
  if (state == "open") return "open until " + Text(occurrence, "end");
  if (state == "scheduled") return "scheduled from " + Text(occurrence, "start") + " until " + Text(occurrence, "end");
  return state;
}

// The occurrence with how far away its next edge is: "S to T (ends in 52m)".
std::string Occurrence(const json::value& window, core::Timestamp now) {
  const json::value& occurrence = Member(window, "occurrence");
  if (!occurrence.is_object()) return "-";
  const std::string start = Text(occurrence, "start");
  const std::string end = Text(occurrence, "end");
  auto start_t = core::ParseRfc3339(start);
  auto end_t = core::ParseRfc3339(end);
  std::string when;
  if (start_t.ok() && now < *start_t) {
    when = " (starts in " + FormatAge(*start_t - now) + ")";
  } else if (end_t.ok()) {
    when = " (ends in " + FormatAge(*end_t - now) + ")";
  }
  return start + " to " + end + when;
}

void AddStrings(json::object& object, const char* key, const std::vector<std::string>& values) {
  if (values.empty()) return;
  json::array array;
  for (const auto& v : values) array.emplace_back(v);
  object[key] = std::move(array);
}

std::string ExtendOption(std::string_view field) {
  if (field == "/until") return "--until";
  if (field == "/by") return "--by";
  return "";
}

// What the window commands print: the API's JSON, or "maintenance window ID: <standing>".
int PrintWindowReply(const Reply& reply, bool json, std::string_view prefix, Console console) {
  if (json) {
    PrintJson(reply.body, console);
    return kExitOk;
  }
  console.out << prefix << "maintenance window " << Text(reply.body, "id") << " (" << Text(reply.body, "name")
              << "): " << Standing(reply.body) << "\n";
  return kExitOk;
}

}  // namespace

std::string BuildWindow(const WindowOptions& options) {
  json::object body{{"name", options.name}, {"owner", options.owner}};
  if (!options.time_zone.empty()) body["time_zone"] = options.time_zone;
  body["start"] = options.start;
  body["duration"] = options.duration;
  if (!options.rrule.empty()) body["rrule"] = options.rrule;
  if (!options.max_length.empty()) body["max_length"] = options.max_length;
  if (!options.remind_before.empty()) body["remind_before"] = options.remind_before;
  json::object scope;
  AddStrings(scope, "services", options.services);
  AddStrings(scope, "hosts", options.hosts);
  AddStrings(scope, "matchers", options.matchers);
  body["scope"] = std::move(scope);
  json::object expect;
  AddStrings(expect, "services", options.expect_services);
  AddStrings(expect, "alertnames", options.expect_alertnames);
  AddStrings(expect, "severities", options.expect_severities);
  if (!expect.empty()) body["expect"] = std::move(expect);
  if (options.keep_pending) body["cancel_pending"] = false;
  return json::serialize(body);
}

std::string WindowOption(std::string_view field) {
  static const std::pair<std::string_view, std::string_view> kOptions[] = {
      {"/name", "--name"},
      {"/owner", "--owner"},
      {"/time_zone", "--time-zone"},
      {"/start", "--start"},
      {"/duration", "--duration"},
      {"/rrule", "--rrule"},
      {"/max_length", "--max-length"},
      {"/remind_before", "--remind-before"},
      {"/scope/services", "--service"},
      {"/scope/hosts", "--host"},
      {"/scope/matchers", "--matcher"},
      {"/scope", "--service, --host or --matcher"},
      {"/expect/services", "--expect-service"},
      {"/expect/alertnames", "--expect-alertname"},
      {"/expect/severities", "--expect-severity"},
      {"/cancel_pending", "--keep-pending"},
  };
  // The first prefix that ends at a segment boundary: "/scope/matchers/2" is --matcher.
  for (const auto& [prefix, option] : kOptions) {
    if (field.starts_with(prefix) && (field.size() == prefix.size() || field[prefix.size()] == '/')) {
      return std::string(option);
    }
  }
  return "";
}

int ListWindows(Transport& transport, bool json, Console console) {
  Reply reply = Call(transport, Request{"GET", "/api/v1/maintenance", ""}, console);
  if (reply.exit_code != kExitOk) return reply.exit_code;
  if (json) {
    PrintJson(reply.body, console);
    return kExitOk;
  }
  std::vector<std::vector<std::string>> rows{{"ID", "STATE", "FROM", "UNTIL", "NAME", "OWNER"}};
  for (const auto& window : ArrayField(reply.body, "windows")) {
    const json::value& occurrence = Member(window, "occurrence");
    rows.push_back({Text(window, "id"), Text(window, "state"), Text(occurrence, "start"), Text(occurrence, "end"),
                    Truncate(Text(window, "name"), kTitleWidth), Text(window, "owner")});
  }
  console.out << RenderTable(rows);
  return kExitOk;
}

int ShowWindow(Transport& transport, const std::string& id, bool json, core::Timestamp now, Console console) {
  Reply reply = Call(transport, Request{"GET", WindowPath(id), ""}, console);
  if (reply.exit_code != kExitOk) return reply.exit_code;
  if (json) {
    PrintJson(reply.body, console);
    return kExitOk;
  }
  const auto& window = reply.body;
  const std::string rrule = Text(window, "rrule");
  std::string schedule = Text(window, "start") + " " + Text(window, "time_zone") + " for " + Text(window, "duration");
  schedule += rrule == "-" || rrule.empty() ? ", once" : ", " + rrule;
  std::string max_length = Text(window, "max_length");
  if (Text(window, "state") == "open") {
    max_length += " (may be extended until " + Text(window, "can_extend_until") + ")";
  }
  console.out << RenderTable({
      {"id:", Text(window, "id")},
      {"name:", Text(window, "name")},
      {"owner:", Text(window, "owner")},
      {"state:", Text(window, "state")},
      {"occurrence:", Occurrence(window, now)},
      {"schedule:", schedule},
      {"max length:", max_length},
      {"remind before:", Text(window, "remind_before")},
      {"on opening:", Text(window, "cancel_pending") == "false" ? "keeps pending notifications"
                                                                : "cancels its services' pending notifications"},
      {"scope:", Lists(Member(window, "scope"), {"services", "hosts", "matchers"}, "-")},
      {"expect:", Lists(Member(window, "expect"), {"services", "alertnames", "severities"}, "everything in scope")},
      {"created by:", Text(window, "created_by")},
  });
  const auto& alerts = ArrayField(window, "suppressed");
  if (!alerts.empty()) {
    std::vector<std::vector<std::string>> rows{
        {"ALERT", "STATUS", "SEVERITY", "SERVICE", "INCIDENT", "DEDUP KEY", "SUMMARY"}};
    for (const auto& alert : alerts) {
      rows.push_back({Text(alert, "id"), Text(alert, "status"), Text(alert, "severity"), Text(alert, "service"),
                      Text(alert, "incident_id"), Text(alert, "dedup_key"),
                      Truncate(Text(alert, "summary"), kTitleWidth)});
    }
    console.out << "\nsuppressed alerts:\n" << RenderTable(rows);
  }
  return kExitOk;
}

int CreateWindow(Transport& transport, const WindowOptions& options, Console console) {
  Reply reply = Call(transport, Request{"POST", "/api/v1/maintenance", BuildWindow(options)}, console, WindowOption);
  if (reply.exit_code != kExitOk) return reply.exit_code;
  return PrintWindowReply(reply, options.json, "created ", console);
}

int ExtendWindow(Transport& transport, const std::string& id, const std::string& until, const std::string& by,
                 Console console) {
  if (until.empty() == by.empty()) {
    console.err << "incidentctl: give exactly one of --until or --by\n";
    return kExitUsage;
  }
  json::object body;
  if (!until.empty()) body["until"] = until;
  if (!by.empty()) body["by"] = by;
  Reply reply = Call(transport, Request{"POST", WindowPath(id) + "/extend", json::serialize(body)}, console,
                     ExtendOption);
  if (reply.exit_code != kExitOk) return reply.exit_code;
  return PrintWindowReply(reply, false, "", console);
}

int EndWindow(Transport& transport, const std::string& id, bool cancel, Console console) {
  Request request = cancel ? Request{"DELETE", WindowPath(id), ""} : Request{"POST", WindowPath(id) + "/end", ""};
  Reply reply = Call(transport, request, console);
  if (reply.exit_code != kExitOk) return reply.exit_code;
  if (cancel) {
    console.out << "maintenance window " << Text(reply.body, "id") << " (" << Text(reply.body, "name")
                << "): cancelled\n";
    return kExitOk;
  }
  return PrintWindowReply(reply, false, "", console);
}

int Whoami(Transport& transport, bool json, Console console) {
  Reply reply = Call(transport, Request{"GET", "/api/v1/whoami", ""}, console);
  if (reply.exit_code != kExitOk) return reply.exit_code;
  if (json) {
    PrintJson(reply.body, console);
    return kExitOk;
  }
  std::vector<std::string> teams;
  for (const auto& team : ArrayField(reply.body, "teams")) {
    if (team.is_string()) teams.emplace_back(team.as_string());
  }
  console.out << RenderTable({
      {"name:", Text(reply.body, "name")},
      {"role:", Text(reply.body, "role")},
      {"actor:", Text(reply.body, "actor")},
      {"teams:", teams.empty() ? "-" : Join(teams, ", ")},
  });
  return kExitOk;
}

int ShowTopology(Transport& transport, bool json, Console console) {
  Reply reply = Call(transport, Request{"GET", "/api/v1/topology", ""}, console);
  if (reply.exit_code != kExitOk) return reply.exit_code;
  if (json) {
    PrintJson(reply.body, console);
    return kExitOk;
  }
  const auto& topology = reply.body;
  std::vector<std::string> segments;
  for (const auto& segment : ArrayField(topology, "segments")) segments.push_back(Text(segment, "name"));
  console.out << RenderTable({
      {"window:", Text(topology, "window")},
      {"join while failing:", Text(topology, "join_while_failing")},
      {"host labels:", List(Member(topology, "host_labels"))},
      {"segments:", segments.empty() ? "-" : Join(segments, ", ")},
  });
  auto or_dash = [](std::string text) { return text.empty() ? std::string("-") : text; };
  std::vector<std::vector<std::string>> hosts{{"HOST", "SEGMENT", "ALIASES"}};
  for (const auto& host : ArrayField(topology, "hosts")) {
    hosts.push_back({Text(host, "name"), Text(host, "segment"), or_dash(List(Member(host, "aliases")))});
  }
  std::vector<std::vector<std::string>> services{{"SERVICE", "HOSTS", "DEPENDS ON"}};
  for (const auto& service : ArrayField(topology, "services")) {
    services.push_back({Text(service, "name"), or_dash(List(Member(service, "hosts"))),
                        or_dash(List(Member(service, "depends_on")))});
  }
  std::vector<std::vector<std::string>> failures{{"FAILURE RULE", "KIND", "NODE LABEL", "MATCHERS"}};
  for (const auto& rule : ArrayField(topology, "failures")) {
    failures.push_back({Text(rule, "rule"), Text(rule, "kind"), Text(rule, "node_label"),
                        List(Member(rule, "matchers"))});
  }
  for (const auto* table : {&hosts, &services, &failures}) {
    if (table->size() > 1) console.out << "\n" << RenderTable(*table);
  }
  return kExitOk;
}

int ReportJournalCheck(const JournalCheck& check, Console console) {
  if (check.ok) {
    console.out << "OK: " << check.records << " records, head seq " << check.head_seq << " hash " << check.head_hash
                << "\n";
    return kExitOk;
  }
  console.out << "BROKEN: " << check.error << " (" << check.records << " records verified before it)\n";
  return kExitFailed;
}

int VerifyJournalOnline(Transport& transport, Console console) {
  Reply reply = Call(transport, Request{"GET", "/api/v1/journal/verify", ""}, console);
  if (reply.exit_code != kExitOk) return reply.exit_code;
  const auto* obj = reply.body.if_object();
  const auto* ok = obj ? obj->if_contains("ok") : nullptr;
  if (ok == nullptr || !ok->is_bool()) {
    console.err << "incidentctl: the server's verification answer has no \"ok\": " << json::serialize(reply.body)
                << "\n";
    return kExitFailed;
  }
  JournalCheck check;
  check.ok = ok->as_bool();
  check.records = Number(reply.body, "records");
  check.head_seq = Number(reply.body, "head_seq");
  check.head_hash = Text(reply.body, "head_hash");
  check.error = Text(reply.body, "error");
  return ReportJournalCheck(check, console);
}

int ShowRecordHash(Transport& transport, uint64_t seq, Console console) {
  Reply reply =
      Call(transport, Request{"GET", "/api/v1/journal/records/" + std::to_string(seq) + "/hash", ""}, console);
  if (reply.exit_code != kExitOk) return reply.exit_code;
  console.out << "record " << Number(reply.body, "seq") << " hash " << Text(reply.body, "hash") << " (previous "
              << Text(reply.body, "prev") << ")\n";
  return kExitOk;
}

int ExportIncident(Transport& transport, uint64_t id, const std::string& format, const std::string& output,
                   Console console) {
  // Not through Call: a Markdown answer is not JSON.
  auto response = transport.Send(
      Request{"GET", "/api/v1/incidents/" + std::to_string(id) + "/bundle?format=" + QueryValue(format), ""});
  if (!response.ok()) {
    console.err << "incidentctl: " << response.error().message << "\n";
    return kExitUnreachable;
  }
  if (response->status < 200 || response->status > 299) {
    ReportProblem(*response, console, nullptr);
    return kExitFailed;
  }
  if (output.empty()) {
    console.out << response->body;
    return kExitOk;
  }
  std::ofstream file(output, std::ios::binary | std::ios::trunc);
  file << response->body;
  file.close();
  if (!file) {
    console.err << "incidentctl: cannot write " << output << "\n";
    return kExitFailed;
  }
  console.out << "incident " << id << ": " << format << " bundle written to " << output << " ("
              << response->body.size() << " bytes)\n";
  return kExitOk;
}

}  // namespace cli
