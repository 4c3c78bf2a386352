// Test doubles for the HTTP edge: an in-memory Store with canned rows and a Backend that records what it is asked
// and answers from another thread, as the engine does.
#pragma once

#include <condition_variable>
#include <deque>
#include <functional>
#include <map>
#include <mutex>
#include <thread>
#include <vector>

#include "domain/incident/records.h"
#include "engine/engine.h"
#include "engine/store.h"
#include "http/backend.h"
#include "journal/record.h"

namespace http::testing {

class FakeStore : public engine::Store {
 public:
  void PutIncident(const engine::IncidentRow& row);
  void PutAlert(const engine::AlertRow& row);
  void PutTimeline(const engine::TimelineRow& row);
  // Appends a real, hash-chained record; returns its seq.
  uint64_t AppendRecord(const incident::Payload& payload, const std::string& actor, core::Timestamp time);

  core::Status Append(std::span<const engine::StoredRecord> records, const engine::Projection& projection) override;
  core::Result<engine::JournalHead> Head() override;
  core::Status ScanJournal(uint64_t after_seq,
                           const std::function<core::Status(const engine::StoredRecord&)>& visit) override;
  core::Status SaveSnapshot(const engine::Snapshot& snapshot) override;
  core::Result<std::optional<engine::Snapshot>> LatestSnapshot() override;
  core::Result<engine::IncidentPage> ListIncidents(const engine::IncidentQuery& query) override;
  core::Result<engine::IncidentRow> GetIncident(uint64_t id) override;
  core::Result<std::vector<engine::TimelineRow>> Timeline(uint64_t incident_id, uint64_t after_seq,
                                                          uint32_t limit) override;
  core::Result<std::vector<engine::AlertRow>> IncidentAlerts(uint64_t incident_id) override;

  engine::IncidentQuery last_query() const;

 private:
  mutable std::mutex mu_;
  std::map<uint64_t, engine::IncidentRow> incidents_;
  std::vector<engine::AlertRow> alerts_;
  std::vector<engine::TimelineRow> timeline_;
  std::vector<engine::StoredRecord> journal_;
  journal::Chain chain_;
  engine::IncidentQuery last_query_;
};

class FakeBackend : public Backend {
 public:
  // Decides each command's outcome (on the answering thread). Default: ok, echoing the event's dedup_key.
  using Responder = std::function<engine::Outcome(const engine::Command&)>;

  FakeBackend();
  ~FakeBackend() override;

  core::Status Submit(engine::Command command, std::function<void(engine::Outcome)> done) override;
  uint64_t Subscribe(std::function<void(const std::vector<engine::Published>&)> subscriber) override;
  void Unsubscribe(uint64_t id) override;
  engine::Store& store() override { return store_; }
  const engine::Stats& stats() const override { return stats_; }
  bool ready() const override { return ready_.load(); }

  // Calls every subscriber with `records`, as the engine does after a commit.
  void Publish(const std::vector<engine::Published>& records);

  void set_refusal(std::optional<core::Error> error);  // Submit returns it (done never called)
  void set_responder(Responder responder);
  void set_ready(bool ready) { ready_.store(ready); }
  std::vector<engine::Command> submitted() const;
  size_t subscriber_count() const;

  FakeStore& fake_store() { return store_; }
  engine::Stats& mutable_stats() { return stats_; }

 private:
  void Run();

  FakeStore store_;
  engine::Stats stats_;
  std::atomic<bool> ready_{true};

  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::pair<engine::Command, std::function<void(engine::Outcome)>>> queue_;
  std::vector<engine::Command> submitted_;
  std::optional<core::Error> refusal_;
  Responder responder_;
  bool stopping_ = false;
  std::thread answerer_;

  mutable std::mutex sub_mu_;
  std::map<uint64_t, std::function<void(const std::vector<engine::Published>&)>> subscribers_;
  uint64_t next_sub_ = 1;
};

}  // namespace http::testing
