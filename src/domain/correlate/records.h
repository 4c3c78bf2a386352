// Journal record payloads of the labelled-alert path: alert changes (one record per request or timer pass, not per
// alert), silences saved and dropped. Type tags 100..199 belong to this module.
#pragma once

#include <cstdint>
#include <string>
#include <variant>
#include <vector>

#include "core/result.h"
#include "core/time.h"
#include "domain/correlate/maintenance.h"
#include "domain/correlate/silence.h"
#include "domain/correlate/topology.h"

namespace correlate {

// Never reuse or renumber a tag; bump the version to change a payload.
enum class RecordType : uint16_t {
  kAlertsChanged = 100,
  kSilenceSaved = 101,
  kSilenceDropped = 102,
  kTopologySaved = 103,
  kWindowSaved = 104,
  kWindowOpened = 105,
  kWindowClosed = 106,
  kWindowReminded = 107,
};
constexpr uint16_t kFirstType = 100;
constexpr uint16_t kLastType = 107;
constexpr uint16_t kPayloadVersion = 1;

// "alerts.changed", "silence.saved", "silence.dropped"; "unknown" otherwise.
const char* TypeName(uint16_t type);

// What happened to one labelled alert. Which fields matter depends on the kind.
struct AlertChange {
  enum class Kind : uint8_t {
    kNew = 0,      // all fields
    kUpdate = 1,   // content, starts_at, ends_at, timeout (annotations or generatorURL changed)
    kRefresh = 2,  // starts_at, ends_at, timeout (a re-send that changed nothing else)
    kResolve = 3,  // ends_at: the alert is resolved and leaves the model
    kLink = 4,     // alert_id, incident_id: it entered an incident (a silence ended, or its incident was resolved by hand)
    kMute = 5,     // muted_until: still silenced, look again then
  };
  Kind kind = Kind::kNew;
  uint64_t key = 0;
  uint64_t fingerprint = 0;
  bool webhook = false;
  std::string service;
  std::string group_key;
  std::string content;
  core::Timestamp starts_at{};
  core::Timestamp ends_at{};
  bool timeout = false;
  uint64_t alert_id = 0;
  uint64_t incident_id = 0;
  core::Timestamp muted_until{};

  friend bool operator==(const AlertChange&, const AlertChange&) = default;
};

enum class Cause : uint8_t { kApi = 0, kWebhook = 1, kTimer = 2, kSilence = 3 };
const char* ToString(Cause cause);

struct AlertsChanged {
  Cause cause = Cause::kApi;
  std::vector<AlertChange> changes;
};
struct SilenceSaved {
  Silence silence;
  int64_t drop_at_ms = 0;  // when the silence is forgotten (its end plus the retention)
};
struct SilenceDropped {
  std::string id;
};

// The service topology changed (at start when the configuration differs from the journal's, or on reload).
struct TopologySaved {
  TopologyConfig topology;
};

// A maintenance window created or changed (extended, ended early, cancelled).
struct WindowSaved {
  Window window;
};
// An occurrence of a window began.
struct WindowOpened {
  std::string id;
  int64_t start_ms = 0;
  int64_t end_ms = 0;
};
// The open occurrence ended (its end, or ended early): what it held is replayed.
struct WindowClosed {
  std::string id;
};
// The owner was reminded that the open occurrence ends soon.
struct WindowReminded {
  std::string id;
};

using Payload = std::variant<AlertsChanged, SilenceSaved, SilenceDropped, TopologySaved, WindowSaved, WindowOpened,
                             WindowClosed, WindowReminded>;

RecordType TypeOf(const Payload& payload);
std::string EncodePayload(const Payload& payload);
// kCorrupt for an unknown type or version, or malformed bytes.
core::Result<Payload> DecodePayload(uint16_t type, uint16_t version, std::string_view bytes);

}  // namespace correlate
