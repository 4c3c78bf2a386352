// Shared responder pools over HTTP: the pools, a pool's queue (holders, waiting requests in order with position,
// priority and its reason, time waited, expected response, breach flag, conflicts, recent yields), an incident's
// requests, and the request / release / yield commands.
#include <boost/json/monotonic_resource.hpp>
#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>

#include "domain/pools/pools.h"
#include "http/backend.h"
#include "http/handlers.h"
#include "http/problem.h"
#include "http/server.h"

namespace http {
namespace {

namespace json = boost::json;

core::Timestamp Now() { return std::chrono::time_point_cast<core::Duration>(std::chrono::system_clock::now()); }

int64_t Seconds(core::Duration d) { return std::chrono::duration_cast<std::chrono::seconds>(d).count(); }

std::string Priority(uint8_t p) { return "P" + std::to_string(p); }

json::value Time(int64_t ms) { return ms == 0 ? json::value(nullptr) : json::value(core::FormatRfc3339(core::FromUnixMillis(ms))); }

json::array IdArray(const std::vector<uint64_t>& ids) {
  json::array out;
  for (uint64_t id : ids) out.push_back(id);
  return out;
}

// One request as every view shows it.
json::object EntryJson(const engine::State& s, const pools::Entry& e) {
  const pools::Request& r = *e.request;
  json::object o;
  o["incident_id"] = r.incident_id;
  o["pool"] = r.pool;
  if (const incident::Incident* inc = s.incidents.FindIncident(r.incident_id)) {
    o["title"] = inc->title;
    o["service"] = inc->service;
  }
  o["state"] = r.holding() ? "holding" : "waiting";
  o["priority"] = Priority(r.priority);
  o["severity"] = r.severity;
  o["priority_reason"] = r.reason;
  o["business_unit"] = r.unit;
  o["expectation_seconds"] = r.expect_ms > 0 ? json::value(r.expect_ms / 1000) : json::value(nullptr);
  o["requested_at"] = Time(r.requested_ms);
  o["requested_by"] = r.requested_by;
  o["note"] = r.note;
  if (r.holding()) {
    o["assigned_at"] = Time(r.assigned_ms);
    o["holding_seconds"] = Seconds(e.waited);
  } else {
    o["position"] = e.position;
    o["waited_seconds"] = Seconds(e.waited);
    o["respond_by"] = e.respond_by ? json::value(core::FormatRfc3339(*e.respond_by)) : json::value(nullptr);
    // The time left of the agreed expectation (0 once late); null without an expectation.
    o["expected_response_seconds"] =
        e.respond_by ? json::value(std::max<int64_t>(0, Seconds(e.remaining))) : json::value(nullptr);
    o["breached"] = e.late;
    o["conflicts_with"] = IdArray(e.conflicts_with);
  }
  return o;
}

json::object QueueJson(const engine::State& s, const pools::Pool& pool, core::Timestamp now) {
  const pools::Queue q = pools::QueueOf(s.pools, pool, now);
  json::object o;
  o["pool"] = pool.id;
  o["name"] = pool.name;
  json::array members;
  for (const auto& m : pool.members) members.push_back(json::value(m));
  o["members"] = std::move(members);
  o["capacity"] = q.capacity;
  o["free"] = q.free;
  json::array holders, waiting, conflicts;
  for (const auto& e : q.holders) holders.push_back(EntryJson(s, e));
  for (const auto& e : q.waiting) {
    waiting.push_back(EntryJson(s, e));
    if (e.conflicts_with.empty()) continue;
    json::array held;
    for (uint64_t id : e.conflicts_with) {
      const pools::Request* h = s.pools.Find(pool.id, id);
      held.push_back(json::object{{"incident_id", id}, {"priority", h != nullptr ? Priority(h->priority) : ""}});
    }
    conflicts.push_back(json::object{{"waiting", e.request->incident_id},
                                     {"priority", Priority(e.request->priority)},
                                     {"held_by_lower_priority", std::move(held)}});
  }
  o["holders"] = std::move(holders);
  o["queue"] = std::move(waiting);
  o["conflicts"] = std::move(conflicts);
  json::array yields;
  if (auto it = s.pools.yields.find(pool.id); it != s.pools.yields.end()) {
    for (auto y = it->second.rbegin(); y != it->second.rend(); ++y) {
      yields.push_back(json::object{{"from", y->from}, {"to", y->to}, {"reason", y->reason}, {"by", y->actor},
                                    {"at", Time(y->at_ms)}});
    }
  }
  o["yields"] = std::move(yields);  // newest first
  return o;
}

core::Status IncidentId(const json::object& o, const char* key, uint64_t& out) {
  const json::value* v = o.if_contains(key);
  if (v != nullptr && v->is_uint64() && v->get_uint64() > 0) {
    out = v->get_uint64();
    return core::Ok();
  }
  if (v != nullptr && v->is_int64() && v->get_int64() > 0) {
    out = static_cast<uint64_t>(v->get_int64());
    return core::Ok();
  }
  return core::Invalid(std::string(key) + " must be an incident id (a positive whole number)", std::string("/") + key);
}

core::Result<engine::RequestPool> RequestCommand(Context& ctx, const Request& request) {
  json::monotonic_resource arena;
  auto parsed = ParseObjectBody(ctx, request, &arena);
  if (!parsed.ok()) return parsed.error();
  const json::object& o = parsed->as_object();
  engine::RequestPool cmd;
  cmd.incident_id = request.id;
  if (auto st = ReadStringField(o, "pool", 200, cmd.pool); !st.ok()) return st.error();
  if (auto st = ReadStringField(o, "note", 10000, cmd.note); !st.ok()) return st.error();
  if (cmd.pool.empty()) return core::Invalid("pool is required", "/pool");
  return cmd;
}

core::Result<engine::ReleasePool> ReleaseCommand(Context& ctx, const Request& request) {
  json::monotonic_resource arena;
  auto parsed = ParseObjectBody(ctx, request, &arena);
  if (!parsed.ok()) return parsed.error();
  engine::ReleasePool cmd;
  cmd.incident_id = request.id;
  if (auto st = ReadStringField(parsed->as_object(), "pool", 200, cmd.pool); !st.ok()) return st.error();
  if (cmd.pool.empty()) return core::Invalid("pool is required", "/pool");
  return cmd;
}

core::Result<engine::YieldPool> YieldCommand(Context& ctx, const Request& request) {
  json::monotonic_resource arena;
  auto parsed = ParseObjectBody(ctx, request, &arena);
  if (!parsed.ok()) return parsed.error();
  const json::object& o = parsed->as_object();
  engine::YieldPool cmd;
  cmd.pool = std::string(request.param);
  if (auto st = IncidentId(o, "from", cmd.from); !st.ok()) return st.error();
  if (auto st = IncidentId(o, "to", cmd.to); !st.ok()) return st.error();
  if (auto st = ReadStringField(o, "reason", 10000, cmd.reason); !st.ok()) return st.error();
  if (cmd.reason.empty()) return core::Invalid("reason is required: why this incident goes first", "/reason");
  return cmd;
}

// The queue of a pool (nullopt: no such pool).
std::optional<std::string> QueueBody(Context& ctx, std::string_view id) {
  const pools::Pool* pool = ctx.backend.pools().Find(id);
  if (pool == nullptr) return std::nullopt;
  const core::Timestamp now = Now();
  std::string body;
  ctx.backend.ReadState([&](const engine::State& s) { body = json::serialize(QueueJson(s, *pool, now)); });
  return body;
}

// The incident's requests, each with its standing in its pool's queue.
Response IncidentPoolsResponse(Context& ctx, uint64_t id) {
  const pools::Config& config = ctx.backend.pools();
  const core::Timestamp now = Now();
  std::optional<json::object> view;
  ctx.backend.ReadState([&](const engine::State& s) {
    if (s.incidents.FindIncident(id) == nullptr) return;
    json::array out;
    for (const pools::Request* r : s.pools.OfIncident(id)) {
      const pools::Pool* pool = config.Find(r->pool);
      if (pool == nullptr) continue;
      const pools::Queue q = pools::QueueOf(s.pools, *pool, now);
      for (const auto* list : {&q.holders, &q.waiting}) {
        for (const auto& e : *list) {
          if (e.request == r) out.push_back(EntryJson(s, e));
        }
      }
    }
    view = json::object{{"incident_id", id}, {"pools", std::move(out)}};
  });
  if (!view) return ErrorResponse(core::NotFound("incident " + std::to_string(id) + " is closed or unknown"));
  return JsonResponse(200, json::serialize(*view));
}

template <typename Cmd>
Task<Response> Submit(Context& ctx, Request& request, core::Result<Cmd> cmd, bool answer_queue) {
  if (!cmd.ok()) co_return ErrorResponse(cmd.error());
  engine::Outcome outcome;
  engine::Command command{request.principal->actor, std::move(cmd).value()};
  if (auto refused = co_await RunCommand(ctx, std::move(command), outcome)) co_return std::move(*refused);
  if (answer_queue) co_return HandlePoolQueue(ctx, request);
  co_return IncidentPoolsResponse(ctx, request.id);
}

}  // namespace

Response HandleListPools(Context& ctx) {
  const pools::Config& config = ctx.backend.pools();
  const core::Timestamp now = Now();
  json::array out;
  ctx.backend.ReadState([&](const engine::State& s) {
    for (const auto& pool : config.pools) {
      const pools::Queue q = pools::QueueOf(s.pools, pool, now);
      json::object o;
      o["id"] = pool.id;
      o["name"] = pool.name;
      json::array members;
      for (const auto& m : pool.members) members.push_back(json::value(m));
      o["members"] = std::move(members);
      o["capacity"] = q.capacity;
      o["holding"] = q.holders.size();
      o["waiting"] = q.waiting.size();
      size_t conflicts = 0, late = 0;
      for (const auto& e : q.waiting) {
        conflicts += e.conflicts_with.empty() ? 0 : 1;
        late += e.late ? 1 : 0;
      }
      o["conflicts"] = conflicts;
      o["breached"] = late;
      json::object expectations;
      for (const auto& [unit, d] : pool.expectations) expectations[unit] = Seconds(d);
      o["expectations_seconds"] = std::move(expectations);
      out.push_back(std::move(o));
    }
  });
  return JsonResponse(200, json::serialize(json::object{{"pools", std::move(out)}}));
}

Response HandlePoolQueue(Context& ctx, Request& request) {
  auto body = QueueBody(ctx, request.param);
  if (!body) return ErrorResponse(core::NotFound("no pool named '" + std::string(request.param) + "'"));
  return JsonResponse(200, std::move(*body));
}

Response HandleIncidentPools(Context& ctx, Request& request) { return IncidentPoolsResponse(ctx, request.id); }

Task<Response> HandleRequestPool(Context& ctx, Request& request) {
  return Submit(ctx, request, RequestCommand(ctx, request), false);
}

Task<Response> HandleReleasePool(Context& ctx, Request& request) {
  return Submit(ctx, request, ReleaseCommand(ctx, request), false);
}

Task<Response> HandleYieldPool(Context& ctx, Request& request) {
  return Submit(ctx, request, YieldCommand(ctx, request), true);
}

}  // namespace http
