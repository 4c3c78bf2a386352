// Test doubles for the HTTP edge: an in-memory Store with canned rows and a Backend that records what it is asked
// and answers from another thread, as the engine does.
#pragma once

#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

#include "domain/incident/records.h"
#include "engine/engine.h"
#include "engine/store.h"
#include "http/backend.h"
#include "journal/record.h"
#include "store/memory/memory_store.h"

namespace http::testing {

// The memory store with helpers to put canned rows and real hash-chained records in, and a record of the last
// incident query the edge made.
class FakeStore : public store::memory::MemoryStore {
 public:
  void PutIncident(const engine::IncidentRow& row);
  void PutAlert(const engine::AlertRow& row);
  void PutTimeline(const engine::TimelineRow& row);
  // Appends a real, hash-chained record; returns its seq.
  uint64_t AppendRecord(const incident::Payload& payload, const std::string& actor, core::Timestamp time);

  core::Result<engine::IncidentPage> ListIncidents(const engine::IncidentQuery& query) override;
  engine::IncidentQuery last_query() const;

 private:
  mutable std::mutex mu_;
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
  // As the engine: a quiet command is held (not answered) until the next WakeWriter.
  core::Status SubmitQuietly(engine::Command command, std::function<void(engine::Outcome)> done) override;
  void WakeWriter() override;
  uint64_t Subscribe(std::function<void(const std::vector<engine::Published>&)> subscriber) override;
  void Unsubscribe(uint64_t id) override;
  engine::Store& store() override { return store_; }
  const engine::Stats& stats() const override { return stats_; }
  bool ready() const override { return ready_.load(); }
  void ReadState(const std::function<void(const engine::State&)>& read) const override {
    std::lock_guard lock(mu_);
    read(state_);
  }
  const correlate::Config& alert_config() const override { return alert_config_; }
  engine::State& mutable_state() { return state_; }
  correlate::Config& mutable_alert_config() { return alert_config_; }

  // Calls every subscriber with `records`, as the engine does after a commit.
  void Publish(const std::vector<engine::Published>& records);

  void set_refusal(std::optional<core::Error> error);  // Submit returns it (done never called)
  void set_responder(Responder responder);
  void set_ready(bool ready) { ready_.store(ready); }
  std::vector<engine::Command> submitted() const;
  size_t subscriber_count() const;
  size_t quiet_submits() const;
  size_t wakes() const;

  FakeStore& fake_store() { return store_; }
  engine::Stats& mutable_stats() { return stats_; }

 private:
  void Run();

  FakeStore store_;
  engine::Stats stats_;
  engine::State state_;
  correlate::Config alert_config_;
  std::atomic<bool> ready_{true};

  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::pair<engine::Command, std::function<void(engine::Outcome)>>> queue_;
  std::vector<engine::Command> submitted_;
  std::deque<std::pair<engine::Command, std::function<void(engine::Outcome)>>> held_;  // quiet, until a wake
  size_t quiet_submits_ = 0;
  size_t wakes_ = 0;
  std::optional<core::Error> refusal_;
  Responder responder_;
  bool stopping_ = false;
  std::thread answerer_;

  mutable std::mutex sub_mu_;
  std::map<uint64_t, std::function<void(const std::vector<engine::Published>&)>> subscribers_;
  uint64_t next_sub_ = 1;
};

}  // namespace http::testing
