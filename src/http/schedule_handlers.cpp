// On-call schedules over HTTP: who is on call now, the shifts of a period and its coverage gaps.
#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>

#include "core/time.h"
#include "domain/oncall/ical.h"
#include "domain/oncall/schedule.h"
#include "http/backend.h"
#include "http/handlers.h"
#include "http/problem.h"

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

const oncall::Schedule* Find(Context& ctx, std::string_view name) {
  for (const auto& s : ctx.backend.schedules()) {
    if (s.definition().name == name) return &s;
  }
  return nullptr;
}

}  // namespace

Response HandleListSchedules(Context& ctx) {
  const core::Timestamp now = Now();
  json::array list;
  for (const auto& s : ctx.backend.schedules()) {
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
  const oncall::Schedule* schedule = Find(ctx, request.param);
  if (schedule == nullptr) {
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
  return JsonResponse(200, json::serialize(o));
}

Response HandleScheduleCalendar(Context& ctx, Request& request) {
  const oncall::Schedule* schedule = Find(ctx, request.param);
  if (schedule == nullptr) {
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

}  // namespace http
