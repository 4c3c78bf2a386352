// Maintenance windows (/api/v1/maintenance) and the topology in force (/api/v1/topology), translated to and from
// engine commands and the in-memory state. Reads copy what they need under the engine's shared lock and format JSON
// after releasing it (a window's next occurrence may take libical some work to find).
#include <algorithm>
#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <boost/json/array.hpp>
#include <boost/json/monotonic_resource.hpp>
#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>

#include "core/time.h"
#include "domain/correlate/maintenance.h"
#include "domain/correlate/topology.h"
#include "http/backend.h"
#include "http/blocking.h"
#include "http/handlers.h"
#include "http/metrics.h"
#include "http/server.h"
#include "http/views.h"

// g++ 12 reports a false -Wmismatched-new-delete on Asio's coroutine frames (see connection.cpp).
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"

namespace http {

namespace json = boost::json;

namespace {

// How many suppressed alerts GET /api/v1/maintenance/{id} lists.
constexpr uint32_t kSuppressedLimit = 1000;

core::Timestamp Now() {
  return std::chrono::time_point_cast<core::Duration>(std::chrono::system_clock::now());
}

Response Invalid(Context& ctx, const core::Error& error) {
  ctx.metrics.CountRejected(RejectReason::kInvalid);
  return ErrorResponse(error);
}

// The window as it is in the state, copied out (nullopt when there is no such window).
std::optional<correlate::WindowState> CopyWindow(Context& ctx, std::string_view id) {
  std::optional<correlate::WindowState> out;
  ctx.backend.ReadState([&](const engine::State& state) {
    auto it = state.alerts.windows.find(id);
    if (it != state.alerts.windows.end()) out = it->second;
  });
  return out;
}

Response WindowNotFound(std::string_view id) {
  return ErrorResponse(core::NotFound("maintenance window " + std::string(id) + " not found"));
}

// After a command on a window committed: the window as it now is.
Response WindowAfterCommit(Context& ctx, std::string_view id, int status) {
  std::optional<correlate::WindowState> window = CopyWindow(ctx, id);
  // The engine never drops a window, so this is only reached if it did: say so rather than answer with nothing.
  if (!window) return ErrorResponse(core::Internal("maintenance window " + std::string(id) + " vanished after commit"));
  return JsonResponse(status, json::serialize(correlate::WindowJson(*window, Now())));
}


// A body that must be a JSON object; an empty body reads as {} when `empty_ok`.
core::Result<json::object> ParseObject(Context& ctx, const Request& request, json::storage_ptr storage, bool empty_ok) {
  if (request.body.empty() && empty_ok) return json::object(storage);
  core::Result<json::value> body = ParseJsonBody(request.body, ctx.options.max_json_depth, storage);
  if (!body.ok()) return body.error();
  if (!body->is_object()) return core::Invalid("the body must be a JSON object");
  return std::move(body->as_object());
}

// {"until": RFC 3339} or {"by": "30m"}: the new end of the open occurrence. `by` counts from its current end.
core::Result<core::Timestamp> ParseExtension(const json::object& body, const correlate::WindowState& window) {
  for (const auto& kv : body) {
    if (kv.key() != "until" && kv.key() != "by") {
      return core::Invalid("unknown key (known: until, by)", "/" + std::string(kv.key()));
    }
  }
  const json::value* until = body.if_contains("until");
  const json::value* by = body.if_contains("by");
  if ((until == nullptr) == (by == nullptr)) {
    return core::Invalid("give exactly one of until (an RFC 3339 time) or by (a duration like 30m)",
                         until == nullptr ? "/until" : "/by");
  }
  if (until != nullptr) {
    core::Result<core::Timestamp> t = core::Invalid("not a string");
    if (until->is_string()) t = core::ParseRfc3339(until->get_string());
    if (!t.ok()) return core::Invalid("until must be an RFC 3339 time like 2026-12-06T05:00:00Z", "/until");
    return *t;
  }
  core::Result<core::Duration> d = core::Invalid("not a string");
  if (by->is_string()) d = core::ParseDuration(by->get_string());
  if (!d.ok() || d->count() <= 0) return core::Invalid("by must be a positive duration like 30m or 2h", "/by");
  return correlate::OpenEnd(window) + *d;
}

json::array Strings(const std::vector<std::string>& values) {
  json::array out;
  out.reserve(values.size());
  for (const auto& v : values) out.emplace_back(v);
  return out;
}

json::value OrNull(const std::string& text) {
  if (text.empty()) return nullptr;
  return json::value(text);
}

// The same shape as the configuration's `topology:` section, with defaults filled in.
json::object TopologyJson(const correlate::TopologyConfig& t) {
  json::array segments;
  for (const auto& s : t.segments) segments.push_back(json::object{{"name", s.name}});
  json::array hosts;
  for (const auto& h : t.hosts) {
    hosts.push_back(json::object{{"name", h.name}, {"segment", OrNull(h.segment)}, {"aliases", Strings(h.aliases)}});
  }
  json::array services;
  for (const auto& s : t.services) {
    services.push_back(
        json::object{{"name", s.name}, {"hosts", Strings(s.hosts)}, {"depends_on", Strings(s.depends_on)}});
  }
  json::array failures;
  for (const auto& f : t.failures) {
    json::array matchers;
    for (const auto& m : f.matchers) matchers.emplace_back(m.ToString());
    failures.push_back(json::object{{"rule", f.name},
                                    {"kind", correlate::ToString(f.kind)},
                                    {"matchers", std::move(matchers)},
                                    {"node_label", OrNull(f.node_label)}});
  }
  json::object o;
  o["window"] = core::FormatDuration(t.window);
  o["join_while_failing"] = t.join_while_failing;
  o["host_labels"] = Strings(t.host_labels);
  o["segments"] = std::move(segments);
  o["hosts"] = std::move(hosts);
  o["services"] = std::move(services);
  o["failures"] = std::move(failures);
  return o;
}

int StateRank(const json::object& window) {
  const json::value* state = window.if_contains("state");
  if (state == nullptr || !state->is_string()) return 3;
  if (state->get_string() == "open") return 0;
  if (state->get_string() == "scheduled") return 1;
  return 2;
}

}  // namespace

Response HandleListWindows(Context& ctx) {
  std::vector<correlate::WindowState> windows;
  ctx.backend.ReadState([&](const engine::State& state) {
    windows.reserve(state.alerts.windows.size());
    for (const auto& [id, w] : state.alerts.windows) windows.push_back(w);
  });
  const core::Timestamp now = Now();
  std::vector<json::object> views;
  views.reserve(windows.size());
  for (const auto& w : windows) views.push_back(correlate::WindowJson(w, now));
  // Open windows first, then scheduled, then ended; by name within each (the map's order is the random UUID's).
  std::stable_sort(views.begin(), views.end(), [](const json::object& a, const json::object& b) {
    int ra = StateRank(a), rb = StateRank(b);
    if (ra != rb) return ra < rb;
    return a.at("name").get_string() < b.at("name").get_string();
  });
  json::array out;
  out.reserve(views.size());
  for (auto& v : views) out.push_back(std::move(v));
  return JsonResponse(200, json::serialize(json::object{{"windows", std::move(out)}}));
}

Task<Response> HandleCreateWindow(Context& ctx, Request& request) {
  json::monotonic_resource arena;
  core::Result<json::value> body = ParseJsonBody(request.body, ctx.options.max_json_depth, &arena);
  if (!body.ok()) co_return Invalid(ctx, body.error());
  core::Result<correlate::Window> window = correlate::ParseWindow(*body, NewDedupKey(), request.principal->actor);
  if (!window.ok()) co_return Invalid(ctx, window.error());
  const std::string id = window->id;
  engine::Outcome outcome;
  engine::Command command{request.principal->actor, engine::SaveWindow{std::move(window).value()}};
  if (auto refused = co_await RunCommand(ctx, std::move(command), outcome)) co_return std::move(*refused);
  Response created = WindowAfterCommit(ctx, id, 201);
  if (created.status == 201) created.location = "/api/v1/maintenance/" + id;
  co_return created;
}

Task<Response> HandleGetWindow(Context& ctx, Request& request) {
  std::optional<correlate::WindowState> window = CopyWindow(ctx, request.param);
  if (!window) co_return WindowNotFound(request.param);
  Backend& backend = ctx.backend;
  const std::string id(request.param);
  using Rows = core::Result<std::vector<engine::AlertRow>>;
  Rows rows = *co_await OffThread(ctx, [&backend, &id] { return backend.store().WindowAlerts(id, kSuppressedLimit); });
  if (!rows.ok()) co_return ErrorResponse(rows.error());
  json::object view = correlate::WindowJson(*window, Now());
  json::array suppressed;
  suppressed.reserve(rows->size());
  for (const auto& row : *rows) suppressed.push_back(AlertView(row));
  view["suppressed"] = std::move(suppressed);
  co_return JsonResponse(200, json::serialize(view));
}

Task<Response> HandleExtendWindow(Context& ctx, Request& request) {
  json::monotonic_resource arena;
  core::Result<json::object> body = ParseObject(ctx, request, &arena, false);
  if (!body.ok()) co_return Invalid(ctx, body.error());
  std::optional<correlate::WindowState> window = CopyWindow(ctx, request.param);
  if (!window) co_return WindowNotFound(request.param);
  core::Result<core::Timestamp> until = ParseExtension(*body, *window);
  if (!until.ok()) co_return Invalid(ctx, until.error());
  const std::string id(request.param);
  engine::Outcome outcome;
  engine::Command command{request.principal->actor, engine::ExtendWindow{id, *until}};
  if (auto refused = co_await RunCommand(ctx, std::move(command), outcome)) co_return std::move(*refused);
  co_return WindowAfterCommit(ctx, id, 200);
}

Task<Response> HandleEndWindow(Context& ctx, Request& request, bool cancel) {
  if (!cancel) {
    // POST …/end takes no parameters: an empty body or {}.
    json::monotonic_resource arena;
    core::Result<json::object> body = ParseObject(ctx, request, &arena, true);
    if (body.ok() && !body->empty()) body = core::Invalid("unknown key", "/" + std::string(body->begin()->key()));
    if (!body.ok()) co_return Invalid(ctx, body.error());
  }
  const std::string id(request.param);
  engine::Outcome outcome;
  engine::Command command{request.principal->actor, engine::EndWindow{id, cancel}};
  if (auto refused = co_await RunCommand(ctx, std::move(command), outcome)) co_return std::move(*refused);
  co_return WindowAfterCommit(ctx, id, 200);
}

Response HandleTopology(Context& ctx) {
  correlate::TopologyConfig topology;
  ctx.backend.ReadState([&](const engine::State& state) { topology = state.alerts.topology.config(); });
  return JsonResponse(200, json::serialize(TopologyJson(topology)));
}

}  // namespace http
