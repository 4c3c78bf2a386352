#include "http/views.h"

#include <spdlog/spdlog.h>
#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>

#include "core/time.h"

namespace http {

namespace json = boost::json;

namespace {

json::value OptionalTime(const std::optional<core::Timestamp>& t) {
  if (!t) return nullptr;
  return json::value(core::FormatRfc3339(*t));
}

}  // namespace

json::object IncidentView(const engine::IncidentRow& row) {
  json::object o;
  o.reserve(18);
  o["id"] = row.id;
  o["service"] = row.service;
  o["group_key"] = row.group_key;
  o["title"] = row.title;
  o["severity"] = row.severity;
  o["state"] = row.state;
  o["opened_at"] = core::FormatRfc3339(row.opened_at);
  o["acknowledged_at"] = OptionalTime(row.acknowledged_at);
  o["resolved_at"] = OptionalTime(row.resolved_at);
  o["closed_at"] = OptionalTime(row.closed_at);
  o["alert_count"] = row.alert_count;
  o["open_alert_count"] = row.open_alert_count;
  o["last_seq"] = row.last_seq;
  o["last_actor"] = row.last_actor;
  o["merged_into"] = row.merged_into == 0 ? json::value(nullptr) : json::value(row.merged_into);
  o["notifications"] = row.notifications;
  o["next_notification_at"] = OptionalTime(row.notify_due);
  json::object c;
  c["category"] = row.category.empty() ? json::value(nullptr) : json::value(row.category);
  c["subcategory"] = row.subcategory.empty() ? json::value(nullptr) : json::value(row.subcategory);
  c["category_rule"] = row.category_rule.empty() ? json::value(nullptr) : json::value(row.category_rule);
  c["major"] = !row.major_reason.empty();
  c["major_reason"] = row.major_reason.empty() ? json::value(nullptr) : json::value(row.major_reason);
  o["classification"] = std::move(c);
  return o;
}

json::object AlertView(const engine::AlertRow& row) {
  json::object o;
  o.reserve(15);
  o["id"] = row.id;
  o["service"] = row.service;
  o["dedup_key"] = row.dedup_key;
  o["incident_id"] = row.incident_id == 0 ? json::value(nullptr) : json::value(row.incident_id);
  o["status"] = row.incident_id == 0 && row.status != "resolved" ? std::string("suppressed") : row.status;
  o["correlation"] = row.explanation;
  o["suppressed_by"] = row.suppressed_by.empty() ? json::value(nullptr) : json::value(row.suppressed_by);
  o["summary"] = row.summary;
  o["source"] = row.source;
  o["severity"] = row.severity;
  o["created_at"] = core::FormatRfc3339(row.created_at);
  o["updated_at"] = core::FormatRfc3339(row.updated_at);
  o["event_count"] = row.event_count;
  if (row.details_json.empty()) {
    o["details"] = json::object();
  } else {
    boost::system::error_code ec;
    json::value details = json::parse(row.details_json, ec);
    if (ec) {
      // Written by our own writer, so this is a bug or corruption: say so in the log, not to the client.
      spdlog::error("http: alert {} has details that do not parse: {}", row.id, ec.message());
      o["details"] = nullptr;
    } else {
      o["details"] = std::move(details);
    }
  }
  return o;
}

json::object TimelineView(const engine::TimelineRow& row) {
  json::object o;
  o.reserve(5);
  o["seq"] = row.seq;
  o["time"] = core::FormatRfc3339(row.time);
  o["actor"] = row.actor;
  o["kind"] = row.kind;
  o["text"] = row.text;
  return o;
}

std::string IncidentWithAlertsJson(const engine::IncidentRow& row, const std::vector<engine::AlertRow>& alerts) {
  json::object o = IncidentView(row);
  json::array a;
  a.reserve(alerts.size());
  for (const auto& alert : alerts) a.emplace_back(AlertView(alert));
  o["alerts"] = std::move(a);
  return json::serialize(o);
}

std::string IncidentJson(const engine::IncidentRow& row) { return json::serialize(IncidentView(row)); }

std::string IncidentPageJson(const engine::IncidentPage& page) {
  json::array a;
  a.reserve(page.incidents.size());
  for (const auto& row : page.incidents) a.emplace_back(IncidentView(row));
  json::object o;
  o["incidents"] = std::move(a);
  if (page.next_before_id == 0) {
    o["next_before"] = nullptr;
  } else {
    o["next_before"] = page.next_before_id;
  }
  return json::serialize(o);
}

std::string TimelineJson(const std::vector<engine::TimelineRow>& rows) {
  json::array a;
  a.reserve(rows.size());
  for (const auto& row : rows) a.emplace_back(TimelineView(row));
  json::object o;
  o["entries"] = std::move(a);
  return json::serialize(o);
}

std::string PublishedJson(const engine::Published& record) {
  json::object o;
  o.reserve(6);
  o["seq"] = record.seq;
  o["time"] = core::FormatRfc3339(record.time);
  o["actor"] = record.actor;
  o["type"] = record.type;
  if (record.incident_id == 0) {
    o["incident_id"] = nullptr;
  } else {
    o["incident_id"] = record.incident_id;
  }
  o["summary"] = record.summary;
  return json::serialize(o);
}

std::string SseFrame(const engine::Published& record) {
  // The JSON serializer escapes control characters, so `data` is one line and the type (our own record name) has
  // no newline either; a frame therefore cannot be split or forged by record contents.
  std::string frame;
  std::string data = PublishedJson(record);
  frame.reserve(data.size() + record.type.size() + 40);
  frame += "id: ";
  frame += std::to_string(record.seq);
  frame += "\nevent: ";
  frame += record.type;
  frame += "\ndata: ";
  frame += data;
  frame += "\n\n";
  return frame;
}

}  // namespace http
