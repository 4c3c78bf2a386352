#include "http/router.h"

#include <charconv>

#include "http/handlers.h"

namespace http {

namespace {

// The API. Rows with the same pattern sit together (the Allow header lists them in this order); the hot paths
// (events, alerts) come first because matching walks the rows in order.
struct Row {
  Method method;
  std::string_view pattern;
  Endpoint endpoint;
  Permission permission;
};

constexpr Method kGet = Method::kGet;
constexpr Method kPost = Method::kPost;
constexpr Method kDelete = Method::kDelete;
constexpr Permission kNone = Permission::kNone;
constexpr Permission kRead = Permission::kRead;
constexpr Permission kIngest = Permission::kIngest;
constexpr Permission kRespond = Permission::kRespond;
constexpr Permission kAdmin = Permission::kAdmin;
constexpr Permission kCommunicate = Permission::kCommunicate;
constexpr Permission kCommand = Permission::kCommand;

constexpr Row kRows[] = {
    {kPost, "/v2/enqueue", Endpoint::kEnqueue, kIngest},
    {kGet, "/api/v2/alerts", Endpoint::kAmGetAlerts, kRead},
    {kPost, "/api/v2/alerts", Endpoint::kAmPostAlerts, kIngest},
    {kPost, "/api/v1/integrations/alertmanager/{service}", Endpoint::kAmWebhook, kIngest},
    {kPost, "/api/v1/sli", Endpoint::kPostSli, kIngest},
    // Operations and identity
    {kGet, "/healthz", Endpoint::kHealthz, kNone},
    {kGet, "/readyz", Endpoint::kReadyz, kNone},
    {kGet, "/metrics", Endpoint::kMetrics, kNone},
    {kGet, "/api/v1/events", Endpoint::kEvents, kRead},
    {kGet, "/api/v1/journal/verify", Endpoint::kVerifyJournal, kAdmin},
    {kGet, "/api/v1/journal/records/{id}/hash", Endpoint::kRecordHash, kRead},
    {kGet, "/api/v1/config/changes", Endpoint::kConfigChanges, kAdmin},
    {kGet, "/api/v1/whoami", Endpoint::kWhoami, kRead},
    // Incidents
    {kGet, "/api/v1/incidents", Endpoint::kListIncidents, kRead},
    {kGet, "/api/v1/incidents/{id}", Endpoint::kGetIncident, kRead},
    {kGet, "/api/v1/incidents/{id}/timeline", Endpoint::kTimeline, kRead},
    {kPost, "/api/v1/incidents/{id}/acknowledge", Endpoint::kAcknowledge, kRespond},
    {kPost, "/api/v1/incidents/{id}/resolve", Endpoint::kResolve, kRespond},
    {kPost, "/api/v1/incidents/{id}/notes", Endpoint::kNotes, kRespond},
    {kGet, "/api/v1/incidents/{id}/paging", Endpoint::kIncidentPaging, kRead},
    {kPost, "/api/v1/incidents/{id}/reassign", Endpoint::kReassign, kRespond},
    {kPost, "/api/v1/incidents/{id}/escalate", Endpoint::kEscalate, kRespond},
    {kPost, "/api/v1/incidents/{id}/reclassify", Endpoint::kReclassify, kRespond},
    {kGet, "/api/v1/incidents/{id}/regulatory", Endpoint::kRegulatory, kRead},
    {kGet, "/api/v1/incidents/{id}/classification", Endpoint::kClassification, kRead},
    {kPost, "/api/v1/incidents/{id}/owner", Endpoint::kAssignOwner, kRespond},
    {kPost, "/api/v1/incidents/{id}/regulatory/facts", Endpoint::kRegulatoryFact, kRespond},
    {kPost, "/api/v1/incidents/{id}/regulatory/submissions", Endpoint::kRegulatorySubmission, kRespond},
    {kGet, "/api/v1/incidents/{id}/bundle", Endpoint::kIncidentBundle, kRead},
    // Coordination: roles (the commander role itself needs kCommand, checked by the handler), log, updates.
    {kGet, "/api/v1/incidents/{id}/coordination", Endpoint::kCoordination, kRead},
    {kPost, "/api/v1/incidents/{id}/roles", Endpoint::kAssignRole, kRespond},
    {kPost, "/api/v1/incidents/{id}/log", Endpoint::kLogEntry, kRespond},
    {kPost, "/api/v1/incidents/{id}/status-updates", Endpoint::kStatusUpdate, kCommunicate},
    {kGet, "/api/v1/incidents/{id}/vendor-grants", Endpoint::kListGrants, kRead},
    {kPost, "/api/v1/incidents/{id}/vendor-grants", Endpoint::kGrantVendor, kCommand},
    {kPost, "/api/v1/vendor-grants/{id}/revoke", Endpoint::kRevokeGrant, kCommand},
    {kGet, "/api/v1/vendors", Endpoint::kListVendors, kRead},
    // Shared responder pools. One path parameter per route, so a release names its pool in the body.
    {kGet, "/api/v1/incidents/{id}/pools", Endpoint::kIncidentPools, kRead},
    {kPost, "/api/v1/incidents/{id}/pools", Endpoint::kRequestPool, kRespond},
    {kPost, "/api/v1/incidents/{id}/pools/release", Endpoint::kReleasePool, kRespond},
    {kGet, "/api/v1/pools", Endpoint::kListPools, kRead},
    {kGet, "/api/v1/pools/{name}/queue", Endpoint::kPoolQueue, kRead},
    {kPost, "/api/v1/pools/{name}/yield", Endpoint::kYieldPool, kCommand},
    // Classification
    {kGet, "/api/v1/slos", Endpoint::kListSlos, kRead},
    {kGet, "/api/v1/routine", Endpoint::kRoutine, kRead},
    {kGet, "/api/v1/taxonomy", Endpoint::kTaxonomy, kRead},
    {kGet, "/api/v1/taxonomy/usage", Endpoint::kTaxonomyUsage, kRead},
    // Paging
    {kGet, "/api/v1/deliveries", Endpoint::kListDeliveries, kRead},
    {kGet, "/api/v1/escalation-policies", Endpoint::kEscalationPolicies, kRead},
    {kGet, "/api/v1/drills", Endpoint::kListDrills, kRead},
    {kGet, "/api/v1/drills/{name}", Endpoint::kGetDrill, kRead},
    {kPost, "/api/v1/drills/{name}/run", Endpoint::kRunDrill, kRespond},
    // Signed links from notifications: the token is the credential (see ack_link.h).
    {kGet, "/ack/{token}", Endpoint::kAckLink, kNone},
    {kPost, "/ack/{token}", Endpoint::kAckLink, kNone},
    // Maintenance windows and topology
    {kGet, "/api/v1/topology", Endpoint::kTopology, kRead},
    {kGet, "/api/v1/maintenance", Endpoint::kListWindows, kRead},
    {kPost, "/api/v1/maintenance", Endpoint::kCreateWindow, kRespond},
    {kGet, "/api/v1/maintenance/{window}", Endpoint::kGetWindow, kRead},
    {kDelete, "/api/v1/maintenance/{window}", Endpoint::kCancelWindow, kRespond},
    {kPost, "/api/v1/maintenance/{window}/extend", Endpoint::kExtendWindow, kRespond},
    {kPost, "/api/v1/maintenance/{window}/end", Endpoint::kEndWindow, kRespond},
    // On-call schedules
    {kGet, "/api/v1/schedules", Endpoint::kListSchedules, kRead},
    {kGet, "/api/v1/schedules/{name}", Endpoint::kGetSchedule, kRead},
    {kGet, "/api/v1/schedules/{name}/ical", Endpoint::kScheduleCalendar, kRead},
    {kPost, "/api/v1/schedules/{name}/overrides", Endpoint::kCreateOverride, kRespond},
    {kDelete, "/api/v1/schedules/{name}/overrides/{id}", Endpoint::kDeleteOverride, kRespond},
    // Alerts of both ingest paths (Events v2 and Alertmanager's API) with their state and incident
    {kGet, "/api/v1/alerts", Endpoint::kListAlerts, kRead},
    // The rest of Alertmanager's API v2
    {kGet, "/api/v2/alerts/groups", Endpoint::kAmAlertGroups, kRead},
    {kGet, "/api/v2/status", Endpoint::kAmStatus, kRead},
    {kGet, "/api/v2/receivers", Endpoint::kAmReceivers, kRead},
    {kGet, "/api/v2/silences", Endpoint::kAmListSilences, kRead},
    {kPost, "/api/v2/silences", Endpoint::kAmPostSilence, kRespond},
    {kGet, "/api/v2/silence/{silence}", Endpoint::kAmGetSilence, kRead},
    {kDelete, "/api/v2/silence/{silence}", Endpoint::kAmDeleteSilence, kRespond},
    {kGet, "/-/healthy", Endpoint::kAmHealthy, kNone},
    {kGet, "/-/ready", Endpoint::kAmReady, kNone},
    // The web UI: its files hold no data; the session routes check the cookie themselves (docs/ui.md).
    {kGet, "/", Endpoint::kUiIndex, kNone},
    {kGet, "/ui/{file}", Endpoint::kUiFile, kNone},
    {kPost, "/api/v1/session", Endpoint::kSignIn, kNone},
    {kGet, "/api/v1/session", Endpoint::kGetSession, kNone},
    {kDelete, "/api/v1/session", Endpoint::kSignOut, kNone},
};

enum class Param { kNone, kId, kToken, kName };

Param ParamOf(std::string_view segment) {
  if (segment.size() < 3 || segment.front() != '{' || segment.back() != '}') return Param::kNone;
  if (segment == "{id}") return Param::kId;
  if (segment == "{token}") return Param::kToken;
  return Param::kName;
}

// An incident id: 1.. in decimal without sign or leading zero, fitting 64 bits.
bool ParseId(std::string_view s, uint64_t& id) {
  if (s.empty() || s.size() > 20 || s[0] == '0') return false;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
  }
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), id);
  return ec == std::errc() && ptr == s.data() + s.size();
}

