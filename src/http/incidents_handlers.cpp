#include <charconv>
#include <optional>

#include <boost/json/monotonic_resource.hpp>
#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>

#include "http/backend.h"
#include "http/blocking.h"
#include "http/handlers.h"
#include "http/metrics.h"
#include "http/server.h"
#include "http/views.h"

namespace http {

namespace json = boost::json;

namespace {

constexpr size_t kMaxNoteChars = 10000;
constexpr uint32_t kMaxListLimit = 500;
constexpr uint32_t kDefaultTimelineLimit = 100;
constexpr uint32_t kMaxTimelineLimit = 1000;

size_t CountChars(std::string_view utf8) {
  size_t n = 0;
  for (char c : utf8) n += (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  return n;
}

core::Result<uint64_t> ParseUnsigned(std::string_view text, const char* name, uint64_t min, uint64_t max) {
  uint64_t v = 0;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || ptr != text.data() + text.size() || v < min || v > max) {
    return core::Invalid(
        std::string(name) + " must be an integer from " + std::to_string(min) + " to " + std::to_string(max), name);
  }
  return v;
}

bool IsOneOf(std::string_view v, std::initializer_list<std::string_view> allowed) {
  for (std::string_view a : allowed) {
    if (v == a) return true;
  }
  return false;
}

core::Result<engine::IncidentQuery> ParseListQuery(std::string_view query) {
  engine::IncidentQuery q;
  core::Status st = ForEachQueryParam(query, [&q](const std::string& key, const std::string& value) -> core::Status {
    if (key == "state") {
      std::string_view rest = value;
      while (!rest.empty()) {
        size_t comma = rest.find(',');
        std::string_view one = rest.substr(0, comma);
        if (!IsOneOf(one, {"triggered", "acknowledged", "resolved", "closed"})) {
          return core::Invalid("state must be triggered, acknowledged, resolved or closed", "state");
        }
        q.states.emplace_back(one);
        rest = comma == std::string_view::npos ? std::string_view() : rest.substr(comma + 1);
      }
    } else if (key == "service") {
      q.service = value;
    } else if (key == "severity") {
      if (!IsOneOf(value, {"critical", "error", "warning", "info"})) {
        return core::Invalid("severity must be one of critical, error, warning, info", "severity");
      }
      q.severity = value;
    } else if (key == "limit") {
      auto v = ParseUnsigned(value, "limit", 1, kMaxListLimit);
      if (!v.ok()) return v.error();
      q.limit = static_cast<uint32_t>(*v);
    } else if (key == "before") {
      auto v = ParseUnsigned(value, "before", 1, UINT64_MAX);
      if (!v.ok()) return v.error();
      q.before_id = *v;
    }
    return core::Ok();  // unknown parameters are ignored
  });
  if (!st.ok()) return st.error();
  return q;
}

// The optional JSON object body of acknowledge/resolve/notes: an empty body reads as {}.
core::Result<json::object> ParseObjectBody(Context& ctx, const Request& request, json::storage_ptr storage) {
  if (request.body.empty()) return json::object(storage);
  core::Result<json::value> body = ParseJsonBody(request.body, ctx.options.max_json_depth, storage);
  if (!body.ok()) return body.error();
  if (!body->is_object()) return core::Invalid("request body must be a JSON object");
  return std::move(body->as_object());
}

// After a command on an incident committed: the incident as it now is.
Task<Response> IncidentAfterCommit(Context& ctx, uint64_t id) {
  Backend& backend = ctx.backend;
  core::Result<engine::IncidentRow> row =
      *co_await OffThread(ctx, [&backend, id] { return backend.store().GetIncident(id); });
  if (!row.ok()) co_return ErrorResponse(row.error());
  co_return JsonResponse(200, IncidentJson(*row));
}


}  // namespace

Task<Response> HandleListIncidents(Context& ctx, Request& request) {
  core::Result<engine::IncidentQuery> query = ParseListQuery(request.query);
  if (!query.ok()) {
    ctx.metrics.CountRejected(RejectReason::kInvalid);
    co_return ErrorResponse(query.error());
  }
  Backend& backend = ctx.backend;
  const engine::IncidentQuery& q = *query;
  core::Result<engine::IncidentPage> page =
      *co_await OffThread(ctx, [&backend, &q] { return backend.store().ListIncidents(q); });
  if (!page.ok()) co_return ErrorResponse(page.error());
  co_return JsonResponse(200, IncidentPageJson(*page));
}

Task<Response> HandleGetIncident(Context& ctx, Request& request) {
  Backend& backend = ctx.backend;
  const uint64_t id = request.id;
  using Both = std::pair<core::Result<engine::IncidentRow>, core::Result<std::vector<engine::AlertRow>>>;
  Both both = *co_await OffThread(ctx, [&backend, id]() -> Both {
    core::Result<engine::IncidentRow> row = backend.store().GetIncident(id);
    if (!row.ok()) return Both(std::move(row), std::vector<engine::AlertRow>{});
    return Both(std::move(row), backend.store().IncidentAlerts(id));
  });
  if (!both.first.ok()) co_return ErrorResponse(both.first.error());
  if (!both.second.ok()) co_return ErrorResponse(both.second.error());
  co_return JsonResponse(200, IncidentWithAlertsJson(*both.first, *both.second));
}

Task<Response> HandleTimeline(Context& ctx, Request& request) {
  uint64_t after = 0;
  uint32_t limit = kDefaultTimelineLimit;
  core::Status st = ForEachQueryParam(request.query, [&](const std::string& key, const std::string& value) -> core::Status {
    if (key == "after") {
      auto v = ParseUnsigned(value, "after", 0, UINT64_MAX);
      if (!v.ok()) return v.error();
      after = *v;
    } else if (key == "limit") {
      auto v = ParseUnsigned(value, "limit", 1, kMaxTimelineLimit);
      if (!v.ok()) return v.error();
      limit = static_cast<uint32_t>(*v);
    }
    return core::Ok();
  });
  if (!st.ok()) {
    ctx.metrics.CountRejected(RejectReason::kInvalid);
    co_return ErrorResponse(st.error());
  }
  Backend& backend = ctx.backend;
  const uint64_t id = request.id;
  using Rows = core::Result<std::vector<engine::TimelineRow>>;
  // An unknown incident is 404, not an empty timeline.
  Rows rows = *co_await OffThread(ctx, [&backend, id, after, limit]() -> Rows {
    core::Result<engine::IncidentRow> row = backend.store().GetIncident(id);
    if (!row.ok()) return row.error();
    return backend.store().Timeline(id, after, limit);
  });
  if (!rows.ok()) co_return ErrorResponse(rows.error());
  co_return JsonResponse(200, TimelineJson(*rows));
}

Task<Response> HandleAcknowledge(Context& ctx, Request& request) {
  json::monotonic_resource arena;
  core::Result<json::object> body = ParseObjectBody(ctx, request, &arena);
  if (!body.ok()) {
    ctx.metrics.CountRejected(RejectReason::kInvalid);
    co_return ErrorResponse(body.error());
  }
  engine::Outcome outcome;
  engine::Command command{request.principal->actor, engine::AcknowledgeIncident{request.id}};
  if (auto refused = co_await RunCommand(ctx, std::move(command), outcome)) co_return std::move(*refused);
  co_return co_await IncidentAfterCommit(ctx, request.id);
}

Task<Response> HandleResolve(Context& ctx, Request& request) {
  json::monotonic_resource arena;
  core::Result<json::object> body = ParseObjectBody(ctx, request, &arena);
  std::string note;
  if (body.ok()) {
    if (const json::value* v = body->if_contains("note")) {
      if (!v->is_string()) {
        body = core::Invalid("note must be a string", "/note");
      } else if (CountChars(v->get_string()) > kMaxNoteChars) {
        body = core::Invalid("note must be at most 10000 characters", "/note");
      } else {
        note = std::string(v->get_string());
      }
    }
  }
  if (!body.ok()) {
    ctx.metrics.CountRejected(RejectReason::kInvalid);
    co_return ErrorResponse(body.error());
  }
  engine::Outcome outcome;
  engine::Command command{request.principal->actor, engine::ResolveIncident{request.id, std::move(note)}};
  if (auto refused = co_await RunCommand(ctx, std::move(command), outcome)) co_return std::move(*refused);
  co_return co_await IncidentAfterCommit(ctx, request.id);
}

Task<Response> HandleNotes(Context& ctx, Request& request) {
  json::monotonic_resource arena;
  core::Result<json::object> body = ParseObjectBody(ctx, request, &arena);
  std::string text;
  if (body.ok()) {
    const json::value* v = body->if_contains("text");
    if (v == nullptr || !v->is_string()) {
      body = core::Invalid("text is required and must be a string", "/text");
    } else {
      size_t chars = CountChars(v->get_string());
      if (chars < 1 || chars > kMaxNoteChars) {
        body = core::Invalid("text must be 1 to 10000 characters", "/text");
      } else {
        text = std::string(v->get_string());
      }
    }
  }
  if (!body.ok()) {
    ctx.metrics.CountRejected(RejectReason::kInvalid);
    co_return ErrorResponse(body.error());
  }
  engine::Outcome outcome;
  engine::Command command{request.principal->actor, engine::AddNote{request.id, std::move(text)}};
  if (auto refused = co_await RunCommand(ctx, std::move(command), outcome)) co_return std::move(*refused);
  json::object reply;
  reply["seq"] = outcome.seq;
  co_return JsonResponse(201, json::serialize(reply));
}

}  // namespace http
