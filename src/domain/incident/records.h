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
  kIncidentMerged = 13,
  kNotificationRequested = 14,
  kAlertLinked = 15,
  kAlertFlapping = 16,
  kFlapsPruned = 17,
  kNotificationCancelled = 18,
  kIncidentReclassified = 19,
};
constexpr uint16_t kFirstType = 1;
constexpr uint16_t kLastType = 19;

// "incident.opened", "alert.triggered", ...; "unknown" for tags outside this module.
const char* TypeName(uint16_t type);

struct IncidentOpened {
  uint64_t incident_id = 0;
  std::string service;
  std::string group_key;
  std::string title;
  ingest::Severity severity = ingest::Severity::kError;
  // Version 2:
  uint64_t subject = 0;      // the topology node its first alert is about (0: none)
  int64_t notify_at_ms = 0;  // when its first notification is due (group_wait); 0 = none scheduled
  // Version 3:
  std::string category = {};  // its category (a taxonomy rule, else the opening alert's `category` label or class)
  // Version 4:
  std::string subcategory = {};
  std::string category_rule = {};  // the taxonomy rule that chose the category ("label", "class": the fallbacks)
};

// Why an alert is where it is. Stored in its alert.triggered record; the text shown on the timeline and the alert
// is derived from it (see Explain).
struct Placement {
  enum class Kind : uint8_t {
    kOpened = 0,     // it opened its incident
    kGrouped = 1,    // it joined an open incident of its service by group key
    kSymptom = 2,    // it joined a failing parent's incident (topology)
    kSuppressed = 3, // a maintenance window holds it out of incidents
  };
  Kind kind = Kind::kOpened;
  uint64_t incident_id = 0;   // kSymptom: the parent's incident
  std::string rule;           // kSymptom: host-dependency, segment-dependency, service-dependency
  std::string parent;         // kSymptom: "host db-1"
  int64_t offset_ms = 0;      // kSymptom: this alert's time minus the parent's failure start
  std::string window;         // kSuppressed: the window's id; otherwise a window it arrived in, unexpected
  std::string window_name;    // the window's name, for the explanation

  friend bool operator==(const Placement&, const Placement&) = default;
};

struct AlertTriggered {  // the alert's id is the record's seq
  uint64_t incident_id = 0;  // 0 when suppressed (Placement kSuppressed)
  std::string service;
  std::string dedup_key;
  std::string summary;
  std::string source;
  ingest::Severity severity = ingest::Severity::kError;
  std::string details_json;
  // Version 2:
  Placement placement;
  uint64_t subject = 0;       // the topology node the alert is about (0: none)
  bool failure = false;       // the alert says `subject` itself is down (a failure rule matched)
  uint64_t member = 0;        // kind of symptom (hash of service and alert name): a new one in an incident speaks
  int64_t notify_at_ms = 0;   // a notification of its incident becomes due then; 0 = no change
  std::string group_key;      // kSuppressed only: where it goes when the window ends
  std::string title;          // kSuppressed only: the title of the incident it would open
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

// A dependent's incident opened shortly before its parent failed: its open alerts move to the parent's incident,
// and it is resolved as merged.
struct IncidentMerged {
  uint64_t incident_id = 0;   // the dependent's incident
  uint64_t into = 0;          // the parent's incident
  std::string rule;           // the dependency edge, as in Placement
  std::string parent;         // "host db-1"
  int64_t offset_ms = 0;      // the parent's failure start minus this incident's opening (>= 0)
  int64_t close_at_ms = 0;    // when the merged incident closes; 0 = never by itself
  int64_t notify_at_ms = 0;   // a notification of `into` becomes due then; 0 = no change
};

// A notification the incident owes people: delivery (channels, escalation) acts on these records.
struct NotificationRequested {
  enum class Kind : uint8_t {
    kTriggered = 0,        // first notification, after group_wait
    kUpdated = 1,          // new distinct symptoms joined, after group_interval
    kResolved = 2,         // an incident people were told about is resolved
    kMerged = 3,           // an incident people were told about was merged into another
    kFlappingStarted = 4,  // an alert started flapping: its incident stops speaking for it
    kFlappingStopped = 5,
    kMaintenance = 6,      // about a maintenance window: replay at its end, reminders, summary (incident_id 0)
    kDirect = 7,           // to `to` only (a person): coordination reminders, channel announcements
  };
  uint64_t incident_id = 0;  // 0: not about one incident (maintenance summaries)
  Kind kind = Kind::kTriggered;
  std::string text;
  std::string to;            // an explicit recipient (a window's owner); empty = the incident's responders
};

// A suppressed alert (held out of incidents by a maintenance window) enters an incident: the window ended, or it
// stopped being in scope.
struct AlertLinked {
  uint64_t alert_id = 0;
  uint64_t incident_id = 0;
  int64_t notify_at_ms = 0;  // a notification of the incident becomes due then; 0 = no change
  std::string reason;        // "maintenance window 'db upgrade' ended"
};

// An alert identity started or stopped flapping: while it flaps, its incidents do not speak for it.
struct AlertFlapping {
  std::string service;
  std::string dedup_key;
  bool started = true;
  uint32_t percent_x100 = 0;  // the percent state change that decided it, times 100
};
// Histories of alerts quiet since `before_ms` (and not flapping) are dropped.
struct FlapsPruned {
  int64_t before_ms = 0;
};

// A notification the incident still owed is not sent (a maintenance window covering it opened).
struct NotificationCancelled {
  uint64_t incident_id = 0;
  std::string reason;
};

// A person changed the incident's category (the taxonomy is checked at the edge of the decision).
struct IncidentReclassified {
  uint64_t incident_id = 0;
  std::string category;
  std::string subcategory;
  std::string reason;
};

using Payload = std::variant<IncidentOpened, AlertTriggered, AlertRetriggered, AlertAcknowledged, AlertResolved,
                             IncidentAcknowledged, IncidentUnacknowledged, IncidentResolved, IncidentClosed,
                             NoteAdded, SeverityRaised, EventDropped, IncidentMerged, NotificationRequested,
                             AlertLinked, AlertFlapping, FlapsPruned, NotificationCancelled, IncidentReclassified>;

RecordType TypeOf(const Payload& payload);
// The current version's encoding (PayloadVersion(TypeOf(payload))).
std::string EncodePayload(const Payload& payload);
// kCorrupt for an unknown type, an unknown version, or malformed bytes. Older versions decode with the fields they
// lack at their defaults.
core::Result<Payload> DecodePayload(uint16_t type, uint16_t version, std::string_view bytes);
// The version EncodePayload writes for a type: 4 for incident.opened, 2 for alert.triggered, 1 for the others.
uint16_t PayloadVersion(RecordType type);

const char* ToString(Placement::Kind kind);
const char* ToString(NotificationRequested::Kind kind);

}  // namespace incident
