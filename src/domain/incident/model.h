// The incident lifecycle's in-memory state: open alerts, incidents not yet closed, the grouping index and timers.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include <absl/container/flat_hash_map.h>

#include "core/dense_id_map.h"
#include "core/result.h"
#include "core/time.h"
#include "core/timer_set.h"
#include "domain/incident/flapping.h"
#include "domain/ingest/event.h"

namespace incident {

enum class State : uint8_t { kTriggered, kAcknowledged, kResolved, kClosed };
enum class AlertStatus : uint8_t { kTriggered, kAcknowledged, kResolved };

const char* ToString(State state);
const char* ToString(AlertStatus status);

struct Alert {
  uint64_t id = 0;  // seq of the alert.triggered record
  uint64_t incident_id = 0;  // 0 while a maintenance window suppresses it (Model::suppressed names the window)
  uint64_t subject = 0;      // the topology node it is about (0: none)
  std::string service;
  std::string dedup_key;
  AlertStatus status = AlertStatus::kTriggered;
  ingest::Severity severity = ingest::Severity::kError;
  bool failure = false;      // it says `subject` itself is down
  // Beside the three bytes above, so the struct has no padding: 112 bytes, a 128-byte node in the alerts table
  // (jemalloc's size class) instead of 160.
  uint32_t event_count = 1;
  core::Timestamp created_at{};
  core::Timestamp updated_at{};
  // The alert's text (summary, source, details) is not kept here: decisions never read it, it lives in the journal
  // and the alerts query table, and an alert storm holds hundreds of thousands of these.

  friend bool operator==(const Alert&, const Alert&) = default;
};

// The ids of an incident's open alerts, in the order they joined. Removing one is O(1) amortized: the slot stays
// until more than half the slots are stale, then the list is compacted. (Erasing from the middle of a vector made
// resolving an alert storm quadratic: 100k alerts in one incident, resolved one by one.)
class OpenAlerts {
 public:
  void Add(uint64_t id) {
    ids_.push_back(id);
    ++count_;
  }
  // `id` was open and is no longer; `is_open` tells which slots still hold open alerts.
  template <typename IsOpen>
  void Removed(IsOpen&& is_open) {
    --count_;
    if (ids_.size() > 2 * static_cast<size_t>(count_) + 16) std::erase_if(ids_, [&](uint64_t id) { return !is_open(id); });
  }
  size_t size() const { return count_; }
  bool empty() const { return count_ == 0; }
  // Every slot, stale ones included: filter with the model (Model::OpenAlertIds).
  const std::vector<uint64_t>& slots() const { return ids_; }

 private:
  std::vector<uint64_t> ids_;
  uint32_t count_ = 0;
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
  OpenAlerts open_alerts;
  std::optional<core::Timestamp> timer_due;      // ack timeout (acknowledged) or auto-close (resolved)
  uint64_t last_seq = 0;
  std::string last_actor;
  // Correlation and notification.
  uint64_t subject = 0;                          // topology node of the alert that opened it (0: none)
  uint64_t merged_into = 0;                      // set when merged into a parent's incident (then resolved)
  core::Timestamp last_alert_at{};               // when an alert last joined (the rolling group window)
  std::vector<uint64_t> members;                 // distinct symptom kinds seen (at most kMaxMembers)
  std::optional<core::Timestamp> notify_due;     // a notification is owed at this time
  uint32_t notified = 0;                         // notifications requested so far
  uint32_t pending = 0;                          // alerts joined since the last notification
  std::optional<core::Timestamp> last_notified_at;
  std::string category;                          // taxonomy rule or the opening alert's label; may be empty
  std::string subcategory;
  std::string category_rule;                     // what chose it: a rule name, "label", "class", "user:<name>"

  bool open() const { return state == State::kTriggered || state == State::kAcknowledged; }
};

// An alert a maintenance window holds out of incidents, with where it goes when the window ends.
struct Held {
  uint64_t alert_id = 0;
  std::string group_key;
  std::string title;
  friend bool operator==(const Held&, const Held&) = default;
  friend auto operator<=>(const Held&, const Held&) = default;
};

// Distinct symptom kinds an incident remembers; later kinds no longer count as new (and do not notify).
constexpr size_t kMaxMembers = 256;

// A topology node some open alert says is down: the incident its first failure alert is in, since when, and how
// many of its failure alerts are open.
struct Failing {
  uint64_t incident_id = 0;
  core::Timestamp since{};
  uint32_t open = 0;
  friend bool operator==(const Failing&, const Failing&) = default;
};

// Maps a (service, key) pair to an id without building a string per lookup: entries are keyed by a 64-bit FNV-1a
// hash of the pair, and the caller confirms a hit (`same(id)` compares the object's own strings). A pair whose hash
// collides with a different live pair goes to a string-keyed overflow map, so lookups stay exact.
class KeyIndex {
 public:
  template <typename Same>
  uint64_t Find(std::string_view service, std::string_view key, Same&& same) const {
    auto it = primary_.find(Hash(service, key));
    if (it != primary_.end() && same(it->second)) return it->second;
    if (overflow_.empty()) return 0;
    auto o = overflow_.find(Joined(service, key));
    return o == overflow_.end() ? 0 : o->second;
  }
  template <typename Same>
  void Insert(std::string_view service, std::string_view key, uint64_t id, Same&& same) {
    auto [it, fresh] = primary_.try_emplace(Hash(service, key), id);
    if (fresh) return;
    if (same(it->second)) {
      it->second = id;
    } else {
      overflow_[Joined(service, key)] = id;
    }
  }
  void Erase(std::string_view service, std::string_view key, uint64_t id) {
    auto it = primary_.find(Hash(service, key));
    if (it != primary_.end() && it->second == id) {
      primary_.erase(it);
    } else if (!overflow_.empty()) {
      // Only the entry that still names this id: the key may already point at a newer object.
      auto o = overflow_.find(Joined(service, key));
      if (o != overflow_.end() && o->second == id) overflow_.erase(o);
    }
  }
  size_t size() const { return primary_.size() + overflow_.size(); }
  bool empty() const { return size() == 0; }
  void Reserve(size_t n) { primary_.reserve(n); }
  friend bool operator==(const KeyIndex&, const KeyIndex&) = default;

