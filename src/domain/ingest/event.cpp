#include "domain/ingest/event.h"

#include <boost/json.hpp>

namespace ingest {
namespace {

namespace json = boost::json;

constexpr size_t kMaxSummary = 1024;
constexpr size_t kMaxDedupKey = 255;
constexpr size_t kMaxShortField = 1024;
constexpr size_t kMaxLinks = 50;

struct Checker {
  std::vector<FieldError> errors;

  void Fail(std::string field, std::string message) { errors.push_back({std::move(field), std::move(message)}); }

  // Records "is required" unless the field already has an error (present but of the wrong type or too long).
  void Require(const std::string& field, const std::string& why = "is required for trigger") {
    for (const auto& e : errors) {
      if (e.field == field) return;
    }
    Fail(field, why);
  }

  // Reads an optional string member; records an error when present with another type or too long.
  std::string OptString(const json::object& obj, std::string_view key, const std::string& path, size_t max_len) {
    auto it = obj.find(key);
    if (it == obj.end() || it->value().is_null()) return {};
    if (!it->value().is_string()) {
      Fail(path, "must be a string");
      return {};
    }
    const auto& s = it->value().get_string();
    if (s.size() > max_len) {
      Fail(path, "must be at most " + std::to_string(max_len) + " characters");
      return {};
    }
    return std::string(s);
  }
};

}  // namespace

const char* ToString(Action action) {
  switch (action) {
    case Action::kTrigger: return "trigger";
    case Action::kAcknowledge: return "acknowledge";
    case Action::kResolve: return "resolve";
  }
  return "trigger";
}

const char* ToString(Severity severity) {
  switch (severity) {
    case Severity::kCritical: return "critical";
    case Severity::kError: return "error";
    case Severity::kWarning: return "warning";
    case Severity::kInfo: return "info";
  }
  return "error";
}

std::optional<Severity> ParseSeverity(std::string_view text) {
  if (text == "critical") return Severity::kCritical;
  if (text == "error") return Severity::kError;
  if (text == "warning") return Severity::kWarning;
  if (text == "info") return Severity::kInfo;
  return std::nullopt;
}

std::pair<std::optional<Event>, std::vector<FieldError>> ParseEventV2(const json::value& body) {
  Checker c;
  if (!body.is_object()) {
    c.Fail("", "the event must be a JSON object");
    return {std::nullopt, std::move(c.errors)};
  }
  const auto& obj = body.get_object();
  Event ev;

  ev.routing_key = c.OptString(obj, "routing_key", "/routing_key", 255);
  if (ev.routing_key.empty()) c.Require("/routing_key", "is required");

  std::string action = c.OptString(obj, "event_action", "/event_action", 32);
  if (action == "trigger") {
    ev.action = Action::kTrigger;
  } else if (action == "acknowledge") {
    ev.action = Action::kAcknowledge;
  } else if (action == "resolve") {
    ev.action = Action::kResolve;
  } else if (action.empty()) {
    c.Require("/event_action", "is required");
  } else {
    c.Fail("/event_action", "must be one of trigger, acknowledge, resolve");
  }

  ev.dedup_key = c.OptString(obj, "dedup_key", "/dedup_key", kMaxDedupKey);
  if ((action == "acknowledge" || action == "resolve") && ev.dedup_key.empty()) {
    c.Require("/dedup_key", "is required for " + action);
  }

  ev.client = c.OptString(obj, "client", "/client", kMaxShortField);
  ev.client_url = c.OptString(obj, "client_url", "/client_url", 2048);

  auto payload_it = obj.find("payload");
  bool is_trigger = action == "trigger";
  if (payload_it == obj.end() || payload_it->value().is_null()) {
    if (is_trigger) c.Fail("/payload", "is required for trigger");
  } else if (!payload_it->value().is_object()) {
    c.Fail("/payload", "must be an object");
  } else {
    const auto& p = payload_it->value().get_object();
    ev.summary = c.OptString(p, "summary", "/payload/summary", kMaxSummary);
    ev.source = c.OptString(p, "source", "/payload/source", kMaxShortField);
    std::string severity = c.OptString(p, "severity", "/payload/severity", 32);
    if (is_trigger) {
      if (ev.summary.empty()) c.Require("/payload/summary");
      if (ev.source.empty()) c.Require("/payload/source");
      if (severity.empty()) c.Require("/payload/severity");
    }
    if (!severity.empty()) {
      auto s = ParseSeverity(severity);
      if (!s) {
        c.Fail("/payload/severity", "must be one of critical, error, warning, info");
      } else {
        ev.severity = *s;
      }
    }
    std::string ts = c.OptString(p, "timestamp", "/payload/timestamp", 64);
    if (!ts.empty()) {
      auto t = core::ParseRfc3339(ts);
      if (!t.ok()) {
        c.Fail("/payload/timestamp", "must be an ISO 8601 date-time");
      } else {
        ev.timestamp = t.value();
      }
    }
    ev.component = c.OptString(p, "component", "/payload/component", kMaxShortField);
    ev.group = c.OptString(p, "group", "/payload/group", kMaxShortField);
    ev.event_class = c.OptString(p, "class", "/payload/class", kMaxShortField);
    if (auto cd = p.find("custom_details"); cd != p.end() && !cd->value().is_null()) {
      // PagerDuty accepts any JSON here; a string is kept as a string value.
      ev.custom_details_json = json::serialize(cd->value());
    }
  }

  if (auto links = obj.find("links"); links != obj.end() && !links->value().is_null()) {
    if (!links->value().is_array()) {
      c.Fail("/links", "must be an array");
    } else if (links->value().get_array().size() > kMaxLinks) {
      c.Fail("/links", "must have at most " + std::to_string(kMaxLinks) + " entries");
    } else {
      size_t i = 0;
      for (const auto& l : links->value().get_array()) {
        std::string path = "/links/" + std::to_string(i++);
        if (!l.is_object()) {
          c.Fail(path, "must be an object");
          continue;
        }
        Link link{c.OptString(l.get_object(), "href", path + "/href", 2048),
                  c.OptString(l.get_object(), "text", path + "/text", kMaxShortField)};
        if (link.href.empty()) c.Fail(path + "/href", "is required");
        ev.links.push_back(std::move(link));
      }
    }
  }
  if (auto images = obj.find("images"); images != obj.end() && !images->value().is_null()) {
    if (!images->value().is_array()) {
      c.Fail("/images", "must be an array");
    } else if (images->value().get_array().size() > kMaxLinks) {
      c.Fail("/images", "must have at most " + std::to_string(kMaxLinks) + " entries");
    } else {
      size_t i = 0;
      for (const auto& im : images->value().get_array()) {
        std::string path = "/images/" + std::to_string(i++);
        if (!im.is_object()) {
          c.Fail(path, "must be an object");
          continue;
        }
        const auto& o = im.get_object();
        Image image{c.OptString(o, "src", path + "/src", 2048), c.OptString(o, "href", path + "/href", 2048),
                    c.OptString(o, "alt", path + "/alt", kMaxShortField)};
        if (image.src.empty()) c.Fail(path + "/src", "is required");
        ev.images.push_back(std::move(image));
      }
    }
  }

  if (!c.errors.empty()) return {std::nullopt, std::move(c.errors)};
  return {std::move(ev), {}};
}

}  // namespace ingest
