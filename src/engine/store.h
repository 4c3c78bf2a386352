// The Store port: what the engine needs from durable storage (journal, snapshots, query tables). Implemented by
// store/sqlite (embedded default) and store/memory (tests); both pass src/store/contract_test.
#pragma once

#include <cstdint>
#include <functional>
#include <limits>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "core/time.h"
#include "journal/record.h"

namespace engine {

// A journal record as persisted: its canonical bytes (journal::Encode) and hash.
struct StoredRecord {
  uint64_t seq = 0;
  uint16_t type = 0;
  core::Timestamp time{};
  std::string bytes;
  journal::Hash hash{};
};

// The whole engine state at one point of the journal.
struct Snapshot {
  uint64_t seq = 0;          // last record folded into `state`
  journal::Hash hash{};      // that record's hash
  core::Timestamp taken_at{};
  std::string state;         // engine::EncodeState
};

// Query-table rows, maintained by the writer in the same transaction as the records they derive from.
struct IncidentRow {
  uint64_t id = 0;
  std::string service;
  std::string group_key;
  std::string title;
  std::string severity;  // critical, error, warning, info
  std::string state;     // triggered, acknowledged, resolved, closed
  core::Timestamp opened_at{};
  std::optional<core::Timestamp> acknowledged_at;
  std::optional<core::Timestamp> resolved_at;
  std::optional<core::Timestamp> closed_at;
  uint32_t alert_count = 0;        // alerts ever attached
  uint32_t open_alert_count = 0;   // alerts not resolved
  uint64_t last_seq = 0;           // record that last changed this row
  std::string last_actor;
  uint64_t merged_into = 0;                    // the incident it was merged into (then it is resolved)
  uint32_t notifications = 0;                  // notifications requested for it
  std::optional<core::Timestamp> notify_due;   // when the next one is due, if one is
  std::string category;                        // its classification ("" = unclassified)
  std::string subcategory;
  std::string category_rule;                   // what chose it: a taxonomy rule, "label", "class", or who reclassified
  std::string major_reason;                    // why it is a major incident ("" = it is not)

  friend bool operator==(const IncidentRow&, const IncidentRow&) = default;
};

struct AlertRow {
  std::string service;
  std::string dedup_key;
  uint64_t id = 0;  // the seq of the record that created the alert; a key re-triggered after resolve is a new alert
  uint64_t incident_id = 0;
  std::string status;  // triggered, acknowledged, resolved
  std::string summary;
  std::string source;
  std::string severity;
  core::Timestamp created_at{};
  core::Timestamp updated_at{};
  uint32_t event_count = 0;
  std::string details_json;  // payload extras as JSON: component, group, class, custom_details, links, images
  // Upserts only: false when the row carries no text (a status change), so the store keeps the stored summary,
  // source and details_json. When true, an empty source or details_json also keeps the stored value (a re-trigger
  // does not repeat them). Rows read back always have true.
  bool text = true;
  // Why it is where it is ("joined incident 12 as a symptom: host db-1 down ..."); empty in an upsert keeps the
  // stored one.
  std::string explanation;
  // The maintenance window that suppressed it (kept after it leaves the window); empty in an upsert keeps it.
  std::string suppressed_by;

  friend bool operator==(const AlertRow&, const AlertRow&) = default;
};

struct TimelineRow {
  uint64_t incident_id = 0;
  uint64_t seq = 0;  // the record this entry comes from
  core::Timestamp time{};
  std::string actor;
  std::string kind;  // opened, alert_triggered, alert_retriggered, alert_resolved, acknowledged, resolved, note, ...
  std::string text;

  friend bool operator==(const TimelineRow&, const TimelineRow&) = default;
};

struct Projection {
  std::vector<IncidentRow> incidents;  // upserts by id
  std::vector<AlertRow> alerts;        // upserts by id
  std::vector<TimelineRow> timeline;   // inserts
  bool empty() const { return incidents.empty() && alerts.empty() && timeline.empty(); }
};

struct IncidentQuery {
  std::vector<std::string> states;  // any of; empty = all
  std::string service;              // exact; empty = all
  std::string severity;             // exact; empty = all
  uint64_t before_id = 0;           // keyset pagination: ids < before_id (0 = from the newest)
  uint32_t limit = 50;              // 1..500
};

struct IncidentPage {
  std::vector<IncidentRow> incidents;  // newest first
  uint64_t next_before_id = 0;         // pass as before_id for the next page; 0 when this is the last page
};

struct JournalHead {
  uint64_t seq = 0;  // 0 when empty
  journal::Hash hash{};
};

// Thread safety: Append is called by the single writer thread only, SaveSnapshot by one thread at a time; Sync
// from any thread, concurrently with Append and with another Sync (the syncer and the snapshotter may sync at
// once); every other method may be called from any thread concurrently with the writer (implementations use
// separate read connections).
class Store {
 public:
  virtual ~Store() = default;