  static uint64_t Hash(std::string_view service, std::string_view key);

 private:
  static std::string Joined(std::string_view service, std::string_view key);

  absl::flat_hash_map<uint64_t, uint64_t> primary_;  // open addressing: no node per entry
  std::unordered_map<std::string, uint64_t> overflow_;
};

// How often a category was chosen and changed: dead or overloaded categories show (GET /api/v1/taxonomy/usage).
struct CategoryUsage {
  uint64_t assigned = 0;           // incidents opened with it
  uint64_t reclassified_from = 0;  // people moved an incident away from it
  uint64_t reclassified_to = 0;    // people moved an incident to it
  friend bool operator==(const CategoryUsage&, const CategoryUsage&) = default;
};

// Owned by the engine's writer thread.
struct Model {
  uint64_t next_incident_id = 1;
  core::DenseIdMap<Alert> alerts;                 // open (unresolved) alerts by id
  KeyIndex alert_by_key;                          // (service, dedup_key) → open alert id
  core::DenseIdMap<Incident> incidents;           // every incident not yet closed
  KeyIndex open_groups;                           // (service, group_key) → unresolved incident id
  core::TimerSet timers;                          // (due ms, incident id)
  core::TimerSet notify_timers;                   // (notification due ms, incident id)
  std::unordered_map<uint64_t, Failing> failing;          // topology node → its failure
  // topology node → open incidents its alerts opened (not merged), oldest first: where a late parent finds what to
  // merge (it walks back from the newest only as far as its window reaches).
  std::unordered_map<uint64_t, std::set<uint64_t>> roots;
  // alert identity (KeyIndex::Hash of service and dedup key) → its recent trigger/resolve samples. An identity gets
  // one when an alert of it resolves; quiet ones are pruned (flaps.pruned).
  std::unordered_map<uint64_t, FlapHistory> flaps;
  int64_t flaps_pruned_ms = 0;
  // maintenance window id → alerts it holds out of incidents (may hold ids no longer suppressed: check the alert).
  std::unordered_map<std::string, std::vector<Held>> suppressed;
  std::map<std::string, CategoryUsage> category_usage;  // "" = unclassified

  const Alert* FindOpenAlert(std::string_view service, std::string_view dedup_key) const;
  // 0 when no unresolved incident holds the group key.
  uint64_t FindOpenGroup(std::string_view service, std::string_view group_key) const;
  const Incident* FindIncident(uint64_t id) const;
  // The incident's open alert ids in the order they joined.
  std::vector<uint64_t> OpenAlertIds(const Incident& incident) const;
  size_t open_incident_count() const { return open_groups.size(); }

  // Index maintenance, used by Apply and by DecodeModel.
  void IndexAlert(const Alert& alert);
  void UnindexAlert(const Alert& alert);
  void IndexGroup(const Incident& incident);
  void UnindexGroup(const Incident& incident);
  void SetNotify(Incident& incident, std::optional<core::Timestamp> due);
  void RemoveRoot(const Incident& incident);
  // Alerts `window` still suppresses (open, no incident), in the order they arrived.
  std::vector<Held> SuppressedBy(std::string_view window) const;
  bool Flapping(std::string_view service, std::string_view dedup_key) const {
    auto it = flaps.find(KeyIndex::Hash(service, dedup_key));
    return it != flaps.end() && it->second.flapping;
  }
  // Records one trigger (firing) or resolve sample of an alert identity.
  void FlapSample(std::string_view service, std::string_view dedup_key, bool firing, core::Timestamp at);
};

std::string AlertKey(std::string_view service, std::string_view key);

// Canonical, deterministic encoding (for snapshots and for comparing states).
std::string EncodeModel(const Model& model);
core::Result<Model> DecodeModel(std::string_view bytes);

}  // namespace incident