// A path segment we accept as a silence or maintenance window id or a service name: 1..200 of [A-Za-z0-9._-].
bool IsPlainSegment(std::string_view s) {
  if (s.empty() || s.size() > 200) return false;
  for (char c : s) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_' ||
              c == '.';
    if (!ok) return false;
  }
  return true;
}

// An acknowledgement token: 1..1024 of [A-Za-z0-9._~%-].
bool IsAckToken(std::string_view s) {
  if (s.empty() || s.size() > 1024) return false;
  for (char c : s) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_' ||
              c == '.' || c == '~' || c == '%';
    if (!ok) return false;
  }
  return true;
}

// Whether a path segment fills the pattern segment; a parameter's value goes to `id` or `param`.
bool SegmentFits(std::string_view pattern, std::string_view segment, uint64_t& id, std::string_view& param) {
  switch (ParamOf(pattern)) {
    case Param::kNone:
      return pattern == segment;
    case Param::kId:
      return ParseId(segment, id);
    case Param::kToken:
      if (!IsAckToken(segment)) return false;
      param = segment;
      return true;
    case Param::kName:
      if (!IsPlainSegment(segment)) return false;
      param = segment;
      return true;
  }
  return false;
}

// Splits off the next "/segment" of `rest`; false when `rest` is empty.
bool NextSegment(std::string_view& rest, std::string_view& segment) {
  if (rest.empty() || rest.front() != '/') return false;
  rest.remove_prefix(1);
  const size_t slash = rest.find('/');
  segment = rest.substr(0, slash);
  rest = slash == std::string_view::npos ? std::string_view() : rest.substr(slash);
  return true;
}

