// GET /api/v1/alerts: the alerts of both ingest paths in one list. Alertmanager's (labelled) alerts come from the
// same selection GET /api/v2/alerts makes; Events v2 alerts from the incident lifecycle's open alerts; the text and
// the correlation explanation from the alerts query table (the same rows the incident view shows). Runs on the
// blocking pool: it scans every held alert and reads the store.
#include <algorithm>
#include <map>
#include <set>
#include <unordered_map>

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>

#include "core/labels.h"
#include "http/alert_select.h"
#include "http/backend.h"
#include "http/blocking.h"
#include "http/handlers.h"
#include "http/problem.h"

// g++ 12 reports a false -Wmismatched-new-delete on Asio's coroutine frames (see connection.cpp).
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"

namespace http {
namespace {

namespace json = boost::json;

constexpr size_t kDefaultLimit = 500;
constexpr size_t kMaxLimit = 5000;
constexpr uint32_t kRecentIncidents = 200;  // state=resolved looks at the alerts of this many newest incidents

core::Timestamp Now() { return std::chrono::time_point_cast<core::Duration>(std::chrono::system_clock::now()); }

struct Query {
  std::string state;  // firing, suppressed, resolved; empty: firing and suppressed
  std::string service;
  size_t limit = kDefaultLimit;
};

core::Result<Query> ParseQuery(std::string_view text) {
  Query q;
  core::Status st = ForEachQueryParam(text, [&](const std::string& k, const std::string& v) -> core::Status {
    if (k == "state") {
      if (v != "firing" && v != "suppressed" && v != "resolved") {
        return core::Invalid("state must be firing, suppressed or resolved", "state");
      }
      q.state = v;
    } else if (k == "service") {
      q.service = v;
    } else if (k == "limit") {
      if (v.empty() || v.size() > 4 || v.find_first_not_of("0123456789") != std::string::npos || std::stoul(v) < 1 ||
          std::stoul(v) > kMaxLimit) {
        return core::Invalid("limit must be an integer from 1 to 5000", "limit");
      }
      q.limit = std::stoul(v);
    } else {
      return core::Invalid("unknown parameter " + k, k);
    }
    return core::Ok();
  });
  if (!st.ok()) return st.error();
  return q;
}

// One alert of either path, as listed.
struct Entry {
  bool labelled = false;        // Alertmanager API or webhook (fingerprint, labels) rather than Events v2 (dedup key)
  uint64_t alert_id = 0;        // the incident alert (0: a labelled alert kept out of incidents by a silence)
  uint64_t incident_id = 0;
  std::string key;              // fingerprint or dedup key
  std::string service;
  std::string summary;
  std::string severity;
  std::string state;            // firing, suppressed, resolved
  std::string suppressed_kind;  // silence, maintenance
  std::string suppressed_id;
  std::string suppressed_name;  // a window's name
  json::object labels;
  std::string explanation;
  core::Timestamp starts_at{};
  core::Timestamp updated_at{};
};

// The role an alert plays in its incident, read from its correlation explanation (incident::Explain).
json::value Role(const Entry& e) {
  if (e.incident_id == 0) return nullptr;
  if (e.explanation.find(" as a symptom") != std::string::npos) return "symptom";
  return "member";
}

std::string FirstOf(const core::LabelSet& set, std::initializer_list<const char*> names) {
  for (const char* n : names) {
    std::string v(set.Get(n));
    if (!v.empty()) return v;
  }
  return {};
}

json::object View(const Entry& e) {
  json::object o;
  o["source"] = e.labelled ? "alertmanager" : "events";
  o[e.labelled ? "fingerprint" : "dedup_key"] = e.key;
  o["id"] = e.alert_id == 0 ? json::value(nullptr) : json::value(e.alert_id);
  o["service"] = e.service;
  o["summary"] = e.summary;
  if (e.labelled) o["labels"] = e.labels;
  o["severity"] = e.severity;
  o["state"] = e.state;
  if (e.suppressed_kind.empty()) {
    o["suppressed_by"] = nullptr;
  } else {
    json::object s{{"kind", e.suppressed_kind}, {"id", e.suppressed_id}};
    if (!e.suppressed_name.empty()) s["name"] = e.suppressed_name;
    o["suppressed_by"] = std::move(s);
  }
  o["incident_id"] = e.incident_id == 0 ? json::value(nullptr) : json::value(e.incident_id);
  o["role"] = Role(e);
  o["explanation"] = e.explanation;
  o["starts_at"] = core::FormatRfc3339(e.starts_at);
  o["updated_at"] = core::FormatRfc3339(e.updated_at);
  return o;
}

// The alerts held now (firing or suppressed), from both paths.
std::vector<Entry> Active(Context& ctx, core::Timestamp now) {
  std::vector<Entry> out;
  std::set<uint64_t> labelled_ids;  // incident alerts fed by a labelled alert: listed once, as that alert
  for (AlertCopy& c : SelectAlerts(ctx, AlertFilter{}, now)) {
    Entry e;
    e.labelled = true;
    e.alert_id = c.alert.alert_id;
    e.key = core::FingerprintHex(c.content.labels.Fingerprint());
    e.service = c.alert.service;
    e.summary = FirstOf(c.content.annotations, {"summary", "description"});
    if (e.summary.empty()) e.summary = FirstOf(c.content.labels, {"alertname"});
    e.severity = FirstOf(c.content.labels, {"severity"});
    for (const auto& [n, v] : c.content.labels.labels()) e.labels.emplace(n, v);
    if (!c.silenced_by.empty()) {
      e.state = "suppressed";
      e.suppressed_kind = "silence";
      e.suppressed_id = c.silenced_by.front();
    } else if (!c.window.empty()) {
      e.state = "suppressed";
      e.suppressed_kind = "maintenance";
      e.suppressed_id = c.window;
    } else {
      e.state = "firing";
    }
    e.starts_at = c.alert.starts_at;
    e.updated_at = c.alert.updated_at;
    if (e.alert_id != 0) labelled_ids.insert(e.alert_id);
    out.push_back(std::move(e));
  }
  std::unordered_map<uint64_t, size_t> by_alert;  // incident alert id → index in `out` of its labelled alert
  for (size_t i = 0; i < out.size(); ++i) {
    if (out[i].alert_id != 0) by_alert.emplace(out[i].alert_id, i);
  }
  ctx.backend.ReadState([&](const engine::State& s) {
    std::unordered_map<uint64_t, std::string> held;  // incident alert → the window holding it
    for (const auto& [window, list] : s.incidents.suppressed) {
      for (const auto& h : s.incidents.SuppressedBy(window)) held.emplace(h.alert_id, window);
    }
    for (const auto& [id, a] : s.incidents.alerts) {
      if (auto it = by_alert.find(id); it != by_alert.end()) {
        // The labelled alert's incident and severity as the lifecycle holds them.
        Entry& e = out[it->second];
        e.incident_id = a.incident_id;
        e.severity = ingest::ToString(a.severity);
        continue;
      }
      if (labelled_ids.count(id) != 0) continue;
      Entry e;
      e.alert_id = id;
      e.incident_id = a.incident_id;
      e.key = a.dedup_key;
      e.service = a.service;
      e.severity = ingest::ToString(a.severity);
      e.starts_at = a.created_at;
      e.updated_at = a.updated_at;
      if (auto h = held.find(id); a.incident_id == 0 && h != held.end()) {
        e.state = "suppressed";
        e.suppressed_kind = "maintenance";
        e.suppressed_id = h->second;
      } else {
        e.state = "firing";
      }
      out.push_back(std::move(e));
    }
    for (Entry& e : out) {
      if (e.suppressed_kind != "maintenance") continue;
      if (auto w = s.alerts.windows.find(e.suppressed_id); w != s.alerts.windows.end()) {
        e.suppressed_name = w->second.window.name;
      }
    }
  });
  return out;
}

// Alerts of the newest incidents that are resolved.
std::vector<Entry> Resolved(Context& ctx, const Query& q) {
  std::vector<Entry> out;
  engine::IncidentQuery iq;
  iq.service = q.service;
  iq.limit = kRecentIncidents;
  auto page = ctx.backend.store().ListIncidents(iq);
  if (!page.ok()) return out;
  for (const auto& inc : page->incidents) {
    auto rows = ctx.backend.store().IncidentAlerts(inc.id);
    if (!rows.ok()) continue;
    for (const auto& r : rows.value()) {
      if (r.status != "resolved") continue;
      Entry e;
      e.alert_id = r.id;
      e.incident_id = r.incident_id;
      e.key = r.dedup_key;
      e.service = r.service;
      e.summary = r.summary;
      e.severity = r.severity;
      e.state = "resolved";
      e.explanation = r.explanation;
      e.starts_at = r.created_at;
      e.updated_at = r.updated_at;
      out.push_back(std::move(e));
    }
  }
  return out;
}

// Text and explanation of the listed alerts from the alerts query table, one read per incident or window.
void AddText(Context& ctx, std::vector<Entry>& list) {
  std::map<uint64_t, std::vector<engine::AlertRow>> by_incident;
  std::map<std::string, std::vector<engine::AlertRow>> by_window;
  for (Entry& e : list) {
    if (e.alert_id == 0 || !e.explanation.empty()) continue;
    const std::vector<engine::AlertRow>* rows = nullptr;
    if (e.incident_id != 0) {
      auto it = by_incident.find(e.incident_id);
      if (it == by_incident.end()) {
        auto read = ctx.backend.store().IncidentAlerts(e.incident_id);
        it = by_incident.emplace(e.incident_id, read.ok() ? std::move(read).value() : std::vector<engine::AlertRow>{})
                 .first;
      }
      rows = &it->second;
    } else if (e.suppressed_kind == "maintenance") {
      auto it = by_window.find(e.suppressed_id);
      if (it == by_window.end()) {
        auto read = ctx.backend.store().WindowAlerts(e.suppressed_id, static_cast<uint32_t>(kMaxLimit));
        it = by_window.emplace(e.suppressed_id, read.ok() ? std::move(read).value() : std::vector<engine::AlertRow>{})
                 .first;
      }
      rows = &it->second;
    }
    if (rows == nullptr) continue;
    auto row = std::find_if(rows->begin(), rows->end(), [&](const engine::AlertRow& r) { return r.id == e.alert_id; });
    if (row == rows->end()) continue;
    e.explanation = row->explanation;
    if (e.summary.empty()) e.summary = row->summary;
  }
}

Response ListAlerts(Context& ctx, Request& request) {
  auto q = ParseQuery(request.query);
  if (!q.ok()) return ErrorResponse(q.error());
  std::vector<Entry> list = q->state == "resolved" ? Resolved(ctx, *q) : Active(ctx, Now());
  std::erase_if(list, [&](const Entry& e) {
    return (!q->service.empty() && e.service != q->service) || (!q->state.empty() && e.state != q->state);
  });
  // Newest first; ties by key so the order is stable between calls.
  std::sort(list.begin(), list.end(), [](const Entry& a, const Entry& b) {
    if (a.starts_at != b.starts_at) return a.starts_at > b.starts_at;
    if (a.key != b.key) return a.key < b.key;
    return a.alert_id > b.alert_id;
  });
  if (list.size() > q->limit) list.resize(q->limit);
  AddText(ctx, list);
  json::array out;
  out.reserve(list.size());
  for (const Entry& e : list) out.push_back(View(e));
  return JsonResponse(200, json::serialize(json::object{{"alerts", std::move(out)}}));
}

}  // namespace

Task<Response> HandleListAlerts(Context& ctx, Request& request) {
  co_return *co_await OffThread(ctx, [&ctx, &request] { return ListAlerts(ctx, request); });
}

}  // namespace http
