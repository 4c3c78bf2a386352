// An in-memory engine::Store for unit and scenario tests: the same contract as the SQLite store (it passes the
// store contract suite), no durability.
#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <vector>

#include "engine/store.h"

namespace store::memory {

// Thread-safe: every method takes one mutex, so any thread may call any method. ScanJournal calls `visit`
// without holding it, so a visitor may query the store.
class MemoryStore : public engine::Store {
 public:
  MemoryStore() = default;

  // kConflict when the first seq does not follow the head, kInvalid when seqs within the batch are not
  // consecutive; nothing is written on error.
  core::Status Append(std::span<const engine::StoredRecord> records, const engine::Projection& projection) override;
  core::Result<engine::JournalHead> Head() override;
  core::Status ScanJournal(uint64_t after_seq,
                           const std::function<core::Status(const engine::StoredRecord&)>& visit) override;

  // Keeps the newest kKeptSnapshots, like the SQLite store.
  core::Status SaveSnapshot(const engine::Snapshot& snapshot) override;
  core::Result<std::optional<engine::Snapshot>> LatestSnapshot() override;

  core::Result<engine::IncidentPage> ListIncidents(const engine::IncidentQuery& query) override;
  core::Result<engine::IncidentRow> GetIncident(uint64_t id) override;
  core::Result<std::vector<engine::TimelineRow>> Timeline(uint64_t incident_id, uint64_t after_seq,
                                                          uint32_t limit) override;
  core::Result<std::vector<engine::AlertRow>> IncidentAlerts(uint64_t incident_id) override;
  core::Result<std::vector<engine::AlertRow>> WindowAlerts(std::string_view window_id, uint32_t limit) override;

  static constexpr size_t kKeptSnapshots = 3;

 private:
  std::mutex mutex_;
  std::vector<engine::StoredRecord> journal_;                       // journal_[i].seq == i + 1
  std::map<uint64_t, engine::Snapshot> snapshots_;                  // by seq
  std::map<uint64_t, engine::IncidentRow> incidents_;               // by id
  std::map<uint64_t, engine::AlertRow> alerts_;                     // by id, so oldest first
  std::map<uint64_t, std::vector<engine::TimelineRow>> timelines_;  // by incident id, each in seq order
};

}  // namespace store::memory
