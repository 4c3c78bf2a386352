// Events in the PagerDuty Events API v2 shape: the parsed form, and the parser/validator for its JSON.
#pragma once

#include <optional>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <boost/json/value.hpp>

#include "core/result.h"
#include "core/time.h"

namespace ingest {

enum class Action { kTrigger, kAcknowledge, kResolve };
enum class Severity : uint8_t { kCritical, kError, kWarning, kInfo };  // ordered: most severe first

const char* ToString(Action action);
const char* ToString(Severity severity);
std::optional<Severity> ParseSeverity(std::string_view text);

struct Link {
  std::string href;
  std::string text;
  friend bool operator==(const Link&, const Link&) = default;
};
struct Image {
  std::string src;
  std::string href;
  std::string alt;
  friend bool operator==(const Image&, const Image&) = default;
};

struct Event {
  std::string routing_key;
  Action action = Action::kTrigger;
  std::string dedup_key;  // empty on a trigger until the edge assigns one
  // payload (trigger only)
  std::string summary;
  std::string source;
  Severity severity = Severity::kError;
  std::optional<core::Timestamp> timestamp;
  std::string component;
  std::string group;
  std::string event_class;          // payload.class
  std::string custom_details_json;  // serialized JSON object, empty when absent
  std::vector<Link> links;
  std::vector<Image> images;
  std::string client;
  std::string client_url;

  friend bool operator==(const Event&, const Event&) = default;
};

// One validation failure: the JSON pointer of the field and what is wrong with it.
struct FieldError {
  std::string field;    // e.g. "/payload/severity"
  std::string message;  // e.g. "must be one of critical, error, warning, info"
};

// Validates a parsed JSON body against the Events v2 rules (required fields per action, enum values, lengths:
// summary ≤ 1024, dedup_key ≤ 255, at most 50 links and images). Returns the event, or every error found.
// Unknown fields are ignored, as PagerDuty does.
std::pair<std::optional<Event>, std::vector<FieldError>> ParseEventV2(const boost::json::value& body);

}  // namespace ingest
