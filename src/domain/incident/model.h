// The incident lifecycle's in-memory state: open alerts, incidents not yet closed, the grouping index and timers.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/result.h"
#include "core/time.h"
#include "domain/ingest/event.h"

namespace incident {

enum class State : uint8_t { kTriggered, kAcknowledged, kResolved, kClosed };
enum class AlertStatus : uint8_t { kTriggered, kAcknowledged, kResolved };

const char* ToString(State state);
const char* ToString(AlertStatus status);

struct Alert {
  uint64_t id = 0;  // seq of the alert.triggered record
  uint64_t incident_id = 0;
  std::string service;
  std::string dedup_key;
  AlertStatus status = AlertStatus::kTriggered;
  std::string summary;
  std::string source;
  ingest::Severity severity = ingest::Severity::kError;
  core::Timestamp created_at{};
  core::Timestamp updated_at{};
  uint32_t event_count = 1;
  std::string details_json;

  friend bool operator==(const Alert&, const Alert&) = default;
};

struct Incident {
  uint64_t id = 0;
  std::string service;
  std::string group_key;
  std::string title;
  ingest::Severity severity = ingest::Severity::kInfo;
  State state = State::kTriggered;
  core::Timestamp opened_at{};
  std::optional<core::Timestamp> acknowledged_at;
  std::optional<core::Timestamp> resolved_at;
  std::optional<core::Timestamp> closed_at;
  uint32_t alert_count = 0;
  std::vector<uint64_t> open_alerts;             // ids, in the order they joined
  std::optional<core::Timestamp> timer_due;      // ack timeout (acknowledged) or auto-close (resolved)
  uint64_t last_seq = 0;
  std::string last_actor;

  friend bool operator==(const Incident&, const Incident&) = default;
};

// Owned by the engine's writer thread.
struct Model {
  uint64_t next_incident_id = 1;
  std::unordered_map<uint64_t, Alert> alerts;                 // open (unresolved) alerts by id
  std::unordered_map<std::string, uint64_t> alert_by_key;     // AlertKey(service, dedup_key) → open alert id
  std::map<uint64_t, Incident> incidents;                     // every incident not yet closed
  std::unordered_map<std::string, uint64_t> open_groups;      // AlertKey(service, group_key) → unresolved incident
  std::set<std::pair<int64_t, uint64_t>> timers;              // (due ms, incident id)

  const Alert* FindOpenAlert(const std::string& service, const std::string& dedup_key) const;
  const Incident* FindIncident(uint64_t id) const;
  size_t open_incident_count() const { return open_groups.size(); }
};

std::string AlertKey(std::string_view service, std::string_view key);

// Canonical, deterministic encoding (for snapshots and for comparing states).
std::string EncodeModel(const Model& model);
core::Result<Model> DecodeModel(std::string_view bytes);

}  // namespace incident
