// Coordination over HTTP: incident roles (one commander, explicit hand-off), the typed incident log, status updates
// and the coordination view (roles, channel, cadence).
#include <openssl/rand.h>

#include <array>

#include <boost/json/monotonic_resource.hpp>
#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>

#include "http/backend.h"
#include "http/handlers.h"
#include "http/problem.h"
#include "http/server.h"

namespace http {
namespace {

namespace json = boost::json;

core::Result<engine::AssignRole> RoleCommand(Context& ctx, const Request& request) {
  json::monotonic_resource arena;
  auto parsed = ParseObjectBody(ctx, request, &arena);
  if (!parsed.ok()) return parsed.error();
  const json::object& o = parsed->as_object();
  engine::AssignRole cmd;
  cmd.incident_id = request.id;
  if (auto st = ReadStringField(o, "role", 50, cmd.role); !st.ok()) return st.error();
  if (auto st = ReadStringField(o, "user", 200, cmd.user); !st.ok()) return st.error();
  if (auto st = ReadStringField(o, "reason", 10000, cmd.reason); !st.ok()) return st.error();
  if (auto st = ReadBoolField(o, "handoff", cmd.handoff); !st.ok()) return st.error();
  if (cmd.role.empty()) return core::Invalid("role is required", "/role");
  if (cmd.role == "commander" && !Allows(request.principal->role, Permission::kCommand)) {
    return core::Error{core::ErrorCode::kDenied,
                       std::string("role ") + ToString(request.principal->role) +
                           " may not take or hand off incident command (commander or admin may)",
                       {}};
  }
  cmd.actor_is_admin = request.principal->role == Role::kAdmin;
  return cmd;
}

core::Result<engine::AddLogEntry> LogCommand(Context& ctx, const Request& request) {
  json::monotonic_resource arena;
  auto parsed = ParseObjectBody(ctx, request, &arena);
  if (!parsed.ok()) return parsed.error();
  const json::object& o = parsed->as_object();
  engine::AddLogEntry cmd;
  cmd.incident_id = request.id;
  if (auto st = ReadStringField(o, "kind", 50, cmd.kind); !st.ok()) return st.error();
  if (auto st = ReadStringField(o, "text", 10000, cmd.text); !st.ok()) return st.error();
  if (cmd.kind.empty()) return core::Invalid("kind is required", "/kind");
  return cmd;
}

core::Result<engine::PostStatusUpdate> UpdateCommand(Context& ctx, const Request& request) {
  json::monotonic_resource arena;
  auto parsed = ParseObjectBody(ctx, request, &arena);
  if (!parsed.ok()) return parsed.error();
  const json::object& o = parsed->as_object();
  engine::PostStatusUpdate cmd;
  cmd.incident_id = request.id;
  if (auto st = ReadStringField(o, "text", 10000, cmd.text); !st.ok()) return st.error();
  if (auto st = ReadBoolField(o, "no_change", cmd.no_change); !st.ok()) return st.error();
  return cmd;
}

// POST /api/v1/incidents/{id}/vendor-grants: the token is made here (random, 256 bits) and only its hash goes to
// the engine and the journal.
struct GrantRequest {
  engine::GrantVendor command;
  std::string token;
};

core::Result<GrantRequest> GrantCommand(Context& ctx, const Request& request) {
  json::monotonic_resource arena;
  auto parsed = ParseObjectBody(ctx, request, &arena);
  if (!parsed.ok()) return parsed.error();
  const json::object& o = parsed->as_object();
  GrantRequest g;
  g.command.incident_id = request.id;
  std::string duration;
  if (auto st = ReadStringField(o, "vendor", 200, g.command.vendor); !st.ok()) return st.error();
  if (auto st = ReadStringField(o, "duration", 20, duration); !st.ok()) return st.error();
  if (auto st = ReadStringField(o, "reason", 10000, g.command.reason); !st.ok()) return st.error();
  if (g.command.vendor.empty()) return core::Invalid("vendor is required", "/vendor");
  const json::value* scopes = o.if_contains("scopes");
  if (scopes == nullptr || !scopes->is_array() || scopes->as_array().size() > 10) {
    return core::Invalid("scopes must be a list: read, log", "/scopes");
  }
  for (size_t i = 0; i < scopes->as_array().size(); ++i) {
    const json::value& s = scopes->as_array()[i];
    if (!s.is_string() || s.as_string().size() > 20) {
      return core::Invalid("a scope is read or log", "/scopes/" + std::to_string(i));
    }
    g.command.scopes.emplace_back(s.as_string());
  }
  if (duration.empty()) return core::Invalid("duration is required (e.g. 4h)", "/duration");
  auto d = core::ParseDuration(duration);
  if (!d.ok()) return core::Invalid(d.error().message, "/duration");
  g.command.duration = d.value();
  std::array<unsigned char, 32> bytes{};
  if (RAND_bytes(bytes.data(), static_cast<int>(bytes.size())) != 1) return core::Internal("no randomness for a token");
  static constexpr char kHex[] = "0123456789abcdef";
  g.token = "vnd_";
  for (unsigned char b : bytes) {
    g.token += kHex[b >> 4];
    g.token += kHex[b & 15];
  }
  g.command.token_sha256 = HashTokenHex(g.token);
  return g;
}

core::Result<engine::RevokeVendor> RevokeCommand(Context& ctx, const Request& request) {
  json::monotonic_resource arena;
  engine::RevokeVendor cmd;
  cmd.grant_id = request.id;
  if (request.body.empty()) return cmd;
  auto parsed = ParseObjectBody(ctx, request, &arena);
  if (!parsed.ok()) return parsed.error();
  if (auto st = ReadStringField(parsed->as_object(), "reason", 10000, cmd.reason); !st.ok()) return st.error();
  return cmd;
}

json::object GrantView(uint64_t id, const coord::Grant& g) {
  json::array scopes;
  for (const auto& s : g.scopes) scopes.emplace_back(s);
  return json::object{{"grant_id", id},
                      {"incident_id", g.incident_id},
                      {"vendor", g.vendor},
                      {"scopes", std::move(scopes)},
                      {"expires", core::FormatRfc3339(core::FromUnixMillis(g.expires_ms))},
                      {"ended", g.revoked.empty() ? json::value(nullptr) : json::value(g.revoked)},
                      {"uses", g.uses}};
}

}  // namespace

Response HandleCoordination(Context& ctx, Request& request) {
  const classify::Config& classification = ctx.backend.classification();
  const coord::Config& config = ctx.backend.coordination();
  const escalation::Config& paging = ctx.backend.paging();
  const core::Timestamp now = std::chrono::time_point_cast<core::Duration>(std::chrono::system_clock::now());
  std::optional<json::object> view;
  ctx.backend.ReadState([&](const engine::State& s) {
    const incident::Incident* inc = s.incidents.FindIncident(request.id);
    if (inc == nullptr) return;
    const incident::Config no_services;
    const classify::View cv{s.classify, s.incidents, classification, no_services};
    const escalation::View pv{s.paging, s.incidents, paging, no_services};
    const coord::View v{s.coord, config, cv, pv};
    const coord::IncidentCoord* c = s.coord.Find(inc->id);
    json::object o;
    o["incident_id"] = inc->id;
    json::object roles;
    for (const char* role : coord::kRoles) roles[role] = nullptr;
    if (c != nullptr) {
      for (const auto& [role, user] : c->roles) roles[role] = user;
    }
    o["roles"] = std::move(roles);
    if (c != nullptr && !c->chat_name.empty()) {
      o["channel"] = json::object{{"chat_name", c->chat_name},
                                  {"chat_url", c->chat_url.empty() ? json::value(nullptr) : json::value(c->chat_url)},
                                  {"bridge", c->bridge.empty() ? json::value(nullptr) : json::value(c->bridge)}};
    } else {
      o["channel"] = nullptr;
    }
    json::object updates;
    updates["last_update"] =
        c != nullptr && c->last_update_ms != 0
            ? json::value(json::object{{"time", core::FormatRfc3339(core::FromUnixMillis(c->last_update_ms))},
                                       {"text", c->last_update}})
            : json::value(nullptr);
    if (auto cadence = coord::CadenceOf(v, *inc, now)) {
      updates["severity"] = cadence->severity;
      updates["every_seconds"] = std::chrono::duration_cast<std::chrono::seconds>(cadence->every).count();
      updates["next_due"] = core::FormatRfc3339(cadence->next_due);
      updates["overdue"] = cadence->overdue;
    } else {
      updates["next_due"] = nullptr;
    }
    o["status_updates"] = std::move(updates);
    view = std::move(o);
  });
  if (!view) return ErrorResponse(core::NotFound("incident " + std::to_string(request.id) + " is not open or resolved"));
  return JsonResponse(200, json::serialize(*view));
}

Response HandleListVendors(Context& ctx) {
  json::array list;
  for (const auto& v : ctx.backend.coordination().vendors) {
    json::array contacts, scopes;
    for (const auto& c : v.contacts) contacts.emplace_back(c);
    for (const auto& s : v.scopes) scopes.emplace_back(s);
    list.push_back(json::object{{"name", v.name},
                                {"contacts", std::move(contacts)},
                                {"scopes", std::move(scopes)},
                                {"max_grant", core::FormatDuration(v.max_grant)},
                                {"protocol", v.protocol}});
  }
  return JsonResponse(200, json::serialize(json::object{{"vendors", std::move(list)}}));
}

Response HandleListGrants(Context& ctx, Request& request) {
  json::array list;
  bool known = false;
  ctx.backend.ReadState([&](const engine::State& s) {
    known = s.incidents.FindIncident(request.id) != nullptr;
    for (const auto& [id, g] : s.coord.grants) {
      if (g.incident_id == request.id) list.push_back(GrantView(id, g));
    }
  });
  if (!known) return ErrorResponse(core::NotFound("incident " + std::to_string(request.id) + " is not open or resolved"));
  return JsonResponse(200, json::serialize(json::object{{"grants", std::move(list)}}));
}

Task<Response> HandleGrantVendor(Context& ctx, Request& request) {
  core::Result<GrantRequest> grant = GrantCommand(ctx, request);
  if (!grant.ok()) co_return ErrorResponse(grant.error());
  std::string token = std::move(grant->token);
  engine::Outcome outcome;
  engine::Command command{request.principal->actor, std::move(grant->command)};
  if (auto refused = co_await RunCommand(ctx, std::move(command), outcome)) co_return std::move(*refused);
  co_return GrantCreated(ctx, outcome.grant_id, token);
}

Response GrantCreated(Context& ctx, uint64_t grant_id, const std::string& token) {
  std::optional<json::object> view;
  ctx.backend.ReadState([&](const engine::State& s) {
    if (const coord::Grant* g = s.coord.FindGrant(grant_id)) view = GrantView(grant_id, *g);
  });
  if (!view) return ErrorResponse(core::Internal("the grant was committed but is not in the state"));
  if (const coord::Vendor* v = ctx.backend.coordination().FindVendor((*view)["vendor"].as_string())) {
    json::array contacts;
    for (const auto& c : v->contacts) contacts.emplace_back(c);
    (*view)["contacts"] = std::move(contacts);
    (*view)["protocol"] = v->protocol;
  }
  (*view)["token"] = token;  // shown once; only its hash is kept
  Response res = JsonResponse(201, json::serialize(*view));
  return res;
}

Task<Response> HandleRevokeGrant(Context& ctx, Request& request) {
  core::Result<engine::RevokeVendor> cmd = RevokeCommand(ctx, request);
  if (!cmd.ok()) co_return ErrorResponse(cmd.error());
  engine::Outcome outcome;
  engine::Command command{request.principal->actor, std::move(cmd).value()};
  if (auto refused = co_await RunCommand(ctx, std::move(command), outcome)) co_return std::move(*refused);
  std::optional<json::object> view;
  ctx.backend.ReadState([&](const engine::State& s) {
    if (const coord::Grant* g = s.coord.FindGrant(request.id)) view = GrantView(request.id, *g);
  });
  if (!view) co_return ErrorResponse(core::NotFound("vendor grant " + std::to_string(request.id) + " is gone"));
  co_return JsonResponse(200, json::serialize(*view));
}

Task<Response> HandleAssignRole(Context& ctx, Request& request) {
  return CommandThenView(ctx, request, RoleCommand(ctx, request), &HandleCoordination);
}

Task<Response> HandleLogEntry(Context& ctx, Request& request) { return CommandThenView(ctx, request, LogCommand(ctx, request), &HandleCoordination); }

Task<Response> HandleStatusUpdate(Context& ctx, Request& request) {
  return CommandThenView(ctx, request, UpdateCommand(ctx, request), &HandleCoordination);
}

}  // namespace http
