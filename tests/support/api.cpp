#include "support/api.h"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <gtest/gtest.h>

namespace test_support {

namespace json = boost::json;

HttpResponse Must(const core::Result<HttpResponse>& response) {
  if (!response.ok()) {
    ADD_FAILURE() << response.error().message;
    return HttpResponse{};
  }
  return *response;
}

std::string TriggerEvent(std::string_view routing_key, std::string_view dedup_key, std::string_view summary,
                         std::string_view source, std::string_view severity) {
  json::object event{
      {"routing_key", routing_key},
      {"event_action", "trigger"},
      {"dedup_key", dedup_key},
      {"payload", json::object{{"summary", summary}, {"source", source}, {"severity", severity}}},
  };
  return json::serialize(event);
}

std::string FollowUpEvent(std::string_view routing_key, std::string_view action, std::string_view dedup_key) {
  return json::serialize(
      json::object{{"routing_key", routing_key}, {"event_action", action}, {"dedup_key", dedup_key}});
}

json::value ParseJson(std::string_view text) {
  json::error_code ec;
  json::value value = json::parse(text, ec);
  if (ec) {
    ADD_FAILURE() << "not JSON (" << ec.message() << "): " << text.substr(0, 500);
    return nullptr;
  }
  return value;
}

std::string StringField(const json::value& object, std::string_view key) {
  const auto* obj = object.if_object();
  const auto* v = obj ? obj->if_contains(key) : nullptr;
  return v && v->is_string() ? std::string(v->as_string()) : "";
}

uint64_t NumberField(const json::value& object, std::string_view key) {
  const auto* obj = object.if_object();
  const auto* v = obj ? obj->if_contains(key) : nullptr;
  if (v == nullptr) return 0;
  if (v->is_uint64()) return v->as_uint64();
  if (v->is_int64() && v->as_int64() > 0) return static_cast<uint64_t>(v->as_int64());
  return 0;
}

std::vector<json::object> AllIncidents(HttpClient& client, const std::string& query) {
  std::vector<json::object> incidents;
  uint64_t before = 0;
  for (;;) {
    std::string target = "/api/v1/incidents?limit=500";
    if (!query.empty()) target += "&" + query;
    if (before != 0) target += "&before=" + std::to_string(before);
    auto response = client.Get(target);
    if (!response.ok()) {
      ADD_FAILURE() << "GET " << target << ": " << response.error().message;
      return incidents;
    }
    if (response->status != 200) {
      ADD_FAILURE() << "GET " << target << ": HTTP " << response->status << " " << response->body;
      return incidents;
    }
    json::value page = ParseJson(response->body);
    const auto* list = page.is_object() ? page.as_object().if_contains("incidents") : nullptr;
    if (list == nullptr || !list->is_array()) {
      ADD_FAILURE() << "GET " << target << ": no incidents array in " << response->body.substr(0, 500);
      return incidents;
    }
    for (const auto& incident : list->as_array()) incidents.push_back(incident.as_object());
    const uint64_t next = NumberField(page, "next_before");
    if (next == 0) return incidents;
    if (before != 0 && next >= before) {
      ADD_FAILURE() << "next_before did not decrease: " << next << " after " << before;
      return incidents;
    }
    before = next;
  }
}

std::vector<json::object> TimelineOf(HttpClient& client, uint64_t incident_id) {
  std::vector<json::object> entries;
  uint64_t after = 0;
  for (;;) {
    const std::string target = "/api/v1/incidents/" + std::to_string(incident_id) +
                               "/timeline?limit=500&after=" + std::to_string(after);
    auto response = client.Get(target);
    if (!response.ok() || response->status != 200) {
      ADD_FAILURE() << "GET " << target << " failed: "
                    << (response.ok() ? response->body : response.error().message);
      return entries;
    }
    json::value page = ParseJson(response->body);
    const auto* list = page.is_object() ? page.as_object().if_contains("entries") : nullptr;
    if (list == nullptr || !list->is_array()) {
      ADD_FAILURE() << "GET " << target << ": no entries array";
      return entries;
    }
    for (const auto& entry : list->as_array()) entries.push_back(entry.as_object());
    if (list->as_array().size() < 500) return entries;
    after = NumberField(entries.back(), "seq");
  }
}

bool HasLineWith(const std::string& text, std::initializer_list<std::string_view> parts) {
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    const std::string_view line(text.data() + start, end - start);
    bool all = true;
    for (auto part : parts) all = all && line.find(part) != std::string_view::npos;
    if (all) return true;
    start = end + 1;
  }
  return false;
}

}  // namespace test_support