  // Appends records (consecutive seqs, continuing the stored journal) and applies the projection, in one
  // transaction. Committed and visible to readers when this returns ok, but durable against a power cut only once
  // a Sync that started after it has returned ok. On error nothing is written.
  // kConflict when the first seq does not follow the stored head (another writer, or a bug).
  virtual core::Status Append(std::span<const StoredRecord> records, const Projection& projection) = 0;

  // Makes every transaction committed before the call durable (synced to disk). Splitting this from Append lets
  // the writer commit the next batch while the previous one is being synced. kUnavailable when the sync fails.
  // Stores whose Append is already durable keep this default.
  virtual core::Status Sync() { return core::Ok(); }

  virtual core::Result<JournalHead> Head() = 0;

  // Calls `visit` for each record with seq > after_seq, in order, until it returns an error (which is returned).
  virtual core::Status ScanJournal(uint64_t after_seq,
                                   const std::function<core::Status(const StoredRecord&)>& visit) = 0;

  virtual core::Status SaveSnapshot(const Snapshot& snapshot) = 0;
  // The snapshot with the highest seq, or nullopt when none was saved.
  virtual core::Result<std::optional<Snapshot>> LatestSnapshot() = 0;

  virtual core::Result<IncidentPage> ListIncidents(const IncidentQuery& query) = 0;
  // kNotFound when there is no such incident.
  virtual core::Result<IncidentRow> GetIncident(uint64_t id) = 0;
  // Entries in seq order with seq > after_seq, at most `limit`.
  virtual core::Result<std::vector<TimelineRow>> Timeline(uint64_t incident_id, uint64_t after_seq,
                                                          uint32_t limit) = 0;
  // Every alert ever attached to the incident, oldest first.
  virtual core::Result<std::vector<AlertRow>> IncidentAlerts(uint64_t incident_id) = 0;
  // Alerts a maintenance window suppressed (still suppressed or not), oldest first, at most `limit`.
  virtual core::Result<std::vector<AlertRow>> WindowAlerts(std::string_view window_id, uint32_t limit) = 0;
};

// What every Store's Append refuses before touching storage (kInvalid): records whose seqs are not consecutive, and
// any seq or id above INT64_MAX (the SQL stores keep them in signed 64-bit columns).
// (Inline: the stores use the engine's headers without linking the engine.)
inline constexpr uint64_t kMaxStoredId = static_cast<uint64_t>(std::numeric_limits<int64_t>::max());
inline core::Status ValidateAppend(std::span<const StoredRecord> records, const Projection& projection) {
  for (size_t i = 0; i < records.size(); ++i) {
    if (records[i].seq != records[0].seq + i) {
      return core::Invalid("record seqs are not consecutive: " + std::to_string(records[i].seq) + " at position " +
                           std::to_string(i) + " after " + std::to_string(records[0].seq));
    }
  }
  if (!records.empty() && records.back().seq > kMaxStoredId) return core::Invalid("record seq above INT64_MAX");
  for (const IncidentRow& row : projection.incidents) {
    if (row.id > kMaxStoredId || row.last_seq > kMaxStoredId || row.merged_into > kMaxStoredId) {
      return core::Invalid("incident id above INT64_MAX");
    }
  }
  for (const AlertRow& row : projection.alerts) {
    if (row.id > kMaxStoredId || row.incident_id > kMaxStoredId) return core::Invalid("alert id above INT64_MAX");
  }
  for (const TimelineRow& row : projection.timeline) {
    if (row.incident_id > kMaxStoredId || row.seq > kMaxStoredId) return core::Invalid("timeline id above INT64_MAX");
  }
  return core::Ok();
}

}  // namespace engine
