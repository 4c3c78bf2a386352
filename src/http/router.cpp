#include "http/router.h"

#include <charconv>

#include "http/handlers.h"

namespace http {

namespace {

RouteMatch Found(Endpoint endpoint, Permission permission, bool json_body = false, uint64_t id = 0) {
  RouteMatch m;
  m.kind = RouteMatch::Kind::kFound;
  m.endpoint = endpoint;
  m.permission = permission;
  m.json_body = json_body;
  m.id = id;
  return m;
}

RouteMatch WrongMethod(std::string_view allow) {
  RouteMatch m;
  m.kind = RouteMatch::Kind::kMethodNotAllowed;
  m.allow = allow;
  return m;
}

RouteMatch Get(Method method, Endpoint endpoint, Permission permission, uint64_t id = 0) {
  if (method != Method::kGet) return WrongMethod("GET");
  return Found(endpoint, permission, false, id);
}

RouteMatch Post(Method method, Endpoint endpoint, Permission permission, uint64_t id = 0) {
  if (method != Method::kPost) return WrongMethod("POST");
  return Found(endpoint, permission, true, id);
}

// "<prefix>{id}[/rest]": parses id (1.. without leading zeros or sign) and leaves `rest`.
bool SplitIdPath(std::string_view path, std::string_view prefix, uint64_t& id, std::string_view& rest) {
  if (path.substr(0, prefix.size()) != prefix) return false;
  path.remove_prefix(prefix.size());
  size_t digits = 0;
  while (digits < path.size() && path[digits] >= '0' && path[digits] <= '9') ++digits;
  if (digits == 0 || path[0] == '0') return false;
  auto [ptr, ec] = std::from_chars(path.data(), path.data() + digits, id);
  if (ec != std::errc() || ptr != path.data() + digits) return false;
  rest = path.substr(digits);
  return true;
}

RouteMatch WithParam(RouteMatch m, std::string_view param) {
  m.param = param;
  return m;
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

RouteMatch MatchAlertmanager(Method method, std::string_view path) {
  if (path == "/api/v2/alerts") {
    if (method == Method::kPost) return Found(Endpoint::kAmPostAlerts, Permission::kIngest, true);
    if (method == Method::kGet) return Found(Endpoint::kAmGetAlerts, Permission::kRead);
    return WrongMethod("GET, POST");
  }
  if (path == "/api/v2/alerts/groups") return Get(method, Endpoint::kAmAlertGroups, Permission::kRead);
  if (path == "/api/v2/status") return Get(method, Endpoint::kAmStatus, Permission::kRead);
  if (path == "/api/v2/receivers") return Get(method, Endpoint::kAmReceivers, Permission::kRead);
  if (path == "/api/v2/silences") {
    if (method == Method::kPost) return Found(Endpoint::kAmPostSilence, Permission::kRespond, true);
    if (method == Method::kGet) return Found(Endpoint::kAmListSilences, Permission::kRead);
    return WrongMethod("GET, POST");
  }
  constexpr std::string_view kSilence = "/api/v2/silence/";
  if (path.substr(0, kSilence.size()) == kSilence && IsPlainSegment(path.substr(kSilence.size()))) {
    std::string_view id = path.substr(kSilence.size());
    if (method == Method::kGet) return WithParam(Found(Endpoint::kAmGetSilence, Permission::kRead), id);
    if (method == Method::kDelete) return WithParam(Found(Endpoint::kAmDeleteSilence, Permission::kRespond), id);
    return WrongMethod("GET, DELETE");
  }
  constexpr std::string_view kWebhook = "/api/v1/integrations/alertmanager/";
  if (path.substr(0, kWebhook.size()) == kWebhook && IsPlainSegment(path.substr(kWebhook.size()))) {
    return WithParam(Post(method, Endpoint::kAmWebhook, Permission::kIngest), path.substr(kWebhook.size()));
  }
  if (path == "/-/healthy") return Get(method, Endpoint::kAmHealthy, Permission::kNone);
  if (path == "/-/ready") return Get(method, Endpoint::kAmReady, Permission::kNone);
  return RouteMatch{};
}

// "/api/v1/maintenance[/{id}[/extend|/end]]" and "/api/v1/topology".
RouteMatch MatchMaintenance(Method method, std::string_view path) {
  if (path == "/api/v1/topology") return Get(method, Endpoint::kTopology, Permission::kRead);
  if (path == "/api/v1/maintenance") {
    if (method == Method::kPost) return Found(Endpoint::kCreateWindow, Permission::kRespond, true);
    if (method == Method::kGet) return Found(Endpoint::kListWindows, Permission::kRead);
    return WrongMethod("GET, POST");
  }
  constexpr std::string_view kWindow = "/api/v1/maintenance/";
  if (path.substr(0, kWindow.size()) != kWindow) return RouteMatch{};
  std::string_view rest = path.substr(kWindow.size());
  const std::string_view id = rest.substr(0, rest.find('/'));
  if (!IsPlainSegment(id)) return RouteMatch{};
  rest.remove_prefix(id.size());
  if (rest.empty()) {
    if (method == Method::kGet) return WithParam(Found(Endpoint::kGetWindow, Permission::kRead), id);
    if (method == Method::kDelete) return WithParam(Found(Endpoint::kCancelWindow, Permission::kRespond), id);
    return WrongMethod("GET, DELETE");
  }
  if (rest == "/extend") return WithParam(Post(method, Endpoint::kExtendWindow, Permission::kRespond), id);
  if (rest == "/end") return WithParam(Post(method, Endpoint::kEndWindow, Permission::kRespond), id);
  return RouteMatch{};
}

}  // namespace

RouteMatch MatchRoute(Method method, std::string_view path) {
  if (path == "/v2/enqueue") return Post(method, Endpoint::kEnqueue, Permission::kIngest);
  if (path == "/api/v1/incidents") return Get(method, Endpoint::kListIncidents, Permission::kRead);
  if (path == "/api/v1/events") return Get(method, Endpoint::kEvents, Permission::kRead);
  if (path == "/api/v1/journal/verify") return Get(method, Endpoint::kVerifyJournal, Permission::kAdmin);
  if (path == "/healthz") return Get(method, Endpoint::kHealthz, Permission::kNone);
  if (path == "/readyz") return Get(method, Endpoint::kReadyz, Permission::kNone);
  if (path == "/metrics") return Get(method, Endpoint::kMetrics, Permission::kNone);
  uint64_t id = 0;
  std::string_view rest;
  if (SplitIdPath(path, "/api/v1/journal/records/", id, rest) && rest == "/hash") {
    return Get(method, Endpoint::kRecordHash, Permission::kRead, id);
  }
  if (SplitIdPath(path, "/api/v1/incidents/", id, rest)) {
    if (rest.empty()) return Get(method, Endpoint::kGetIncident, Permission::kRead, id);
    if (rest == "/timeline") return Get(method, Endpoint::kTimeline, Permission::kRead, id);
    if (rest == "/bundle") return Get(method, Endpoint::kIncidentBundle, Permission::kRead, id);
    if (rest == "/acknowledge") return Post(method, Endpoint::kAcknowledge, Permission::kRespond, id);
    if (rest == "/resolve") return Post(method, Endpoint::kResolve, Permission::kRespond, id);
    if (rest == "/notes") return Post(method, Endpoint::kNotes, Permission::kRespond, id);
    if (rest == "/paging") return Get(method, Endpoint::kIncidentPaging, Permission::kRead, id);
    if (rest == "/reassign") return Post(method, Endpoint::kReassign, Permission::kRespond, id);
    if (rest == "/reclassify") return Post(method, Endpoint::kReclassify, Permission::kRespond, id);
    if (rest == "/regulatory") return Get(method, Endpoint::kRegulatory, Permission::kRead, id);
    if (rest == "/classification") return Get(method, Endpoint::kClassification, Permission::kRead, id);
    if (rest == "/owner") return Post(method, Endpoint::kAssignOwner, Permission::kRespond, id);
    if (rest == "/coordination") return Get(method, Endpoint::kCoordination, Permission::kRead, id);
    if (rest == "/roles") return Post(method, Endpoint::kAssignRole, Permission::kRespond, id);
    if (rest == "/log") return Post(method, Endpoint::kLogEntry, Permission::kRespond, id);
    if (rest == "/status-updates") return Post(method, Endpoint::kStatusUpdate, Permission::kRespond, id);
    if (rest == "/regulatory/facts") return Post(method, Endpoint::kRegulatoryFact, Permission::kRespond, id);
    if (rest == "/regulatory/submissions") {
      return Post(method, Endpoint::kRegulatorySubmission, Permission::kRespond, id);
    }
  }
  if (path == "/api/v1/sli") return Post(method, Endpoint::kPostSli, Permission::kIngest);
  if (path == "/api/v1/slos") return Get(method, Endpoint::kListSlos, Permission::kRead);
  if (path == "/api/v1/routine") return Get(method, Endpoint::kRoutine, Permission::kRead);
  if (path == "/api/v1/config/changes") return Get(method, Endpoint::kConfigChanges, Permission::kAdmin);
  if (path == "/api/v1/taxonomy") return Get(method, Endpoint::kTaxonomy, Permission::kRead);
  if (path == "/api/v1/taxonomy/usage") return Get(method, Endpoint::kTaxonomyUsage, Permission::kRead);
  if (path == "/api/v1/deliveries") return Get(method, Endpoint::kListDeliveries, Permission::kRead);
  if (path == "/api/v1/escalation-policies") return Get(method, Endpoint::kEscalationPolicies, Permission::kRead);
  if (path == "/api/v1/drills") return Get(method, Endpoint::kListDrills, Permission::kRead);
  if (constexpr std::string_view kDrill = "/api/v1/drills/"; path.starts_with(kDrill)) {
    std::string_view name = path.substr(kDrill.size());
    const bool run = name.ends_with("/run");
    if (run) name.remove_suffix(4);
    if (!IsPlainSegment(name)) return RouteMatch{};
    if (run) return WithParam(Post(method, Endpoint::kRunDrill, Permission::kRespond), name);
    return WithParam(Get(method, Endpoint::kGetDrill, Permission::kRead), name);
  }
  if (constexpr std::string_view kAck = "/ack/"; path.starts_with(kAck)) {
    // Signed links from notifications: the token is the credential (see ack_link.h).
    std::string_view token = path.substr(kAck.size());
    if (!IsAckToken(token)) return RouteMatch{};
    if (method != Method::kGet && method != Method::kPost) return WrongMethod("GET, POST");
    return WithParam(Found(Endpoint::kAckLink, Permission::kNone, false), token);
  }
  if (path.starts_with("/api/v1/maintenance") || path == "/api/v1/topology") return MatchMaintenance(method, path);
  if (path == "/api/v1/schedules") return Get(method, Endpoint::kListSchedules, Permission::kRead);
  if (constexpr std::string_view kSchedule = "/api/v1/schedules/"; path.starts_with(kSchedule)) {
    std::string_view name = path.substr(kSchedule.size());
    const bool calendar = name.ends_with("/ical");
    if (calendar) name.remove_suffix(5);
    if (!IsPlainSegment(name)) return RouteMatch{};
    return WithParam(Get(method, calendar ? Endpoint::kScheduleCalendar : Endpoint::kGetSchedule, Permission::kRead),
                     name);
  }
  return MatchAlertmanager(method, path);
}

boost::asio::awaitable<Response> Dispatch(Context& ctx, Endpoint endpoint, Request& request) {
  switch (endpoint) {
    case Endpoint::kHealthz:
      co_return HandleHealthz();
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
    case Endpoint::kRecordHash:
      co_return co_await HandleRecordHash(ctx, request);
    case Endpoint::kIncidentBundle:
      co_return co_await HandleIncidentBundle(ctx, request);
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
    case Endpoint::kEvents:
      break;  // the connection serves the stream itself
  }
  co_return ProblemResponse(kInternalProblem, "no handler");
}

}  // namespace http
