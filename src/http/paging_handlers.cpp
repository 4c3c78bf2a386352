// Paging over HTTP: an incident's escalation and deliveries, reassignment, the outbox, policies and routing, fire
// drills, and the signed acknowledgement links people follow from a notification.
#include <boost/json/array.hpp>
#include <boost/json/monotonic_resource.hpp>
#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>

#include "http/ack_link.h"
#include "http/backend.h"
#include "http/handlers.h"
#include "http/problem.h"
#include "http/server.h"

// g++ 12 reports a false -Wmismatched-new-delete on Asio's coroutine frames (see connection.cpp).
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"

namespace http {
namespace {

namespace json = boost::json;

core::Timestamp Now() { return std::chrono::time_point_cast<core::Duration>(std::chrono::system_clock::now()); }

json::value Time(int64_t ms) {
  if (ms == 0) return nullptr;
  return json::value(core::FormatRfc3339(core::FromUnixMillis(ms)));
}

json::array Strings(const std::vector<std::string>& v) {
  json::array a;
  for (const auto& s : v) a.emplace_back(s);
  return a;
}

json::object DeliveryView(const escalation::Delivery& d) {
  json::object o;
  o["id"] = d.id;
  o["incident_id"] = d.incident_id == 0 ? json::value(nullptr) : json::value(d.incident_id);
  o["user"] = d.user;
  o["channel"] = d.channel;
  o["address"] = d.address;
  o["kind"] = d.kind;
  o["subject"] = d.subject;
  o["key"] = d.key;
  o["page"] = d.page;
  o["state"] = escalation::ToString(d.state);
  o["queued_at"] = Time(d.queued_ms);
  o["next_attempt_at"] = d.state == escalation::DeliveryState::kPending ? Time(d.due_ms) : json::value(nullptr);
  o["attempts"] = d.attempts;
  o["last_status"] = d.status;
  o["last_error"] = d.error;
  o["finished_at"] = Time(d.done_ms);
  return o;
}

json::object PagingView(const engine::State& s, uint64_t incident_id) {
  json::object o;
  o["incident_id"] = incident_id;
  auto run = s.paging.drill_incidents.find(incident_id);
  o["drill"] = run != s.paging.drill_incidents.end();
  if (run != s.paging.drill_incidents.end()) o["drill_run"] = run->second;
  if (const escalation::Escalation* e = s.paging.FindEscalation(incident_id)) {
    json::object esc;
    esc["policy"] = e->policy.empty() ? json::value(nullptr) : json::value(e->policy);
    esc["rule"] = e->rule;
    esc["active"] = e->active;
    esc["step"] = e->step + 1;
    esc["round"] = e->round + 1;
    esc["next_step_at"] = Time(e->next_at_ms);
    esc["paged"] = Strings(e->paged);
    esc["problems"] = Strings(e->problems);
    esc["stopped"] = e->stopped.empty() ? json::value(nullptr) : json::value(e->stopped);
    o["escalation"] = std::move(esc);
  } else {
    o["escalation"] = nullptr;
  }
  json::array deliveries;
  for (const auto* d : s.paging.DeliveriesOf(incident_id)) deliveries.push_back(DeliveryView(*d));
  o["deliveries"] = std::move(deliveries);
  return o;
}

json::object RunView(const escalation::DrillRun& r) {
  json::object o;
  o["run"] = r.run;
  o["drill"] = r.drill;
  o["manual"] = r.manual;
  o["started_at"] = Time(r.started_ms);
  o["deadline"] = Time(r.deadline_ms);
  o["incident_id"] = r.incident_id == 0 ? json::value(nullptr) : json::value(r.incident_id);
  o["result"] = !r.finished ? "running" : (r.passed ? "passed" : "failed");
  o["broken_link"] = r.finished && !r.passed ? json::value(r.link) : json::value(nullptr);
  o["detail"] = r.detail;
  o["ack_seconds"] = r.passed ? json::value(static_cast<double>(r.ack_ms) / 1000.0) : json::value(nullptr);
  o["finished_at"] = Time(r.finished_ms);
  return o;
}

json::object DrillView(const escalation::Config& config, const escalation::Drill& d, const engine::State& s,
                       bool history) {
  json::object o;
  o["name"] = d.name;
  o["service"] = d.service;
  o["report_service"] = d.report_service.empty() ? d.service : d.report_service;
  o["sla_seconds"] = std::chrono::duration_cast<std::chrono::seconds>(d.sla).count();
  o["rrule"] = d.when.rrule;
  o["time_zone"] = d.when.time_zone;
  auto next = config.NextDrill(d.name, Now());
  o["next_run"] = next ? json::value(core::FormatRfc3339(*next)) : json::value(nullptr);
  json::array runs;
  size_t passed = 0, failed = 0;
  for (auto it = s.paging.runs.rbegin(); it != s.paging.runs.rend(); ++it) {
    if (it->second.drill != d.name) continue;
    if (it->second.finished) ++(it->second.passed ? passed : failed);
    if (history || runs.empty()) runs.push_back(RunView(it->second));
  }
  o["passed"] = passed;
  o["failed"] = failed;
  if (history) {
    o["runs"] = std::move(runs);
  } else {
    o["last_run"] = runs.empty() ? json::value(nullptr) : json::value(std::move(runs[0]));
  }
  return o;
}

core::Result<json::object> ObjectBody(Context& ctx, const Request& request, json::storage_ptr storage) {
  if (request.body.empty()) return json::object(storage);
  core::Result<json::value> body = ParseJsonBody(request.body, ctx.options.max_json_depth, storage);
  if (!body.ok()) return body.error();
  if (!body->is_object()) return core::Invalid("request body must be a JSON object");
  return std::move(body->as_object());
}

std::string Html(std::string_view s) {
  std::string out;
  for (char c : s) {
    switch (c) {
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '&': out += "&amp;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default: out.push_back(c);
    }
  }
  return out;
}

Response Page(int status, const std::string& title, const std::string& body_html) {
  Response r;
  r.status = status;
  r.content_type = "text/html; charset=utf-8";
  r.body = "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" "
           "content=\"width=device-width, initial-scale=1\"><title>" +
           Html(title) +
           "</title><style>body{font:16px/1.5 system-ui,sans-serif;max-width:36rem;margin:2rem auto;padding:0 1rem}"
           "button{font-size:1.1rem;padding:.6rem 1.4rem}</style></head><body><h1>" +
           Html(title) + "</h1>" + body_html + "</body></html>";
  return r;
}

// The body of a reassignment as a command. A plain function, not inside the coroutine: GCC 12 mishandles temporaries
// (initializer lists) in range-for loops inside coroutines.
core::Result<engine::ReassignIncident> ReassignCommand(Context& ctx, const Request& request) {
  json::monotonic_resource arena;
  core::Result<json::object> body = ObjectBody(ctx, request, &arena);
  if (!body.ok()) return body.error();
  engine::ReassignIncident cmd{request.id, {}, {}};
  static constexpr const char* kKeys[] = {"policy", "user"};
  for (const char* key : kKeys) {
    if (const json::value* v = body->if_contains(key)) {
      if (!v->is_string() || v->get_string().size() > 200) {
        return core::Invalid(std::string(key) + " must be a name", std::string("/") + key);
      }
      (std::string_view(key) == "policy" ? cmd.policy : cmd.user) = std::string(v->get_string());
    }
  }
  return cmd;
}

// The optional body of an escalate-now request ({"reason": "..."}) as a command. A plain function, as above.
core::Result<engine::EscalateIncident> EscalateCommand(Context& ctx, const Request& request) {
  json::monotonic_resource arena;
  core::Result<json::object> body = ObjectBody(ctx, request, &arena);
  if (!body.ok()) return body.error();
  engine::EscalateIncident cmd{request.id, {}};
  if (auto st = ReadStringField(*body, "reason", 500, cmd.reason); !st.ok()) return st.error();
  return cmd;
}

}  // namespace

Response HandleIncidentPaging(Context& ctx, Request& request) {
  json::object view;
  bool known = false;
  ctx.backend.ReadState([&](const engine::State& s) {
    known = request.id < s.incidents.next_incident_id;
    if (known) view = PagingView(s, request.id);
  });
  if (!known) return ErrorResponse(core::NotFound("incident " + std::to_string(request.id) + " does not exist"));
  return JsonResponse(200, json::serialize(view));
}

Task<Response> HandleReassign(Context& ctx, Request& request) {
  core::Result<engine::ReassignIncident> cmd = ReassignCommand(ctx, request);
  if (!cmd.ok()) co_return ErrorResponse(cmd.error());
  engine::Outcome outcome;
  engine::Command command{request.principal->actor, std::move(cmd).value()};
  if (auto refused = co_await RunCommand(ctx, std::move(command), outcome)) co_return std::move(*refused);
  co_return HandleIncidentPaging(ctx, request);
}

Task<Response> HandleEscalate(Context& ctx, Request& request) {
  co_return co_await CommandThenView(ctx, request, EscalateCommand(ctx, request), &HandleIncidentPaging);
}

Response HandleListDeliveries(Context& ctx, Request& request) {
  std::string state;
  size_t limit = 100;
  core::Status st = ForEachQueryParam(request.query, [&](const std::string& k, const std::string& v) -> core::Status {
    if (k == "state") {
      if (v != "pending" && v != "delivered" && v != "failed" && v != "cancelled") {
        return core::Invalid("state must be pending, delivered, failed or cancelled", "state");
      }
      state = v;
    } else if (k == "limit") {
      if (v.empty() || v.size() > 4 || v.find_first_not_of("0123456789") != std::string::npos || std::stoul(v) < 1 ||
          std::stoul(v) > 1000) {
        return core::Invalid("limit must be an integer from 1 to 1000", "limit");
      }
      limit = std::stoul(v);
    }
    return core::Ok();
  });
  if (!st.ok()) return ErrorResponse(st.error());
  json::array list;
  size_t pending = 0;
  ctx.backend.ReadState([&](const engine::State& s) {
    pending = s.paging.outbox.size();
    for (auto it = s.paging.deliveries.rbegin(); it != s.paging.deliveries.rend() && list.size() < limit; ++it) {
      if (!state.empty() && state != escalation::ToString(it->second.state)) continue;
      list.push_back(DeliveryView(it->second));
    }
  });
  json::object o;
  o["pending"] = pending;
  o["deliveries"] = std::move(list);
  return JsonResponse(200, json::serialize(o));
}

Response HandleEscalationPolicies(Context& ctx) {
  const escalation::Config& c = ctx.backend.paging();
  json::array policies;
  for (const auto& p : c.policies()) {
    json::object o;
    o["name"] = p.name;
    o["repeat"] = p.repeat;
    json::array steps;
    for (const auto& s : p.steps) {
      json::array targets;
      for (const auto& t : s.targets) targets.emplace_back(escalation::ToString(t));
      steps.push_back(json::object{{"delay_seconds", std::chrono::duration_cast<std::chrono::seconds>(s.delay).count()},
                                   {"targets", std::move(targets)}});
    }
    o["steps"] = std::move(steps);
    policies.push_back(std::move(o));
  }
  json::array routing;
  for (const auto& r : c.routes()) {
    routing.push_back(json::object{{"name", r.name},
                                   {"services", Strings(r.services)},
                                   {"severities", Strings(r.severities)},
                                   {"categories", Strings(r.categories)},
                                   {"criticalities", Strings(r.criticalities)},
                                   {"hours", escalation::ToString(r.hours)},
                                   {"policy", r.policy}});
  }
  return JsonResponse(200, json::serialize(json::object{{"policies", std::move(policies)}, {"routing", std::move(routing)}}));
}

Response HandleListDrills(Context& ctx) {
  const escalation::Config& c = ctx.backend.paging();
  json::array drills;
  ctx.backend.ReadState([&](const engine::State& s) {
    for (const auto& d : c.drills()) drills.push_back(DrillView(c, d, s, false));
  });
  return JsonResponse(200, json::serialize(json::object{{"drills", std::move(drills)}}));
}

Response HandleGetDrill(Context& ctx, Request& request) {
  const escalation::Config& c = ctx.backend.paging();
  const escalation::Drill* d = c.FindDrill(request.param);
  if (d == nullptr) return ErrorResponse(core::NotFound("drill '" + std::string(request.param) + "' is not configured"));
  json::object view;
  ctx.backend.ReadState([&](const engine::State& s) { view = DrillView(c, *d, s, true); });
  return JsonResponse(200, json::serialize(view));
}

Task<Response> HandleRunDrill(Context& ctx, Request& request) {
  engine::Outcome outcome;
  engine::Command command{request.principal->actor, engine::RunDrill{std::string(request.param)}};
  if (auto refused = co_await RunCommand(ctx, std::move(command), outcome)) co_return std::move(*refused);
  json::object o;
  o["run"] = std::stoull(outcome.message);
  o["drill"] = request.param;
  Response r = JsonResponse(202, json::serialize(o));
  r.location = "/api/v1/drills/" + std::string(request.param);
  co_return r;
}

Task<Response> HandleAckLink(Context& ctx, Request& request) {
  if (ctx.options.ack_secret.empty()) co_return ErrorResponse(core::NotFound("acknowledgement links are off"));
  auto claim = VerifyAckToken(ctx.options.ack_secret, request.param, Now());
  if (!claim.ok()) {
    co_return Page(claim.error().code == core::ErrorCode::kConflict ? 410 : 403, "Link not valid",
                   "<p>" + Html(claim.error().message) + ". Acknowledge in incidentd itself.</p>");
  }
  const std::string id = std::to_string(claim->incident_id);
  if (request.method == Method::kGet) {
    // A GET only shows the button: mail scanners that follow links must not acknowledge anything.
    co_return Page(200, "Acknowledge incident " + id,
                   "<p>Acknowledging tells everyone you are on it and stops the escalation.</p>"
                   "<form method=\"post\"><button type=\"submit\">Acknowledge as " +
                       Html(claim->user) + "</button></form>");
  }
  engine::Outcome outcome;
  engine::Command command{"link:" + claim->user, engine::AcknowledgeIncident{claim->incident_id}};
  core::Result<engine::Outcome> done = co_await SubmitAndWait(ctx, std::move(command));
  if (!done.ok()) co_return ErrorResponse(done.error());
  if (!done->status.ok()) {
    co_return Page(409, "Incident " + id + " not acknowledged", "<p>" + Html(done->status.error().message) + "</p>");
  }
  co_return Page(200, "Incident " + id + " acknowledged",
                 "<p>Acknowledged by " + Html(claim->user) + ". The escalation has stopped.</p>");
}

}  // namespace http
