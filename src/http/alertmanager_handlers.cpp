// Alertmanager API v2 and its webhook receiver, translated to and from engine commands and the in-memory state.
// Reads copy what they need under the engine's shared lock and format JSON after releasing it.
#include <algorithm>
#include <chrono>
#include <map>
#include <optional>
#include <unordered_map>
#include <vector>

#include <boost/json/monotonic_resource.hpp>
#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>

#include "core/labels.h"
#include "core/matcher.h"
#include "domain/correlate/model.h"
#include "domain/correlate/pipeline.h"
#include "domain/correlate/silence.h"
#include "domain/ingest/alertmanager.h"
#include "http/alert_select.h"
#include "http/backend.h"
#include "http/blocking.h"
#include "http/handlers.h"
#include "http/metrics.h"
#include "http/server.h"

// g++ 12 reports a false -Wmismatched-new-delete on Asio's coroutine frames (see connection.cpp).
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"

namespace http {

namespace json = boost::json;

namespace {

core::Timestamp Now() {
  return std::chrono::time_point_cast<core::Duration>(std::chrono::system_clock::now());
}

// Alertmanager's status reports the process start as "uptime".
const core::Timestamp kProcessStart = Now();

Response Problem(const core::Error& error) { return ErrorResponse(error); }

Response InvalidProblem(std::string_view detail, std::string_view field, std::vector<std::string> errors = {}) {
  ProblemExtras extras{std::string(detail), std::move(errors)};
  Response res;
  res.status = 400;
  res.content_type = "application/problem+json";
  res.body = ProblemJson(kInvalidRequest, detail, field, extras.errors.empty() ? nullptr : &extras);
  return res;
}

core::Result<json::value> ParseBody(Context& ctx, Request& request, json::storage_ptr storage) {
  return ParseJsonBody(request.body, ctx.options.max_json_depth, std::move(storage));
}

json::object LabelsJson(const core::LabelSet& labels) {
  json::object o;
  o.reserve(labels.size());
  for (const auto& [n, v] : labels.labels()) o.emplace(n, v);
  return o;
}

core::Status ParseBool(const std::string& key, const std::string& value, bool& out) {
  if (value == "true" || value == "1") {
    out = true;
  } else if (value == "false" || value == "0") {
    out = false;
  } else {
    return core::Invalid(key + " must be true or false", key);
  }
  return core::Ok();
}

core::Result<AlertFilter> ParseAlertFilter(std::string_view query) {
  AlertFilter f;
  core::Status st = ForEachQueryParam(query, [&](const std::string& key, const std::string& value) -> core::Status {
    if (key == "active") return ParseBool(key, value, f.active);
    if (key == "silenced") return ParseBool(key, value, f.silenced);
    if (key == "inhibited") return ParseBool(key, value, f.inhibited);
    if (key == "unprocessed") return ParseBool(key, value, f.unprocessed);
    if (key == "filter") {
      auto m = core::Matcher::Parse(value);
      if (!m.ok()) return core::Invalid("bad matcher in filter: " + m.error().message, "filter");
      f.matchers.push_back(std::move(m).value());
      return core::Ok();
    }
    if (key == "receiver") {
      if (value.empty()) return core::Ok();
      auto m = core::Matcher::Create("receiver", core::MatchType::kRegex, value);
      if (!m.ok()) return core::Invalid("receiver is not a valid regular expression", "receiver");
      f.receiver = std::move(m).value();
      return core::Ok();
    }
    return core::Ok();  // Alertmanager ignores parameters it does not know (receiver_matchers, muted...)
  });
  if (!st.ok()) return st.error();
  return f;
}

}  // namespace

std::vector<AlertCopy> SelectAlerts(Context& ctx, const AlertFilter& f, core::Timestamp now) {
  // The scan holds the engine's shared lock, which the writer needs for every batch: take the keys first, then
  // look at the alerts a chunk at a time so ingestion waits for one chunk, never for the whole scan.
  constexpr size_t kChunk = 512;  // about 0.6 ms under the lock
  std::vector<uint64_t> keys;
  // Incident alerts a maintenance window holds → the window (few windows, so built once per request).
  std::unordered_map<uint64_t, std::string> held;
  ctx.backend.ReadState([&](const engine::State& state) {
    keys.reserve(state.alerts.alerts.size());
    for (const auto& [key, a] : state.alerts.alerts) keys.push_back(key);
    for (const auto& [window, list] : state.incidents.suppressed) {
      for (const auto& h : state.incidents.SuppressedBy(window)) held.emplace(h.alert_id, window);
    }
  });
  std::vector<AlertCopy> out;
  for (size_t begin = 0; begin < keys.size(); begin += kChunk) {
    const size_t end = std::min(keys.size(), begin + kChunk);
    ctx.backend.ReadState([&](const engine::State& state) {
      for (size_t i = begin; i < end; ++i) {
        const correlate::LabeledAlert* a = state.alerts.Find(keys[i]);
        if (a == nullptr) continue;  // resolved since the keys were taken
        if (f.receiver && !f.receiver->MatchesValue(a->service)) continue;
        correlate::Content content = correlate::DecodeContent(state.alerts.ContentOf(*a));
        bool all = std::all_of(f.matchers.begin(), f.matchers.end(),
                               [&](const core::Matcher& m) { return m.Matches(content.labels); });
        if (!all) continue;
        std::vector<std::string> silenced = correlate::SilencedBy(state.alerts, content.labels, now);
        std::string window;
        if (auto h = held.find(a->alert_id); a->alert_id != 0 && h != held.end()) window = h->second;
        if (!silenced.empty() && !f.silenced) continue;
        if (!window.empty() && !f.inhibited) continue;
        if (silenced.empty() && window.empty() && !f.active) continue;
        out.push_back(AlertCopy{keys[i], *a, std::move(content), std::move(silenced), std::move(window)});
      }
    });
  }
  std::sort(out.begin(), out.end(), [](const AlertCopy& x, const AlertCopy& y) {
    if (x.alert.starts_at != y.alert.starts_at) return x.alert.starts_at < y.alert.starts_at;
    return x.key < y.key;
  });
  return out;
}

namespace {

json::object GettableAlert(const AlertCopy& c) {
  const auto& a = c.alert;
  json::object o;
  o["annotations"] = LabelsJson(c.content.annotations);
  o["endsAt"] = core::FormatRfc3339(a.ends_at);
  o["fingerprint"] = core::FingerprintHex(c.content.labels.Fingerprint());
  json::array receivers;
  receivers.push_back(json::object{{"name", a.service}});
  o["receivers"] = std::move(receivers);
  o["startsAt"] = core::FormatRfc3339(a.starts_at);
  json::array silenced;
  for (const auto& id : c.silenced_by) silenced.push_back(json::string(id));
  json::object status;
  // A maintenance window holding the alert shows as what inhibits it (Alertmanager has no windows; amtool then
  // lists the alert as inhibited, which is what it is).
  json::array inhibited;
  if (!c.window.empty()) inhibited.push_back(json::string("maintenance:" + c.window));
  status["inhibitedBy"] = std::move(inhibited);
  status["silencedBy"] = std::move(silenced);
  status["state"] = c.silenced_by.empty() && c.window.empty() ? "active" : "suppressed";
  o["status"] = std::move(status);
  o["updatedAt"] = core::FormatRfc3339(a.updated_at);
  o["generatorURL"] = c.content.generator_url;
  o["labels"] = LabelsJson(c.content.labels);
  return o;
}

// The metrics outcome of a command that came back with `error`.
EventOutcome OutcomeOf(const core::Error& error) {
  switch (error.code) {
    case core::ErrorCode::kInvalid: return EventOutcome::kInvalid;
    case core::ErrorCode::kOverloaded: return EventOutcome::kOverloaded;
    case core::ErrorCode::kUnavailable: return EventOutcome::kUnavailable;
    default: return EventOutcome::kFailed;
  }
}

// Submits and maps the engine's refusal or the command's error to a response; nullopt when it succeeded.
Task<std::optional<Response>> Run(Context& ctx, engine::Command command, engine::Outcome& outcome) {
  core::Result<engine::Outcome> r = co_await SubmitAndWait(ctx, std::move(command));
  if (!r.ok()) {
    outcome.status = r.error();  // the queue's refusal, for the caller's metrics
    co_return Problem(r.error());
  }
  outcome = std::move(r).value();
  if (!outcome.status.ok()) {
    const core::Error& e = outcome.status.error();
    if (e.code == core::ErrorCode::kInvalid) co_return InvalidProblem(e.message, e.field);
    co_return Problem(e);
  }
  co_return std::nullopt;
}

}  // namespace

// Requests of at least this many alerts are prepared here (correlate::Prepare) before they reach the writer. A
// request of one alert is bound by its HTTP work on this thread, and preparing it here would only move the cost.
constexpr size_t kPrepareFrom = 2;

// Whether this I/O thread has not prepared `fingerprint` lately: a hint, never a decision, for whether an alert is
// new and will need the text of an incident alert. Prometheus re-sends every firing alert each evaluation; their
// text would be prepared for nothing. A fixed table per thread (2 MiB), overwritten as it fills: a wrong "seen"
// leaves the text to the writer, a wrong "new" prepares text that is not used.
uint64_t& SeenSlot(uint64_t fingerprint) {
  constexpr int kBits = 18;
  thread_local std::vector<uint64_t> seen(size_t{1} << kBits, 0);
  return seen[(fingerprint * 0x9E3779B97F4A7C15ULL) >> (64 - kBits)];
}
bool NewToThisThread(uint64_t fingerprint) {
  uint64_t& slot = SeenSlot(fingerprint);
  if (slot == fingerprint) return false;
  slot = fingerprint;
  return true;
}

Task<Response> HandleAmPostAlerts(Context& ctx, Request& request) {
  json::monotonic_resource arena;
  auto body = ParseBody(ctx, request, &arena);
  if (!body.ok()) {
    ctx.metrics.CountAlerts(false, EventOutcome::kInvalid, 1);  // a request's worth: its alerts were not read
    co_return InvalidProblem(body.error().message, "");
  }
  auto batch = ingest::ParsePostableAlerts(*body);
  if (!batch.ok()) {
    ctx.metrics.CountAlerts(false, EventOutcome::kInvalid, 1);
    co_return InvalidProblem(batch.error().message, batch.error().field);
  }
  std::vector<ingest::FieldError> rejected = std::move(batch->rejected);
  ctx.metrics.CountAlerts(false, EventOutcome::kInvalid, rejected.size());
  if (!batch->alerts.empty()) {
    const size_t valid = batch->alerts.size();
    engine::Outcome outcome;
    // Fingerprints, encoded content and, for alerts likely new, their text are computed here on this I/O thread
    // rather than on the single writer.
    engine::PostAlerts post{std::move(batch->alerts), {}};
    if (post.alerts.size() >= kPrepareFrom) {
      post.prepared = correlate::Prepare(post.alerts);
      // The slots are scattered over the table: ask for all of them before reading one (each was a cache miss).
      for (const auto& p : post.prepared) __builtin_prefetch(&SeenSlot(p.fingerprint));
      for (size_t i = 0; i < post.alerts.size(); ++i) {
        if (NewToThisThread(post.prepared[i].fingerprint)) correlate::PrepareText(post.alerts[i], post.prepared[i]);
      }
    }
    // A re-send that changes nothing durable (a retry, the same alert from several senders) is answered here.
    if (!ctx.backend.AnswersQuietly(post)) {
      engine::Command command{request.principal->actor, std::move(post)};
      if (auto error = co_await Run(ctx, std::move(command), outcome)) {
        ctx.metrics.CountAlerts(false,
                                outcome.status.ok() ? EventOutcome::kUnavailable : OutcomeOf(outcome.status.error()),
                                valid);
        co_return std::move(*error);
      }
    }
    ctx.metrics.CountAlerts(false, EventOutcome::kAccepted, valid);
  }
  if (!rejected.empty()) {
    // As Alertmanager: the valid alerts of the batch are stored, and the answer is 400 naming what was not.
    std::vector<std::string> lines;
    std::string detail;
    for (const auto& e : rejected) {
      lines.push_back(e.field + ": " + e.message);
      if (!detail.empty()) detail += "; ";
      detail += e.message;
    }
    co_return InvalidProblem(detail, rejected.front().field, std::move(lines));
  }
  co_return Response{200, "application/json", "", {}, 0, false, false, {}};
}

namespace {

Response GetAlerts(Context& ctx, Request& request) {
  auto filter = ParseAlertFilter(request.query);
  if (!filter.ok()) return InvalidProblem(filter.error().message, filter.error().field);
  std::vector<AlertCopy> alerts = SelectAlerts(ctx, *filter, Now());
  json::array out;
  out.reserve(alerts.size());
  for (const auto& c : alerts) out.push_back(GettableAlert(c));
  return JsonResponse(200, json::serialize(out));
}

Response AlertGroups(Context& ctx, Request& request) {
  auto filter = ParseAlertFilter(request.query);
  if (!filter.ok()) return InvalidProblem(filter.error().message, filter.error().field);
  std::vector<AlertCopy> alerts = SelectAlerts(ctx, *filter, Now());
  const correlate::Config& routes = ctx.backend.alert_config();
  struct Group {
    core::LabelSet labels;
    std::string receiver;
    json::array alerts;
  };
  std::map<std::pair<std::string, std::string>, Group> groups;
  for (const auto& c : alerts) {
    std::string key = c.alert.group_key;
    core::LabelSet labels;
    if (!c.alert.webhook) {
      if (const correlate::Route* route = routes.Match(c.content.labels)) {
        key = correlate::GroupKey(*route, c.content.labels);
        bool every = route->group_by.size() == 1 && route->group_by[0] == "...";
        labels = every ? c.content.labels : c.content.labels.Subset(route->group_by);
      }
    }
    Group& g = groups[{c.alert.service, key}];
    g.labels = std::move(labels);
    g.receiver = c.alert.service;
    g.alerts.push_back(GettableAlert(c));
  }
  json::array out;
  for (auto& [k, g] : groups) {
    json::object o;
    o["labels"] = LabelsJson(g.labels);
    o["receiver"] = json::object{{"name", g.receiver}};
    o["alerts"] = std::move(g.alerts);
    out.push_back(std::move(o));
  }
  return JsonResponse(200, json::serialize(out));
}

}  // namespace

Task<Response> HandleAmGetAlerts(Context& ctx, Request& request) {
  co_return *co_await OffThread(ctx, [&ctx, &request] { return GetAlerts(ctx, request); });
}

Task<Response> HandleAmAlertGroups(Context& ctx, Request& request) {
  co_return *co_await OffThread(ctx, [&ctx, &request] { return AlertGroups(ctx, request); });
}

Response HandleAmStatus(Context& ctx) {
  const correlate::Config& routes = ctx.backend.alert_config();
  // config.original: the routing in force, as YAML (what `amtool config show` prints).
  std::string original = "# incidentd: Alertmanager routes (alertmanager: in the incidentd configuration)\n";
  original += "resolve_timeout: " + core::FormatDuration(routes.resolve_timeout) + "\nroutes:\n";
  for (const auto& r : routes.routes) {
    original += "  - service: " + r.service + "\n    matchers: [";
    for (size_t i = 0; i < r.matchers.size(); ++i) original += (i ? ", '" : "'") + r.matchers[i].ToString() + "'";
    original += "]\n    group_by: [";
    for (size_t i = 0; i < r.group_by.size(); ++i) original += (i ? ", " : "") + r.group_by[i];
    original += "]\n";
  }
  json::object status;
  status["cluster"] = json::object{{"name", "incidentd"}, {"status", "disabled"}, {"peers", json::array()}};
  // `version` is the Alertmanager API level incidentd answers to (amtool warns when it differs from its own);
  // incidentd's own version is in `revision`.
  status["versionInfo"] = json::object{{"branch", "main"},         {"buildDate", "unknown"},
                                       {"buildUser", "incidentd"}, {"goVersion", "none (incidentd is C++)"},
                                       {"revision", "incidentd-0.1.0"}, {"version", "0.25.0"}};
  status["config"] = json::object{{"original", original}};
  status["uptime"] = core::FormatRfc3339(kProcessStart);
  return JsonResponse(200, json::serialize(status));
}

Response HandleAmReceivers(Context& ctx) {
  json::array out;
  for (const auto& name : ctx.backend.alert_config().Receivers()) out.push_back(json::object{{"name", name}});
  return JsonResponse(200, json::serialize(out));
}

Response HandleAmListSilences(Context& ctx, Request& request) {
  std::vector<core::Matcher> filters;
  core::Status st = ForEachQueryParam(request.query, [&](const std::string& key, const std::string& value) {
    if (key != "filter") return core::Ok();
    auto m = core::Matcher::Parse(value);
    if (!m.ok()) return core::Status(core::Invalid("bad matcher in filter: " + m.error().message, "filter"));
    filters.push_back(std::move(m).value());
    return core::Ok();
  });
  if (!st.ok()) return InvalidProblem(st.error().message, st.error().field);
  const core::Timestamp now = Now();
  std::vector<correlate::Silence> silences;
  ctx.backend.ReadState([&](const engine::State& state) {
    for (const auto& [id, s] : state.alerts.silences) {
      // A filter keeps silences with a matcher on the same label whose value the filter accepts.
      bool keep = std::all_of(filters.begin(), filters.end(), [&](const core::Matcher& f) {
        return std::any_of(s.matchers.begin(), s.matchers.end(), [&](const core::Matcher& m) {
          return m.name() == f.name() && f.MatchesValue(m.value());
        });
      });
      if (keep) silences.push_back(s);
    }
  });
  // Alertmanager's order: active by end, then pending by start, then expired, most recently ended first.
  auto rank = [&](const correlate::Silence& s) {
    switch (s.StateAt(now)) {
      case correlate::SilenceState::kActive: return 0;
      case correlate::SilenceState::kPending: return 1;
      case correlate::SilenceState::kExpired: return 2;
    }
    return 2;
  };
  std::sort(silences.begin(), silences.end(), [&](const auto& a, const auto& b) {
    int ra = rank(a), rb = rank(b);
    if (ra != rb) return ra < rb;
    if (ra == 0) return a.ends_at < b.ends_at;
    if (ra == 1) return a.starts_at < b.starts_at;
    return a.ends_at > b.ends_at;
  });
  json::array out;
  for (const auto& s : silences) out.push_back(correlate::ToGettableJson(s, now));
  return JsonResponse(200, json::serialize(out));
}

Task<Response> HandleAmPostSilence(Context& ctx, Request& request) {
  json::monotonic_resource arena;
  auto body = ParseBody(ctx, request, &arena);
  if (!body.ok()) co_return InvalidProblem(body.error().message, "");
  auto post = correlate::ParsePostableSilence(*body);
  if (!post.ok()) co_return InvalidProblem(post.error().message, post.error().field);
  engine::Outcome outcome;
  engine::Command command{request.principal->actor, engine::PostSilence{std::move(post).value(), NewDedupKey()}};
  if (auto error = co_await Run(ctx, std::move(command), outcome)) co_return std::move(*error);
  json::object reply{{"silenceID", outcome.silence_id}};
  co_return JsonResponse(200, json::serialize(reply));
}

Response HandleAmGetSilence(Context& ctx, Request& request) {
  std::optional<correlate::Silence> found;
  ctx.backend.ReadState([&](const engine::State& state) {
    auto it = state.alerts.silences.find(request.param);
    if (it != state.alerts.silences.end()) found = it->second;
  });
  if (!found) return ProblemResponse(kNotFoundProblem, "silence not found");
  return JsonResponse(200, json::serialize(correlate::ToGettableJson(*found, Now())));
}

Task<Response> HandleAmDeleteSilence(Context& ctx, Request& request) {
  engine::Outcome outcome;
  engine::Command command{request.principal->actor, engine::ExpireSilence{std::string(request.param)}};
  if (auto error = co_await Run(ctx, std::move(command), outcome)) co_return std::move(*error);
  co_return Response{200, "application/json", "", {}, 0, false, false, {}};
}

Response HandleAmReady(Context& ctx) {
  if (!ctx.backend.ready()) return ProblemResponse(kUnavailableProblem, "not ready");
  return Response{200, "text/plain; charset=utf-8", "OK", {}, 0, false, false, {}};
}

Task<Response> HandleAmWebhook(Context& ctx, Request& request) {
  json::monotonic_resource arena;
  auto body = ParseBody(ctx, request, &arena);
  if (!body.ok()) co_return InvalidProblem(body.error().message, "");
  auto payload = ingest::ParseWebhookV4(*body);
  if (!payload.ok()) co_return InvalidProblem(payload.error().message, payload.error().field);
  engine::Outcome outcome;
  const size_t alerts = payload->alerts.size();
  engine::Command command{request.principal->actor,
                          engine::ReceiveWebhook{std::string(request.param), std::move(payload).value()}};
  if (auto error = co_await Run(ctx, std::move(command), outcome)) {
    ctx.metrics.CountAlerts(true, outcome.status.ok() ? EventOutcome::kUnavailable : OutcomeOf(outcome.status.error()),
                            alerts);
    co_return std::move(*error);
  }
  ctx.metrics.CountAlerts(true, EventOutcome::kAccepted, alerts);
  json::object reply{{"status", "success"}, {"message", outcome.message}};
  co_return JsonResponse(200, json::serialize(reply));
}

}  // namespace http
