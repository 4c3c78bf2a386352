// A Store that discards appends and answers reads with nothing: benchmarks of the engine alone.
#pragma once

#include "engine/store.h"

namespace bench {

class NullStore : public engine::Store {
 public:
  core::Status Append(std::span<const engine::StoredRecord>, const engine::Projection&) override { return {}; }
  core::Result<engine::JournalHead> Head() override { return engine::JournalHead{}; }
  core::Status ScanJournal(uint64_t, const std::function<core::Status(const engine::StoredRecord&)>&) override {
    return {};
  }
  core::Status SaveSnapshot(const engine::Snapshot&) override { return {}; }
  core::Result<std::optional<engine::Snapshot>> LatestSnapshot() override { return std::optional<engine::Snapshot>{}; }
  core::Result<engine::IncidentPage> ListIncidents(const engine::IncidentQuery&) override {
    return engine::IncidentPage{};
  }
  core::Result<engine::IncidentRow> GetIncident(uint64_t) override { return core::NotFound("none"); }
  core::Result<std::vector<engine::TimelineRow>> Timeline(uint64_t, uint64_t, uint32_t) override {
    return std::vector<engine::TimelineRow>{};
  }
  core::Result<std::vector<engine::AlertRow>> IncidentAlerts(uint64_t) override {
    return std::vector<engine::AlertRow>{};
  }
  core::Result<std::vector<engine::AlertRow>> WindowAlerts(std::string_view, uint32_t) override {
    return std::vector<engine::AlertRow>{};
  }
};

}  // namespace bench
