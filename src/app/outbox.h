// The outbox worker: sends due deliveries over their channels on its own threads (never the engine's) and records
// every attempt through the engine. At least once: a crash between a send and its record sends again, with the
// same idempotency key, so receivers can drop the duplicate.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "channels/channel.h"
#include "domain/escalation/paging.h"
#include "engine/engine.h"

namespace app {

struct OutboxJob {
  uint64_t delivery_id = 0;
  uint32_t attempt = 0;  // the attempt this send is
  std::string channel;
  channels::Message message;
};

// Builds acknowledgement links for messages; empty when links are off.
using AckLinker = std::function<std::string(uint64_t incident_id, const std::string& user, core::Timestamp now)>;

// The due deliveries of `state` (due at `now` or earlier, not in `busy`), oldest due first, at most `max`.
std::vector<OutboxJob> DueJobs(const engine::State& state, core::Timestamp now, const std::set<uint64_t>& busy,
                               size_t max, const AckLinker& link);

class Outbox {
 public:
  // Where jobs come from and where attempts are recorded.
  class Port {
   public:
    virtual ~Port() = default;
    virtual std::vector<OutboxJob> Due(core::Timestamp now, const std::set<uint64_t>& busy, size_t max) = 0;
    // When the next pending delivery is due, if any.
    virtual std::optional<core::Timestamp> NextDue() = 0;
    // Records the attempt; `recorded(true)` runs once it is durable or refused as stale (the delivery may be picked
    // again), `recorded(false)` when it could not be recorded (overload): the delivery rests a while first.
    virtual void Report(const escalation::AttemptReport& report, std::function<void(bool)> recorded) = 0;
  };

  Outbox(Port& port, std::vector<channels::ChannelConfig> channels, size_t workers,
         std::function<core::Timestamp()> clock);
  ~Outbox();

  void Start();
  void Stop();
  // Something changed (a delivery was queued or recorded): look again now.
  void Wake();

  // For tests: one synchronous pass on the calling thread over everything due now. Returns the attempts made.
  size_t RunDue();

  // Sends one job and returns the report to record.
  escalation::AttemptReport Attempt(channels::Sender& sender, const OutboxJob& job);

 private:
  void Dispatch();
  void Work();

  Port& port_;
  std::vector<channels::ChannelConfig> channels_;
  size_t workers_;
  std::function<core::Timestamp()> clock_;

  std::mutex mu_;
  std::condition_variable dispatch_cv_;
  std::condition_variable work_cv_;
  std::deque<OutboxJob> jobs_;
  std::set<uint64_t> busy_;  // queued, in flight, sent and not yet recorded, or resting
  std::vector<std::pair<std::chrono::steady_clock::time_point, uint64_t>> resting_;  // not recorded: retry after
  bool woken_ = false;
  bool stopping_ = false;
  std::thread dispatcher_;
  std::vector<std::thread> threads_;
};

// The Port over a running engine: reads its state, records attempts as RecordDelivery commands.
class EngineOutboxPort final : public Outbox::Port {
 public:
  EngineOutboxPort(engine::Engine& engine, AckLinker link) : engine_(engine), link_(std::move(link)) {}
  std::vector<OutboxJob> Due(core::Timestamp now, const std::set<uint64_t>& busy, size_t max) override;
  std::optional<core::Timestamp> NextDue() override;
  void Report(const escalation::AttemptReport& report, std::function<void(bool)> recorded) override;

 private:
  engine::Engine& engine_;
  AckLinker link_;
};

}  // namespace app
