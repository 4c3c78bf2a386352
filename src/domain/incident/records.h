// Journal record payloads of the incident lifecycle: type tags, the structs, and their versioned encodings.
#pragma once

#include <cstdint>
#include <string>
#include <variant>

#include "core/result.h"
#include "core/time.h"
#include "domain/ingest/event.h"

namespace incident {

// Type tags 1..99 belong to this module. Never reuse or renumber a tag; bump the version to change a payload.
enum class RecordType : uint16_t {
  kIncidentOpened = 1,
  kAlertTriggered = 2,
  kAlertRetriggered = 3,
  kAlertAcknowledged = 4,
  kAlertResolved = 5,
  kIncidentAcknowledged = 6,
  kIncidentUnacknowledged = 7,
  kIncidentResolved = 8,
  kIncidentClosed = 9,
  kNoteAdded = 10,
  kSeverityRaised = 11,
  kEventDropped = 12,
};
constexpr uint16_t kFirstType = 1;
constexpr uint16_t kLastType = 12;

// "incident.opened", "alert.triggered", ...; "unknown" for tags outside this module.
const char* TypeName(uint16_t type);

struct IncidentOpened {
  uint64_t incident_id = 0;
  std::string service;
  std::string group_key;
  std::string title;
  ingest::Severity severity = ingest::Severity::kError;
};
struct AlertTriggered {  // the alert's id is the record's seq
  uint64_t incident_id = 0;
  std::string service;
  std::string dedup_key;
  std::string summary;
  std::string source;
  ingest::Severity severity = ingest::Severity::kError;
  std::string details_json;
};
struct AlertRetriggered {
  uint64_t alert_id = 0;
  std::string summary;
  ingest::Severity severity = ingest::Severity::kError;
  std::string details_json;
};
struct AlertAcknowledged {
  uint64_t alert_id = 0;
};
struct AlertResolved {
  uint64_t alert_id = 0;
};
struct IncidentAcknowledged {
  uint64_t incident_id = 0;
  int64_t timeout_at_ms = 0;  // when the acknowledgement expires; 0 = never
};
struct IncidentUnacknowledged {
  uint64_t incident_id = 0;
  std::string reason;
};
struct IncidentResolved {
  uint64_t incident_id = 0;
  std::string note;
  int64_t close_at_ms = 0;  // when it closes by itself; 0 = never
};
struct IncidentClosed {
  uint64_t incident_id = 0;
};
struct NoteAdded {
  uint64_t incident_id = 0;
  std::string text;
};
struct SeverityRaised {
  uint64_t incident_id = 0;
  ingest::Severity severity = ingest::Severity::kError;
};
struct EventDropped {
  std::string service;
  std::string dedup_key;
  ingest::Action action = ingest::Action::kTrigger;
  std::string reason;
};

using Payload = std::variant<IncidentOpened, AlertTriggered, AlertRetriggered, AlertAcknowledged, AlertResolved,
                             IncidentAcknowledged, IncidentUnacknowledged, IncidentResolved, IncidentClosed,
                             NoteAdded, SeverityRaised, EventDropped>;

RecordType TypeOf(const Payload& payload);
// The current version's encoding.
std::string EncodePayload(const Payload& payload);
// kCorrupt for an unknown type, an unknown version, or malformed bytes.
core::Result<Payload> DecodePayload(uint16_t type, uint16_t version, std::string_view bytes);
constexpr uint16_t kPayloadVersion = 1;

}  // namespace incident
