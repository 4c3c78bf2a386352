// On-call schedules over HTTP: who is on call now, the shifts of a period and its coverage gaps, and the overrides
// people make at run time. Every view shows the effective schedule (configured overrides, then created ones).
#include <optional>

#include <boost/json/array.hpp>
#include <boost/json/monotonic_resource.hpp>
#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>

#include "core/time.h"
#include "domain/escalation/overrides.h"
#include "domain/oncall/ical.h"
#include "domain/oncall/schedule.h"
#include "http/backend.h"
#include "http/handlers.h"
#include "http/problem.h"

// g++ 12 reports a false -Wmismatched-new-delete on Asio's coroutine frames (see connection.cpp).
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"

namespace http {
namespace {

namespace json = boost::json;

constexpr auto kDefaultPeriod = std::chrono::hours(24 * 14);  // the coverage report looks two weeks ahead

core::Timestamp Now() {
  return std::chrono::time_point_cast<core::Duration>(std::chrono::system_clock::now());
}

json::array Users(const std::vector<std::string>& users) {
  json::array a;
  for (const auto& u : users) a.emplace_back(u);
  return a;
}

const oncall::Schedule* FindConfigured(Context& ctx, std::string_view name) {
  for (const auto& s : ctx.backend.schedules()) {
    if (s.definition().name == name) return &s;
  }
  return nullptr;
}

std::vector<escalation::CreatedOverride> CreatedOf(Context& ctx, std::string_view name) {
  std::vector<escalation::CreatedOverride> created;
  ctx.backend.ReadState([&](const engine::State& s) { created = escalation::CreatedOverridesOf(s.paging, name); });
  return created;
}

// The configured schedule with the overrides made at run time applied (built outside the state lock).
std::optional<oncall::Schedule> Find(Context& ctx, std::string_view name,
                                     std::vector<escalation::CreatedOverride>* created_out = nullptr) {
  const oncall::Schedule* base = FindConfigured(ctx, name);
  if (base == nullptr) return std::nullopt;
  std::vector<escalation::CreatedOverride> created = CreatedOf(ctx, name);
  oncall::Schedule effective = escalation::WithCreatedOverrides(*base, created);
  if (created_out != nullptr) *created_out = std::move(created);
  return effective;
}

json::value OrNull(const std::string& s) { return s.empty() ? json::value(nullptr) : json::value(s); }

json::object OverrideView(const std::string& schedule, const escalation::CreatedOverride& o) {
  json::object v;
  v["id"] = o.id;
  v["source"] = "api";
  v["schedule"] = schedule;
  v["start"] = core::FormatRfc3339(core::FromUnixMillis(o.start_ms));
  v["end"] = core::FormatRfc3339(core::FromUnixMillis(o.end_ms));
  v["kind"] = escalation::ToString(o.kind);
  v["user"] = o.user;
  v["replaced_user"] = OrNull(o.replaced_user);
  v["reason"] = OrNull(o.reason);
  v["created_by"] = o.created_by;
  v["created_at"] = core::FormatRfc3339(core::FromUnixMillis(o.created_ms));
  return v;
}

json::object ConfiguredOverrideView(const std::string& schedule, const oncall::Override& o) {
  json::object v;
  v["id"] = nullptr;
  v["source"] = "config";
  v["schedule"] = schedule;
  v["start"] = core::FormatRfc3339(o.start);
  v["end"] = core::FormatRfc3339(o.end);
  v["kind"] = escalation::ToString(o.kind);
  v["user"] = o.user;
  v["replaced_user"] = OrNull(o.replaced_user);
  v["reason"] = nullptr;
  v["created_by"] = nullptr;
  v["created_at"] = nullptr;
  return v;
}

core::Result<core::Timestamp> ReadTime(const json::object& body, const char* key) {
  const json::value* v = body.if_contains(key);
  if (v == nullptr || !v->is_string()) {
    return core::Invalid(std::string(key) + " must be an RFC 3339 time", std::string("/") + key);
  }
  auto t = core::ParseRfc3339(std::string(v->get_string()));
  if (!t.ok()) return core::Invalid(std::string(key) + " must be an RFC 3339 time", std::string("/") + key);
  return t.value();
}

// The body of POST /api/v1/schedules/{name}/overrides as a command. A plain function (see handlers.h).
core::Result<engine::CreateOverride> OverrideCommand(Context& ctx, const Request& request) {
  json::monotonic_resource arena;
  core::Result<json::value> parsed = ParseObjectBody(ctx, request, &arena);
  if (!parsed.ok()) return parsed.error();
  const json::object& body = parsed->as_object();
  engine::CreateOverride cmd;
  escalation::OverrideRequest& r = cmd.request;
  r.schedule = std::string(request.param);
  r.kind = "replace";
  auto start = ReadTime(body, "start");
  if (!start.ok()) return start.error();
  auto end = ReadTime(body, "end");
  if (!end.ok()) return end.error();
  r.start = start.value();
  r.end = end.value();
  if (auto st = ReadStringField(body, "kind", 20, r.kind); !st.ok()) return st.error();
  if (auto st = ReadStringField(body, "user", 200, r.user); !st.ok()) return st.error();
  if (auto st = ReadStringField(body, "replaced_user", 200, r.replaced_user); !st.ok()) return st.error();
  if (auto st = ReadStringField(body, "reason", 500, r.reason); !st.ok()) return st.error();
  return cmd;
}

Response OverrideMade(Context& ctx, const std::string& schedule, uint64_t id) {
  std::optional<escalation::CreatedOverride> found;
  ctx.backend.ReadState([&](const engine::State& s) {
    auto it = s.paging.overrides.find(id);
    if (it != s.paging.overrides.end()) found = it->second;
  });
  if (!found) return ErrorResponse(core::NotFound("override " + std::to_string(id) + " is gone"));
  Response r = JsonResponse(201, json::serialize(OverrideView(schedule, *found)));
  r.location = "/api/v1/schedules/" + schedule + "/overrides/" + std::to_string(id);
  return r;
}

}  // namespace

Response HandleListSchedules(Context& ctx) {
  const core::Timestamp now = Now();
  json::array list;
  std::vector<escalation::CreatedOverride> all;
  ctx.backend.ReadState([&](const engine::State& st) {
    for (const auto& [id, o] : st.paging.overrides) all.push_back(o);
  });
  for (const auto& configured : ctx.backend.schedules()) {
    std::vector<escalation::CreatedOverride> created;
    for (const auto& o : all) {
      if (o.schedule == configured.definition().name) created.push_back(o);
    }
    const oncall::Schedule s = escalation::WithCreatedOverrides(configured, created);
    json::object o;
    o["name"] = s.definition().name;
    o["time_zone"] = s.definition().time_zone;
    o["on_call_now"] = Users(s.OnCallAt(now));
    auto next = s.NextShifts(now, 2);
    o["next_handoff"] = next.size() >= 2 ? json::value(core::FormatRfc3339(next[1].start)) : json::value(nullptr);
    o["gaps_next_14_days"] = s.Gaps(now, now + kDefaultPeriod).size();
    list.push_back(std::move(o));
  }
  return JsonResponse(200, json::serialize(json::object{{"schedules", std::move(list)}}));
}

Response HandleGetSchedule(Context& ctx, Request& request) {
  std::vector<escalation::CreatedOverride> created;
  const std::optional<oncall::Schedule> schedule = Find(ctx, request.param, &created);
  if (!schedule) {
    return ErrorResponse(core::NotFound("schedule '" + std::string(request.param) + "' is not configured"));
  }
  const core::Timestamp now = Now();
  core::Timestamp from = now;
  core::Timestamp to = now + kDefaultPeriod;
  core::Status st = ForEachQueryParam(request.query, [&](const std::string& key, const std::string& value) {
    if (key != "from" && key != "to") return core::Status(core::Invalid("unknown parameter " + key, key));
    auto t = core::ParseRfc3339(value);
    if (!t.ok()) return core::Status(core::Invalid(key + " must be an RFC 3339 time", key));
    (key == "from" ? from : to) = t.value();
    return core::Ok();
  });
  if (st.ok() && to <= from) st = core::Invalid("to must be after from", "to");
  if (st.ok() && to - from > oncall::Schedule::kMaxQueryPeriod) {
    st = core::Invalid("the period is longer than two years", "to");
  }
  if (!st.ok()) return ErrorResponse(st.error());
  json::object o;
  o["name"] = schedule->definition().name;
  o["time_zone"] = schedule->definition().time_zone;
  o["on_call_now"] = Users(schedule->OnCallAt(now));
  o["from"] = core::FormatRfc3339(from);
  o["to"] = core::FormatRfc3339(to);
  json::array shifts;
  for (const auto& shift : schedule->Shifts(from, to)) {
    shifts.push_back(json::object{{"start", core::FormatRfc3339(shift.start)},
                                  {"end", core::FormatRfc3339(shift.end)},
                                  {"users", Users(shift.users)}});
  }
  o["shifts"] = std::move(shifts);
  json::array gaps;
  for (const auto& gap : schedule->Gaps(from, to)) {
    gaps.push_back(json::object{{"start", core::FormatRfc3339(gap.start)}, {"end", core::FormatRfc3339(gap.end)}});
  }
  o["gaps"] = std::move(gaps);
  // The configured overrides come first in the effective definition; the created ones follow them.
  const std::string name = schedule->definition().name;
  const auto& all = schedule->definition().overrides;
  json::array overrides;
  for (size_t i = 0; i + created.size() < all.size(); ++i) overrides.push_back(ConfiguredOverrideView(name, all[i]));
  for (const auto& c : created) overrides.push_back(OverrideView(name, c));
  o["overrides"] = std::move(overrides);
  return JsonResponse(200, json::serialize(o));
}

Response HandleScheduleCalendar(Context& ctx, Request& request) {
  const std::optional<oncall::Schedule> schedule = Find(ctx, request.param);
  if (!schedule) {
    return ErrorResponse(core::NotFound("schedule '" + std::string(request.param) + "' is not configured"));
  }
  std::string user;
  int64_t days = 60;
  core::Status st = ForEachQueryParam(request.query, [&](const std::string& key, const std::string& value) {
    if (key == "user") {
      user = value;
      return core::Ok();
    }
    if (key == "days") {
      if (value.empty() || value.size() > 3 || value.find_first_not_of("0123456789") != std::string::npos ||
          std::stoi(value) < 1 || std::stoi(value) > 366) {
        return core::Status(core::Invalid("days must be a whole number from 1 to 366", "days"));
      }
      days = std::stoi(value);
      return core::Ok();
    }
    return core::Status(core::Invalid("unknown parameter " + key, key));
  });
  if (!st.ok()) return ErrorResponse(st.error());
  const core::Timestamp now = Now();
  // From a week back, so a subscribed calendar keeps the recent past.
  Response res;
  res.status = 200;
  res.content_type = "text/calendar; charset=utf-8";
  res.body = oncall::ICalendar(*schedule, now - std::chrono::hours(24 * 7), now + std::chrono::hours(24 * days), user,
                               now);
  return res;
}

Task<Response> HandleCreateOverride(Context& ctx, Request& request) {
  core::Result<engine::CreateOverride> cmd = OverrideCommand(ctx, request);
  if (!cmd.ok()) co_return ErrorResponse(cmd.error());
  const std::string schedule(request.param);
  engine::Outcome outcome;
  engine::Command command{request.principal->actor, std::move(cmd).value()};
  if (auto refused = co_await RunCommand(ctx, std::move(command), outcome)) co_return std::move(*refused);
  co_return OverrideMade(ctx, schedule, std::stoull(outcome.message));
}

Task<Response> HandleDeleteOverride(Context& ctx, Request& request) {
  engine::Outcome outcome;
  engine::Command command{request.principal->actor, engine::RemoveOverride{std::string(request.param), request.id}};
  if (auto refused = co_await RunCommand(ctx, std::move(command), outcome)) co_return std::move(*refused);
  Response r;
  r.status = 204;
  co_return r;
}

}  // namespace http