struct Compiled {
  Route route;
  std::string_view literal_prefix;  // the pattern up to its first parameter (all of it when it has none)
  bool has_param = false;
  std::string allow;  // every method of this pattern: "GET, POST"
};

bool Fits(const Compiled& c, std::string_view path, uint64_t& id, std::string_view& param) {
  if (!c.has_param) return path == c.route.pattern;
  if (!path.starts_with(c.literal_prefix)) return false;
  std::string_view pattern = c.route.pattern;
  std::string_view want, got;
  while (NextSegment(pattern, want)) {
    if (!NextSegment(path, got) || !SegmentFits(want, got, id, param)) return false;
  }
  return path.empty();
}

// Whether some path fits both patterns: same number of segments, and each pair of segments could be equal.
bool Overlap(std::string_view a, std::string_view b) {
  std::string_view sa, sb;
  for (;;) {
    const bool more_a = NextSegment(a, sa), more_b = NextSegment(b, sb);
    if (more_a != more_b) return false;
    if (!more_a) return true;
    const Param pa = ParamOf(sa), pb = ParamOf(sb);
    uint64_t id = 0;
    std::string_view param;
    if (pa == Param::kNone && pb == Param::kNone && sa != sb) return false;
    if (pa == Param::kNone && pb != Param::kNone && !SegmentFits(sb, sa, id, param)) return false;
    if (pb == Param::kNone && pa != Param::kNone && !SegmentFits(sa, sb, id, param)) return false;
    // Two parameters: some segment ("1") fits any pair of them.
  }
}

