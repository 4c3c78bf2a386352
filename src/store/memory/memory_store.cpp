#include "store/memory/memory_store.h"

#include <algorithm>
#include <string>
#include <utility>

namespace store::memory {
namespace {

constexpr uint32_t kMaxPageSize = 500;
// Records copied per lock hold in ScanJournal, so a long scan does not stall the writer.
constexpr size_t kScanChunk = 512;

bool Contains(const std::vector<std::string>& values, const std::string& value) {
  return std::find(values.begin(), values.end(), value) != values.end();
}

}  // namespace

core::Status MemoryStore::Append(std::span<const engine::StoredRecord> records, const engine::Projection& projection) {
  for (size_t i = 0; i < records.size(); ++i) {
    if (records[i].seq != records[0].seq + i) {
      return core::Invalid("append: record seqs are not consecutive: " + std::to_string(records[i].seq) +
                           " at position " + std::to_string(i) + " after " + std::to_string(records[0].seq));
    }
  }
  std::lock_guard lock(mutex_);
  if (!records.empty() && records.front().seq != journal_.size() + 1) {
    return core::Conflict("append: record " + std::to_string(records.front().seq) + " does not follow head " +
                          std::to_string(journal_.size()));
  }
  journal_.insert(journal_.end(), records.begin(), records.end());
  for (const engine::IncidentRow& row : projection.incidents) incidents_[row.id] = row;
  for (const engine::AlertRow& row : projection.alerts) {
    auto [it, fresh] = alerts_.try_emplace(row.id, row);
    if (fresh) {
      it->second.text = true;
      continue;
    }
    engine::AlertRow merged = row;
    merged.text = true;
    if (!row.text) merged.summary = it->second.summary;
    if (!row.text || row.source.empty()) merged.source = it->second.source;
    if (!row.text || row.details_json.empty()) merged.details_json = it->second.details_json;
    if (row.explanation.empty()) merged.explanation = it->second.explanation;
    if (row.suppressed_by.empty()) merged.suppressed_by = it->second.suppressed_by;
    it->second = std::move(merged);
  }
  for (const engine::TimelineRow& row : projection.timeline) {
    std::vector<engine::TimelineRow>& entries = timelines_[row.incident_id];
    // After every entry with the same seq: entries of one record keep their insertion order.
    auto at = std::upper_bound(entries.begin(), entries.end(), row.seq,
                               [](uint64_t seq, const engine::TimelineRow& e) { return seq < e.seq; });
    entries.insert(at, row);
  }
  return core::Ok();
}

core::Result<engine::JournalHead> MemoryStore::Head() {
  std::lock_guard lock(mutex_);
  if (journal_.empty()) return engine::JournalHead{};
  return engine::JournalHead{journal_.back().seq, journal_.back().hash};
}

core::Status MemoryStore::ScanJournal(uint64_t after_seq,
                                      const std::function<core::Status(const engine::StoredRecord&)>& visit) {
  std::vector<engine::StoredRecord> chunk;
  uint64_t next = after_seq;  // index of the first record with seq > after_seq
  while (true) {
    chunk.clear();
    {
      std::lock_guard lock(mutex_);
      if (next >= journal_.size()) return core::Ok();
      size_t end = std::min<size_t>(journal_.size(), next + kScanChunk);
      chunk.assign(journal_.begin() + static_cast<std::ptrdiff_t>(next),
                   journal_.begin() + static_cast<std::ptrdiff_t>(end));
      next = end;
    }
    for (const engine::StoredRecord& record : chunk) {
      if (auto st = visit(record); !st.ok()) return st;
    }
  }
}

core::Status MemoryStore::SaveSnapshot(const engine::Snapshot& snapshot) {
  std::lock_guard lock(mutex_);
  snapshots_[snapshot.seq] = snapshot;
  while (snapshots_.size() > kKeptSnapshots) snapshots_.erase(snapshots_.begin());
  return core::Ok();
}

core::Result<std::optional<engine::Snapshot>> MemoryStore::LatestSnapshot() {
  std::lock_guard lock(mutex_);
  if (snapshots_.empty()) return std::optional<engine::Snapshot>();
  return std::optional<engine::Snapshot>(snapshots_.rbegin()->second);
}

core::Result<engine::IncidentPage> MemoryStore::ListIncidents(const engine::IncidentQuery& query) {
  const uint32_t limit = std::clamp<uint32_t>(query.limit, 1, kMaxPageSize);
  engine::IncidentPage page;
  std::lock_guard lock(mutex_);
  auto end = query.before_id == 0 ? incidents_.end() : incidents_.lower_bound(query.before_id);
  for (auto it = std::make_reverse_iterator(end); it != incidents_.rend(); ++it) {
    const engine::IncidentRow& row = it->second;
    if (!query.states.empty() && !Contains(query.states, row.state)) continue;
    if (!query.service.empty() && row.service != query.service) continue;
    if (!query.severity.empty() && row.severity != query.severity) continue;
    if (page.incidents.size() == limit) {
      page.next_before_id = page.incidents.back().id;
      break;
    }
    page.incidents.push_back(row);
  }
  return page;
}

core::Result<engine::IncidentRow> MemoryStore::GetIncident(uint64_t id) {
  std::lock_guard lock(mutex_);
  auto it = incidents_.find(id);
  if (it == incidents_.end()) return core::NotFound("get incident " + std::to_string(id) + ": no such incident");
  return it->second;
}

core::Result<std::vector<engine::TimelineRow>> MemoryStore::Timeline(uint64_t incident_id, uint64_t after_seq,
                                                                     uint32_t limit) {
  std::vector<engine::TimelineRow> rows;
  std::lock_guard lock(mutex_);
  auto it = timelines_.find(incident_id);
  if (it == timelines_.end()) return rows;
  for (const engine::TimelineRow& row : it->second) {
    if (rows.size() == limit) break;
    if (row.seq > after_seq) rows.push_back(row);
  }
  return rows;
}

core::Result<std::vector<engine::AlertRow>> MemoryStore::IncidentAlerts(uint64_t incident_id) {
  std::vector<engine::AlertRow> rows;
  std::lock_guard lock(mutex_);
  for (const auto& [id, row] : alerts_) {
    if (row.incident_id == incident_id) rows.push_back(row);
  }
  return rows;
}

core::Result<std::vector<engine::AlertRow>> MemoryStore::WindowAlerts(std::string_view window_id, uint32_t limit) {
  std::vector<engine::AlertRow> rows;
  std::lock_guard lock(mutex_);
  for (const auto& [id, row] : alerts_) {
    if (rows.size() >= limit) break;
    if (!window_id.empty() && row.suppressed_by == window_id) rows.push_back(row);
  }
  return rows;
}

}  // namespace store::memory
