// A real engine over a real SQLite file in a temp directory, with a clock the test moves by hand.
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <string>

#include <algorithm>

#include "engine/engine.h"
#include "engine/state.h"
#include "store/sqlite/sqlite_store.h"
#include "support/temp_dir.h"

namespace scenario {

using namespace std::chrono_literals;

class Harness {
 public:
  // A harness over the given services (and, when not empty, a topology the engine journals at every start, as
  // incidentd does with its configuration's).
  Harness(incident::Config config, correlate::TopologyConfig topology, engine::Options options = {})
      : options_(options), config_(std::move(config)), topology_(std::move(topology)) {
    Reopen();
  }

  explicit Harness(engine::Options options = {}) : options_(options) {
    incident::ServiceConfig checkout;
    checkout.name = "checkout";
    checkout.routing_keys = {"checkout-key"};
    checkout.ack_timeout = 30min;
    checkout.auto_close_after = 24h;
    incident::ServiceConfig hosts;
    hosts.name = "hosts";
    hosts.routing_keys = {"hosts-key"};
    hosts.group_by = {"source"};
    hosts.ack_timeout = 10min;
    hosts.auto_close_after = 2h;
    config_ = incident::Config({checkout, hosts});
    Reopen();
  }

  // Closes the engine and the store and opens both again from the same file, as a restart would.
  void Reopen() {
    engine_.reset();
    store_.reset();
    auto s = store::sqlite::SqliteStore::Open((dir_.path() / "incidentd.db").string());
    EXPECT_TRUE(s.ok());
    store_ = std::move(s).value();
    engine_ = alert_routes_ ? std::make_unique<engine::Engine>(*store_, config_, *alert_routes_,
                                                               [this] { return now_; }, options_)
                            : std::make_unique<engine::Engine>(*store_, config_, [this] { return now_; }, options_);
    if (paging_) engine_->SetPaging(*paging_);
    if (classify_) engine_->SetClassify(*classify_);
    if (coord_) engine_->SetCoord(*coord_);
    if (pools_) engine_->SetPools(*pools_);
    auto st = engine_->Recover();
    EXPECT_TRUE(st.ok()) << (st.ok() ? "" : st.error().message);
    if (!topology_.empty()) {
      auto saved = Run(engine::Command{"system", engine::SaveTopology{topology_}});
      EXPECT_TRUE(saved.status.ok()) << saved.status.error().message;
    }
  }

  // Routes for Alertmanager's alerts (kept across Reopen; the engine is reopened to take them).
  void SetAlertRoutes(correlate::Config routes) {
    alert_routes_ = std::make_unique<correlate::Config>(std::move(routes));
    Reopen();
  }
  // Escalation policies, people and drills for the engine (kept across Reopen).
  void SetPaging(escalation::Config paging) {
    paging_ = std::make_unique<escalation::Config>(std::move(paging));
    engine_->SetPaging(*paging_);
  }
  // SLOs for the engine (kept across Reopen).
  void SetClassify(classify::Config config) {
    classify_ = std::make_unique<classify::Config>(std::move(config));
    engine_->SetClassify(*classify_);
  }
  // Roles, channel templates and status-update cadence for the engine (kept across Reopen).
  void SetCoord(coord::Config config) {
    coord_ = std::make_unique<coord::Config>(std::move(config));
    engine_->SetCoord(*coord_);
  }
  // Shared responder pools for the engine (kept across Reopen).
  void SetPools(pools::Config config) {
    pools_ = std::make_unique<pools::Config>(std::move(config));
    engine_->SetPools(*pools_);
  }
  // Reads the engine's state (the writer is not running in scenario tests).
  template <typename F>
  void Read(F&& read) {
    engine_->Read(std::forward<F>(read));
  }
  void SetNow(core::Timestamp t) { now_ = t; }

  engine::Outcome Run(engine::Command command) {
    auto outcomes = engine_->ProcessForTest({std::move(command)});
    return outcomes[0];
  }

  engine::Outcome Event(const std::string& routing_key, ingest::Action action, const std::string& key,
                        const std::string& source = "host-1", ingest::Severity severity = ingest::Severity::kError) {
    ingest::Event e;
    e.routing_key = routing_key;
    e.action = action;
    e.dedup_key = key;
    e.summary = "problem " + key;
    e.source = source;
    e.severity = severity;
    return Run(engine::Command{"token:monitor", engine::SubmitEvent{e}});
  }

  // Every record type name in the journal, in order.
  std::vector<std::string> JournalTypes() {
    std::vector<std::string> out;
    auto st = store_->ScanJournal(0, [&](const engine::StoredRecord& r) -> core::Status {
      out.push_back(engine::RecordTypeName(r.type));
      return core::Ok();
    });
    EXPECT_TRUE(st.ok());
    return out;
  }
  size_t Count(const std::string& type) {
    auto types = JournalTypes();
    return static_cast<size_t>(std::count(types.begin(), types.end(), type));
  }
  std::vector<engine::AlertRow> Alerts(uint64_t incident_id) {
    auto rows = store_->IncidentAlerts(incident_id);
    EXPECT_TRUE(rows.ok());
    return rows.ok() ? rows.value() : std::vector<engine::AlertRow>{};
  }
  std::vector<engine::IncidentRow> Incidents(std::vector<std::string> states = {}) {
    engine::IncidentQuery q;
    q.states = std::move(states);
    q.limit = 500;
    auto page = store_->ListIncidents(q);
    EXPECT_TRUE(page.ok());
    return page.ok() ? page->incidents : std::vector<engine::IncidentRow>{};
  }

  // Moves the clock to `t` (never backwards) and lets timers fire.
  void At(core::Timestamp t) {
    if (t > now_) now_ = t;
    Run(engine::Command{"timer", engine::Tick{}});
  }

  void Advance(core::Duration d) {
    now_ += d;
    Run(engine::Command{"timer", engine::Tick{}});
  }

  engine::IncidentRow Incident(uint64_t id) {
    auto row = store_->GetIncident(id);
    EXPECT_TRUE(row.ok());
    return row.ok() ? row.value() : engine::IncidentRow{};
  }

  std::vector<std::string> TimelineKinds(uint64_t id) {
    std::vector<std::string> kinds;
    auto rows = store_->Timeline(id, 0, 1000);
    EXPECT_TRUE(rows.ok());
    if (rows.ok()) {
      for (const auto& r : rows.value()) kinds.push_back(r.kind);
    }
    return kinds;
  }

  engine::Engine& engine() { return *engine_; }
  engine::Store& store() { return *store_; }
  core::Timestamp now() const { return now_; }

 private:
  test_support::TempDir dir_;
  engine::Options options_;
  incident::Config config_;
  correlate::TopologyConfig topology_;
  std::unique_ptr<correlate::Config> alert_routes_;
  std::unique_ptr<escalation::Config> paging_;
  std::unique_ptr<classify::Config> classify_;
  std::unique_ptr<coord::Config> coord_;
  std::unique_ptr<pools::Config> pools_;
  core::Timestamp now_ = core::FromUnixMillis(1'764'400'000'000);  // 2025-11-29
  std::unique_ptr<store::sqlite::SqliteStore> store_;
  std::unique_ptr<engine::Engine> engine_;
};

}  // namespace scenario