std::string Example(std::string_view pattern) {
  std::string out;
  std::string_view segment;
  while (NextSegment(pattern, segment)) {
    out += '/';
    switch (ParamOf(segment)) {
      case Param::kNone:
        out += segment;
        break;
      case Param::kId:
        out += "1";
        break;
      case Param::kToken:
      case Param::kName:
        out += "example";
        break;
    }
  }
  return out;
}

// Builds the table and checks what matching relies on; a broken table is a bug and aborts.
std::vector<Compiled> Compile() {
  std::vector<Compiled> table;
  for (const Row& row : kRows) {
    Compiled c;
    // Every POST reads a JSON body except the acknowledgement link's (a form button with no body to speak of).
    c.route = Route{row.method, row.pattern, row.endpoint, row.permission,
                    row.method == Method::kPost && row.endpoint != Endpoint::kAckLink, Example(row.pattern)};
    const size_t brace = row.pattern.find('{');
    c.has_param = brace != std::string_view::npos;
    c.literal_prefix = row.pattern.substr(0, brace);
    // Parameters only as whole segments, and at most one of each kind ({id}, and one text parameter), since the
    // request has one slot for each.
    INCIDENTD_CHECK(row.pattern.starts_with('/'));
    INCIDENTD_CHECK(!c.has_param || row.pattern[brace - 1] == '/');
    {
      int ids = 0, texts = 0;
      std::string_view rest = row.pattern, segment;
      while (NextSegment(rest, segment)) {
        const Param p = ParamOf(segment);
        ids += p == Param::kId ? 1 : 0;
        texts += p == Param::kName || p == Param::kToken ? 1 : 0;
        INCIDENTD_CHECK(p != Param::kNone || segment.find('{') == std::string_view::npos);
      }
      INCIDENTD_CHECK(ids <= 1 && texts <= 1);
    }
    table.push_back(std::move(c));
  }
  for (Compiled& c : table) {
    for (const Compiled& other : table) {
      if (&other == &c) continue;
      if (other.route.pattern == c.route.pattern) {
        INCIDENTD_CHECK(other.route.method != c.route.method);  // each (method, pattern) once
      } else {
        INCIDENTD_CHECK(!Overlap(c.route.pattern, other.route.pattern));  // no path fits two patterns
      }
    }
    for (Method m : {Method::kGet, Method::kPost, Method::kPut, Method::kDelete, Method::kPatch}) {
      for (const Compiled& other : table) {
        if (other.route.pattern == c.route.pattern && other.route.method == m) {
          c.allow += std::string(c.allow.empty() ? "" : ", ") + ToString(m);
        }
      }
    }
  }
  return table;
}

const std::vector<Compiled>& Table() {
  static const std::vector<Compiled> table = Compile();
  return table;
}

}  // namespace

const std::vector<Route>& Routes() {
  static const std::vector<Route> routes = [] {
    std::vector<Route> out;
    for (const Compiled& c : Table()) out.push_back(c.route);
    return out;
  }();
  return routes;
}

const char* ToString(Method method) {
  switch (method) {
    case Method::kGet:
      return "GET";
    case Method::kHead:
      return "HEAD";
    case Method::kPost:
      return "POST";
    case Method::kPut:
      return "PUT";
    case Method::kDelete:
      return "DELETE";
    case Method::kPatch:
      return "PATCH";
    case Method::kOptions:
      return "OPTIONS";
    case Method::kOther:
      return "OTHER";
  }
  return "OTHER";
}

RouteMatch MatchRoute(Method method, std::string_view path) {
  const Compiled* wrong_method = nullptr;
  for (const Compiled& c : Table()) {
    uint64_t id = 0;
    std::string_view param;
    if (!Fits(c, path, id, param)) continue;
    if (c.route.method != method) {
      wrong_method = &c;
      continue;
    }
    RouteMatch m;
    m.kind = RouteMatch::Kind::kFound;
    m.endpoint = c.route.endpoint;
    m.permission = c.route.permission;
    m.json_body = c.route.json_body;
    m.id = id;
    m.param = param;
    return m;
  }
  RouteMatch m;
  if (wrong_method != nullptr) {
    m.kind = RouteMatch::Kind::kMethodNotAllowed;
    m.allow = wrong_method->allow;
  }
  return m;
}

