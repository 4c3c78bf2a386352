// The port the HTTP edge needs from the engine: submit commands, follow committed records, read query tables.
// Owned by http/; app/ adapts engine::Engine (and its Store) to it.
#pragma once

#include <cstdint>
#include <functional>
#include <vector>

#include "core/result.h"
#include "domain/correlate/routes.h"
#include "domain/classify/pipeline.h"
#include "domain/classify/taxonomy.h"
#include "domain/coord/coord.h"
#include "domain/escalation/config.h"
#include "domain/pools/pools.h"
#include "domain/oncall/schedule.h"
#include "engine/command.h"
#include "engine/engine.h"
#include "engine/store.h"

namespace http {

class Backend {
 public:
  virtual ~Backend() = default;

  // engine::Engine::Submit semantics: kOverloaded (queue full) or kUnavailable (stopped) are returned and `done`
  // is never called; otherwise `done` is called exactly once, on another thread, after the command's records are
  // durable (or with the command's own error). `done` must not block.
  virtual core::Status Submit(engine::Command command, std::function<void(engine::Outcome)> done) = 0;
  // The same, except that the command may wait to be taken until WakeWriter: an I/O thread queues the commands of
  // the requests one poll made ready, then wakes the writer once for all of them.
  virtual core::Status SubmitQuietly(engine::Command command, std::function<void(engine::Outcome)> done) {
    return Submit(std::move(command), std::move(done));
  }
  virtual void WakeWriter() {}
  // engine::Engine::AnswersQuietly: true when every alert of `post` is a re-send that changes nothing durable, so
  // the request is answered without submitting it. May fill post.prepared.
  virtual bool AnswersQuietly(engine::PostAlerts& /*post*/) { return false; }

  // `subscriber` is called (on another thread, must not block) with each committed batch's records, in order.
  // Returns an id for Unsubscribe.
  virtual uint64_t Subscribe(std::function<void(const std::vector<engine::Published>&)> subscriber) = 0;
  // After it returns, the subscriber is not called again.
  virtual void Unsubscribe(uint64_t id) = 0;

  // Query tables and journal reads; thread-safe, may block briefly.
  virtual engine::Store& store() = 0;
  virtual const engine::Stats& stats() const = 0;
  // True once the journal is recovered and the engine runs.
  virtual bool ready() const = 0;

  // engine::Engine::Read: `read` sees the in-memory state under a shared lock; copy out, format afterwards.
  virtual void ReadState(const std::function<void(const engine::State&)>& read) const = 0;
  // The Alertmanager routes (receivers, grouping) the engine was started with.
  virtual const correlate::Config& alert_config() const = 0;
  // The on-call schedules of the configuration (none by default).
  virtual const std::vector<oncall::Schedule>& schedules() const {
    static const std::vector<oncall::Schedule> kNone;
    return kNone;
  }
  // SLOs and burn-rate rules (none by default).
  virtual const classify::Config& classification() const {
    static const classify::Config kNone;
    return kNone;
  }
  // Channel templates, status-update cadence, commander check (none by default).
  virtual const coord::Config& coordination() const {
    static const coord::Config kNone;
    return kNone;
  }
  // Shared responder pools (none by default).
  virtual const pools::Config& pools() const {
    static const pools::Config kNone;
    return kNone;
  }
  // The incident taxonomy (null: none configured).
  virtual const classify::Taxonomy* taxonomy() const { return nullptr; }
  // People, escalation policies, routing rules and drills (none by default).
  virtual const escalation::Config& paging() const {
    static const escalation::Config kNone;
    return kNone;
  }
};

}  // namespace http
