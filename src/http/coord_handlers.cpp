// Coordination over HTTP: incident roles (one commander, explicit hand-off), the typed incident log, status updates
// and the coordination view (roles, channel, cadence).
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

// The body as a JSON object. A plain function (see handlers.h on coroutines).
core::Result<json::value> Body(Context& ctx, const Request& request, json::storage_ptr storage) {
  core::Result<json::value> parsed = ParseJsonBody(request.body, ctx.options.max_json_depth, std::move(storage));
  if (!parsed.ok()) return parsed.error();
  if (!parsed->is_object()) return core::Invalid("request body must be a JSON object");
  return parsed;
}

core::Status Text(const json::object& o, const char* key, size_t max, std::string& out) {
  const json::value* v = o.if_contains(key);
  if (v == nullptr || v->is_null()) return core::Ok();
  if (!v->is_string() || v->get_string().size() > max) {
    return core::Invalid(std::string(key) + " must be a string of at most " + std::to_string(max) + " bytes",
                         std::string("/") + key);
  }
  out = std::string(v->get_string());
  return core::Ok();
}

core::Status Flag(const json::object& o, const char* key, bool& out) {
  const json::value* v = o.if_contains(key);
  if (v == nullptr || v->is_null()) return core::Ok();
  if (!v->is_bool()) return core::Invalid(std::string(key) + " must be true or false", std::string("/") + key);
  out = v->get_bool();
  return core::Ok();
}

core::Result<engine::AssignRole> RoleCommand(Context& ctx, const Request& request) {
  json::monotonic_resource arena;
  auto parsed = Body(ctx, request, &arena);
  if (!parsed.ok()) return parsed.error();
  const json::object& o = parsed->as_object();
  engine::AssignRole cmd;
  cmd.incident_id = request.id;
  if (auto st = Text(o, "role", 50, cmd.role); !st.ok()) return st.error();
  if (auto st = Text(o, "user", 200, cmd.user); !st.ok()) return st.error();
  if (auto st = Text(o, "reason", 10000, cmd.reason); !st.ok()) return st.error();
  if (auto st = Flag(o, "handoff", cmd.handoff); !st.ok()) return st.error();
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
  auto parsed = Body(ctx, request, &arena);
  if (!parsed.ok()) return parsed.error();
  const json::object& o = parsed->as_object();
  engine::AddLogEntry cmd;
  cmd.incident_id = request.id;
  if (auto st = Text(o, "kind", 50, cmd.kind); !st.ok()) return st.error();
  if (auto st = Text(o, "text", 10000, cmd.text); !st.ok()) return st.error();
  if (cmd.kind.empty()) return core::Invalid("kind is required", "/kind");
  return cmd;
}

core::Result<engine::PostStatusUpdate> UpdateCommand(Context& ctx, const Request& request) {
  json::monotonic_resource arena;
  auto parsed = Body(ctx, request, &arena);
  if (!parsed.ok()) return parsed.error();
  const json::object& o = parsed->as_object();
  engine::PostStatusUpdate cmd;
  cmd.incident_id = request.id;
  if (auto st = Text(o, "text", 10000, cmd.text); !st.ok()) return st.error();
  if (auto st = Flag(o, "no_change", cmd.no_change); !st.ok()) return st.error();
  return cmd;
}

template <typename Cmd>
Task<Response> Submit(Context& ctx, Request& request, core::Result<Cmd> cmd) {
  if (!cmd.ok()) co_return ErrorResponse(cmd.error());
  engine::Outcome outcome;
  engine::Command command{request.principal->actor, std::move(cmd).value()};
  if (auto refused = co_await RunCommand(ctx, std::move(command), outcome)) co_return std::move(*refused);
  co_return HandleCoordination(ctx, request);
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

Task<Response> HandleAssignRole(Context& ctx, Request& request) {
  return Submit(ctx, request, RoleCommand(ctx, request));
}

Task<Response> HandleLogEntry(Context& ctx, Request& request) { return Submit(ctx, request, LogCommand(ctx, request)); }

Task<Response> HandleStatusUpdate(Context& ctx, Request& request) {
  return Submit(ctx, request, UpdateCommand(ctx, request));
}

}  // namespace http