boost::asio::awaitable<Response> Dispatch(Context& ctx, Endpoint endpoint, Request& request) {
  if (request.principal != nullptr && request.principal->role == Role::kVendor) {
    // Every use of a vendor grant is journaled before it is served; the engine refuses an ended grant.
    engine::Outcome outcome;
    engine::Command use{request.principal->actor,
                        engine::UseVendorGrant{request.principal->vendor_grant,
                                               endpoint == Endpoint::kLogEntry ? "log" : "read",
                                               std::string(request.path)}};
    if (auto refused = co_await RunCommand(ctx, std::move(use), outcome)) co_return std::move(*refused);
  }
  switch (endpoint) {
    case Endpoint::kHealthz:
      co_return HandleHealthz(ctx);
    case Endpoint::kReadyz:
      co_return HandleReadyz(ctx);
    case Endpoint::kMetrics:
      co_return HandleMetrics(ctx);
    case Endpoint::kEnqueue:
      co_return co_await HandleEnqueue(ctx, request);
    case Endpoint::kListIncidents:
      co_return co_await HandleListIncidents(ctx, request);
    case Endpoint::kGetIncident:
      co_return co_await HandleGetIncident(ctx, request);
    case Endpoint::kTimeline:
      co_return co_await HandleTimeline(ctx, request);
    case Endpoint::kAcknowledge:
      co_return co_await HandleAcknowledge(ctx, request);
    case Endpoint::kResolve:
      co_return co_await HandleResolve(ctx, request);
    case Endpoint::kNotes:
      co_return co_await HandleNotes(ctx, request);
    case Endpoint::kVerifyJournal:
      co_return co_await HandleVerifyJournal(ctx);
    case Endpoint::kAmPostAlerts:
      co_return co_await HandleAmPostAlerts(ctx, request);
    case Endpoint::kAmGetAlerts:
      co_return co_await HandleAmGetAlerts(ctx, request);
    case Endpoint::kAmAlertGroups:
      co_return co_await HandleAmAlertGroups(ctx, request);
    case Endpoint::kAmStatus:
      co_return HandleAmStatus(ctx);
    case Endpoint::kAmReceivers:
      co_return HandleAmReceivers(ctx);
    case Endpoint::kAmListSilences:
      co_return HandleAmListSilences(ctx, request);
    case Endpoint::kAmPostSilence:
      co_return co_await HandleAmPostSilence(ctx, request);
    case Endpoint::kAmGetSilence:
      co_return HandleAmGetSilence(ctx, request);
    case Endpoint::kAmDeleteSilence:
      co_return co_await HandleAmDeleteSilence(ctx, request);
    case Endpoint::kAmHealthy:
      co_return Response{200, "text/plain; charset=utf-8", "OK", {}, 0, false, false, {}};
    case Endpoint::kAmReady:
      co_return HandleAmReady(ctx);
    case Endpoint::kAmWebhook:
      co_return co_await HandleAmWebhook(ctx, request);
    case Endpoint::kListWindows:
      co_return HandleListWindows(ctx);
    case Endpoint::kCreateWindow:
      co_return co_await HandleCreateWindow(ctx, request);
    case Endpoint::kGetWindow:
      co_return co_await HandleGetWindow(ctx, request);
    case Endpoint::kExtendWindow:
      co_return co_await HandleExtendWindow(ctx, request);
    case Endpoint::kEndWindow:
      co_return co_await HandleEndWindow(ctx, request, false);
    case Endpoint::kCancelWindow:
      co_return co_await HandleEndWindow(ctx, request, true);
    case Endpoint::kListSchedules:
      co_return HandleListSchedules(ctx);
    case Endpoint::kGetSchedule:
      co_return HandleGetSchedule(ctx, request);
    case Endpoint::kScheduleCalendar:
      co_return HandleScheduleCalendar(ctx, request);
    case Endpoint::kTopology:
      co_return HandleTopology(ctx);
    case Endpoint::kIncidentPaging:
      co_return HandleIncidentPaging(ctx, request);
    case Endpoint::kEscalate:
      co_return co_await HandleEscalate(ctx, request);
    case Endpoint::kListAlerts:
      co_return co_await HandleListAlerts(ctx, request);
    case Endpoint::kCreateOverride:
      co_return co_await HandleCreateOverride(ctx, request);
    case Endpoint::kDeleteOverride:
      co_return co_await HandleDeleteOverride(ctx, request);
    case Endpoint::kReassign:
      co_return co_await HandleReassign(ctx, request);
    case Endpoint::kListDeliveries:
      co_return HandleListDeliveries(ctx, request);
    case Endpoint::kEscalationPolicies:
      co_return HandleEscalationPolicies(ctx);
    case Endpoint::kListDrills:
      co_return HandleListDrills(ctx);
    case Endpoint::kGetDrill:
      co_return HandleGetDrill(ctx, request);
    case Endpoint::kRunDrill:
      co_return co_await HandleRunDrill(ctx, request);
    case Endpoint::kAckLink:
      co_return co_await HandleAckLink(ctx, request);
    case Endpoint::kTaxonomy:
      co_return HandleTaxonomy(ctx);
    case Endpoint::kTaxonomyUsage:
      co_return HandleTaxonomyUsage(ctx);
    case Endpoint::kReclassify:
      co_return co_await HandleReclassify(ctx, request);
    case Endpoint::kPostSli:
      co_return co_await HandlePostSli(ctx, request);
    case Endpoint::kListSlos:
      co_return HandleListSlos(ctx);
    case Endpoint::kRoutine:
      co_return HandleRoutine(ctx);
    case Endpoint::kConfigChanges:
      co_return HandleConfigChanges(ctx);
    case Endpoint::kCoordination:
      co_return HandleCoordination(ctx, request);
    case Endpoint::kAssignRole:
      co_return co_await HandleAssignRole(ctx, request);
    case Endpoint::kLogEntry:
      co_return co_await HandleLogEntry(ctx, request);
    case Endpoint::kStatusUpdate:
      co_return co_await HandleStatusUpdate(ctx, request);
    case Endpoint::kListVendors:
      co_return HandleListVendors(ctx);
    case Endpoint::kListGrants:
      co_return HandleListGrants(ctx, request);
    case Endpoint::kGrantVendor:
      co_return co_await HandleGrantVendor(ctx, request);
    case Endpoint::kRevokeGrant:
      co_return co_await HandleRevokeGrant(ctx, request);
    case Endpoint::kRecordHash:
      co_return co_await HandleRecordHash(ctx, request);
    case Endpoint::kIncidentBundle:
      co_return co_await HandleIncidentBundle(ctx, request);
    case Endpoint::kRegulatory:
      co_return HandleRegulatory(ctx, request);
    case Endpoint::kClassification:
      co_return HandleClassification(ctx, request);
    case Endpoint::kAssignOwner:
      co_return co_await HandleAssignOwner(ctx, request);
    case Endpoint::kRegulatoryFact:
      co_return co_await HandleRegulatoryFact(ctx, request);
    case Endpoint::kRegulatorySubmission:
      co_return co_await HandleRegulatorySubmission(ctx, request);
    case Endpoint::kListPools:
      co_return HandleListPools(ctx);
    case Endpoint::kPoolQueue:
      co_return HandlePoolQueue(ctx, request);
    case Endpoint::kIncidentPools:
      co_return HandleIncidentPools(ctx, request);
    case Endpoint::kRequestPool:
      co_return co_await HandleRequestPool(ctx, request);
    case Endpoint::kReleasePool:
      co_return co_await HandleReleasePool(ctx, request);
    case Endpoint::kYieldPool:
      co_return co_await HandleYieldPool(ctx, request);
    case Endpoint::kWhoami:
      co_return HandleWhoami(request);
    case Endpoint::kUiIndex:
      co_return HandleUiIndex(request);
    case Endpoint::kUiFile:
      co_return HandleUiFile(request);
    case Endpoint::kSignIn:
      co_return co_await HandleSignIn(ctx, request);
    case Endpoint::kGetSession:
      co_return HandleGetSession(ctx, request);
    case Endpoint::kSignOut:
      co_return HandleSignOut(ctx, request);
    case Endpoint::kEvents:
      break;  // the connection serves the stream itself
  }
  co_return ProblemResponse(kInternalProblem, "no handler");
}

}  // namespace http
