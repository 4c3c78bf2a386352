// The single writer: takes commands from a bounded queue in batches, decides and applies them against the
// in-memory state, appends the resulting records in one transaction, and answers the callers once a sync has made
// that transaction durable (a syncer thread syncs batch N while the writer commits batch N+1). On a node that is not
// the writer, follows instead: folds the records the writer appends (follow.cpp).
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <shared_mutex>
#include <thread>
#include <vector>

#include "core/result.h"
#include "core/time.h"
#include "domain/correlate/routes.h"
#include "domain/classify/pipeline.h"
#include "domain/coord/coord.h"
#include "domain/escalation/config.h"
#include "domain/pools/pools.h"
#include "engine/command.h"
#include "engine/resend_cache.h"
#include "engine/state.h"
#include "engine/store.h"

namespace engine {

struct Options {
  size_t queue_capacity = 65536;     // commands waiting; a full queue answers kOverloaded
  size_t max_batch = 4096;           // commands per transaction
  uint64_t snapshot_every = 100000;  // records between snapshots
  // A periodic snapshot also waits until the journal written since the last one is at least this percentage of that
  // snapshot's size (0: count records only). Start-up then replays a tail no bigger than the snapshot it loads, and
  // the cost of snapshots per record stays flat as the state grows instead of rising with it.
  uint64_t snapshot_tail_percent = 100;
  // And at least this long after the last one, in journal time. Each periodic snapshot forks the process and
  // encodes the whole state, and every page the server then writes is copied once: on a busy server holding 100k
  // open alerts, snapshots every 100k records took about a tenth of the CPU. At 60k records/s, 10 s of journal
  // replays in about half a second at start. Zero: no minimum.
  core::Duration snapshot_min_interval = std::chrono::seconds(10);
  // Encode periodic snapshots in a forked child (copy-on-write) instead of on the writer, which would stall every
  // batch for as long as encoding a large state takes. The snapshot at shutdown is always encoded by the writer.
  bool fork_snapshots = true;
  // A batch of at most this many records is appended and synced by the writer itself when the syncer is idle:
  // handing it over costs two thread wake-ups, more than overlapping its sync with the next batch gains.
  size_t inline_sync_records = 64;
  core::Duration tick_interval = std::chrono::seconds(1);  // how often timers are evaluated
  // At start, verify the whole chain (true) or only from the latest snapshot on (false: start-up time bounded by
  // the tail; `incidentctl journal verify` still checks everything).
  bool verify_full_chain = true;
};

// What the engine reports about itself (read from any thread).
struct Stats {
  std::atomic<uint64_t> commands{0};
  std::atomic<uint64_t> records{0};
  std::atomic<uint64_t> batches{0};
  std::atomic<uint64_t> rejected_overload{0};
  std::atomic<uint64_t> queue_depth{0};
  std::atomic<uint64_t> open_incidents{0};
  std::atomic<uint64_t> open_alerts{0};
  std::atomic<uint64_t> labelled_alerts{0};  // held from Alertmanager's API and webhooks
  std::atomic<uint64_t> muted_alerts{0};     // of those, kept out of incidents by a silence
  std::atomic<uint64_t> silences{0};
  std::atomic<uint64_t> quiet_resends{0};  // API alerts answered as quiet re-sends without the writer
  std::atomic<uint64_t> resend_cache_entries{0};  // entries the re-send cache holds (engine/resend_cache.h)
  std::atomic<uint64_t> last_seq{0};
  std::atomic<uint64_t> snapshots{0};
  std::atomic<uint64_t> snapshot_bytes{0};  // size of the latest snapshot written or loaded
  // Follow mode: when a catch-up last read the journal to its end (steady clock, ms since its epoch); 0 before.
  std::atomic<int64_t> followed_at_ms{0};
  // Batch sizes and commit latencies, for histograms: observers receive them on the writer thread.
  std::function<void(size_t batch_size, double commit_seconds)> on_batch;
};

// A committed record, as published to subscribers (the SSE stream).
struct Published {
  uint64_t seq = 0;
  core::Timestamp time{};
  std::string actor;
  std::string type;       // record type name, e.g. "incident.acknowledged"
  uint64_t incident_id = 0;  // 0 when the record concerns no incident
  std::string summary;    // one human-readable line
};

class Engine {
 public:
  using Clock = std::function<core::Timestamp()>;
  using Subscriber = std::function<void(const std::vector<Published>&)>;

  // `store` and `config` must outlive the engine. `clock` is the only source of time.
  Engine(Store& store, const incident::Config& config, Clock clock, Options options);
  // With the labelled-alert settings (Alertmanager routes, resolve_timeout); `alert_config` must outlive the engine.
  Engine(Store& store, const incident::Config& config, const correlate::Config& alert_config, Clock clock,
         Options options);
  ~Engine();
  Engine(const Engine&) = delete;
  Engine& operator=(const Engine&) = delete;

  // Escalation policies, people, channels' names and drills; `paging` must outlive the engine. Call before Start.
  // Without it nobody is paged (notifications stay records).
  void SetPaging(const escalation::Config& paging) { paging_config_ = &paging; }
  // The paging settings in force (a ReloadConfig command may replace them; every version stays alive until the
  // engine goes, so a reference taken here stays valid).
  const escalation::Config& paging() const { return *paging_config_.load(); }
  // SLOs and their burn-rate rules; `classify` must outlive the engine. Call before Start.
  void SetClassify(const classify::Config& classify) { classify_config_ = &classify; }
  const classify::Config& classification() const { return *classify_config_.load(); }
  // Incident roles, channel templates, status-update cadence; `coord` must outlive the engine. Call before Start.
  void SetCoord(const coord::Config& coord) { coord_config_ = &coord; }
  const coord::Config& coordination() const { return *coord_config_; }
  // Shared responder pools and their response-time expectations; `pools` must outlive the engine. Call before Start.
  void SetPools(const pools::Config& pools) { pools_config_ = &pools; }
  const pools::Config& pools() const { return *pools_config_; }

  // Loads the latest snapshot and folds the journal tail. Verifies the hash chain from record 1 (or, with
  // verify_full_chain off, from the snapshot's record on). kCorrupt (naming the record) when the chain is broken,
  // a record cannot be decoded, or the snapshot disagrees with the journal: start-up must stop.
  core::Status Recover();

  // Starts the writer thread. Call after Recover.
  void Start();
  // Stops taking commands, drains the queue (every queued command is committed and answered), takes a snapshot,
  // and joins the writer thread (or, in follow mode, the follow thread). Idempotent.
  void Stop();

  // Follow mode, for a node that is not the writer (several nodes on one PostgreSQL; docs/deploy.md). Call after
  // Recover, instead of Start: a thread calls CatchUp at once and then every `poll` until Stop. From this call on
  // Submit answers kUnavailable; no timers run, nothing is written, no snapshot is taken. A kCorrupt catch-up stops
  // following and fails the engine (failed(), fatal_error()); any other error (the store unreachable) is retried at
  // the next poll.
  void StartFollowing(core::Duration poll);
  // Folds the records the writer appended after the state's last one, as Recover does: each must link to the
  // running head (its prev is the head's hash, its seq the next one, its hash matches its bytes). They are applied
  // under the state's exclusive lock, the stats follow, and subscribers get them as if committed here. Returns how
  // many records were folded. kCorrupt naming the record that does not link or apply (the state stays at the
  // record before it); the store's errors as they are. One caller at a time, never while the writer runs (the
  // follow thread calls it; tests call it directly).
  core::Result<uint64_t> CatchUp();

  // Queues a command. Returns kOverloaded when the queue is full, kUnavailable after Stop or in follow mode; then
  // `done` is never called. Otherwise `done` is called exactly once, on the writer thread, after the command's
  // records are durable (or with the command's error, having written nothing). `done` must not block.
  core::Status Submit(Command command, std::function<void(Outcome)> done);
  // Submit without waking the writer: for a caller about to queue more (an I/O thread going through the requests
  // one poll made ready), which then calls WakeWriter once. Until then the writer may sleep up to a tick.
  core::Status SubmitQuietly(Command command, std::function<void(Outcome)> done);
  void WakeWriter();

  // Whether every alert of `post` is a re-send the writer would record nothing for (correlate::QuietResend), judged
  // against what is durable: then the caller answers at once and does not submit it. Fills post.prepared when it is
  // empty and there may be something to compare with. Any thread; false once stopped or failed.
  bool AnswersQuietly(PostAlerts& post);

  // Subscribers are called on the writer thread after each committed batch (in follow mode: on the thread that
  // calls CatchUp, after each chunk of folded records); they must not block.
  // Returns an id for Unsubscribe. With `summaries` false the subscriber needs only each record's seq, time, actor,
  // type and incident: while no subscriber wants summaries, the writer composes none (a batch of 100 alerts costs
  // it a re-decode of the batch's record otherwise).
  uint64_t Subscribe(Subscriber subscriber, bool summaries = true);
  void Unsubscribe(uint64_t id);

  // Calls `read` with the in-memory state under a shared lock (the writer takes it exclusively while it decides
  // and applies a batch). The state may include a batch committed but not yet synced. `read` must be quick: copy
  // what is needed and format it after returning.
  template <typename F>
  void Read(F&& read) const {
    { std::lock_guard turn(turnstile_); }  // waits while the writer is waiting for the state
    std::shared_lock lock(state_mu_);
    read(static_cast<const State&>(state_));
  }

  // True once a store write failed: the in-memory state is ahead of the disk, so the engine refuses all further
  // commands and the process must restart (recovery replays the journal). `fatal_error()` says what failed.
  bool failed() const { return failed_.load(); }
  std::string fatal_error() const;
  // True between Start and Stop while not failed.
  bool running() const { return running_.load() && !failed_.load(); }

  Store& store() { return store_; }
  const Stats& stats() const { return stats_; }
  Stats& mutable_stats() { return stats_; }

  // For tests and benchmarks, single-threaded use only (not while the writer runs): processes the commands as one
  // batch synchronously, exactly as the writer would, and returns their outcomes.
  std::vector<Outcome> ProcessForTest(std::vector<Command> commands);
  // The canonical encoding of the current state (writer thread or stopped engine only).
  std::string EncodedStateForTest() const;

 private:
  struct Pending {
    Command command;
    std::function<void(Outcome)> done;
  };

  class Batch;
  // A batch the writer decided and applied, waiting for the syncer to append it to the store and sync it before its
  // callers are answered.
  struct Committed {
    std::vector<std::function<void(Outcome)>> done;
    std::vector<Outcome> outcomes;
    std::vector<Published> published;
    std::vector<StoredRecord> records;
    Projection projection;
    std::vector<ResendCache::Held> resent;  // for the re-send cache, once durable
    core::Timestamp decided_at{};
    size_t commands = 0;
    bool wrote = false;  // false when the batch appended nothing (it still waits for earlier batches' sync)
    std::chrono::steady_clock::time_point started;
  };

  void Run();
  void RunSyncer();
  void Deliver(Committed& committed);
  // Appends the batches in order and syncs once; on failure fails the engine and answers every caller.
  void AppendAndSync(std::deque<Committed>& batches);
  void ProcessBatch(std::vector<Pending>& batch);
  // A snapshot to write: encoded already, or being encoded by a forked child (`child`, its bytes on pipe `fd`).
  struct PendingSnapshot {
    Snapshot snapshot;
    int child = -1;
    int fd = -1;
  };
  void MaybeSnapshot();
  void HandOffSnapshot();
  // Forks a child that encodes the state; false when fork or pipe failed (then the writer encodes it itself).
  bool ForkSnapshot();
  // The forked child's bytes into pending.snapshot.state; false when the child failed.
  static bool ReadForkedSnapshot(PendingSnapshot& pending);
  void SaveSnapshot(const Snapshot& snapshot);
  void RunSnapshotter();
  void Fail(const core::Error& error);
  void UpdateStateStats();
  void RunFollower(core::Duration poll);

  Store& store_;
  const incident::Config& config_;
  const correlate::Config& alert_config_;
  std::atomic<const escalation::Config*> paging_config_;
  std::atomic<const classify::Config*> classify_config_;
  // Settings put in force by ReloadConfig, kept until the engine goes (readers may hold references).
  std::vector<std::shared_ptr<const void>> reloaded_;
  const coord::Config* coord_config_;
  const pools::Config* pools_config_;
  int64_t slo_minute_ = 0;
  int64_t coord_minute_ = 0;  // the minute cadence and commander checks last ran (writer thread)  // the minute SLOs were last re-evaluated (writer thread)
  int64_t pools_minute_ = 0;  // the minute pool breaches were last looked for (writer thread)
  Clock clock_;
  Options options_;
  State state_;
  mutable std::shared_mutex state_mu_;  // readers (Read) against the writer's decide-and-apply
  // The writer holds this while it waits for state_mu_, so a stream of readers cannot starve it (glibc's
  // rwlock prefers readers): new readers queue behind the writer, which waits only for the readers already in.
  mutable std::mutex turnstile_;
  journal::Chain chain_;
  uint64_t last_snapshot_seq_ = 0;
  uint64_t tail_bytes_ = 0;  // journal bytes since last_snapshot_seq_ (writer thread)
  core::Timestamp last_snapshot_at_{};  // journal time of the last snapshot (writer thread)
  bool timers_left_ = false;  // the last tick left due timers for the next one (writer thread only)
  static constexpr std::chrono::milliseconds kTimerCatchUp{10};
  core::Timestamp last_time_{};  // journal times never go backwards, even when the wall clock does
  std::atomic<bool> running_{false};
  std::atomic<bool> failed_{false};
  mutable std::mutex fatal_mu_;
  std::string fatal_error_;

  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<Pending> queue_;
  bool stopping_ = false;
  std::thread writer_;

  // Writer → syncer hand-off: the writer commits batch N+1 while the syncer makes batch N durable.
  std::mutex sync_mu_;
  std::condition_variable sync_cv_;
  std::condition_variable sync_taken_cv_;  // the syncer took the waiting batches: the writer may commit again
  std::deque<Committed> unsynced_;
  bool syncer_busy_ = false;  // appending or syncing batches it took from unsynced_
  bool writer_done_ = false;
  std::thread syncer_;
  // The last seq the syncer has appended to the store: a snapshot waits for it, so it is never ahead of the journal.
  uint64_t appended_seq_ = 0;                // guarded by sync_mu_
  std::condition_variable appended_cv_;

  // Writer → snapshotter hand-off: the writer encodes, the snapshotter syncs the journal and writes the snapshot.
  std::mutex snapshot_mu_;
  std::condition_variable snapshot_cv_;
  std::deque<PendingSnapshot> pending_snapshots_;  // at most two: one forked, one taken at shutdown
  bool snapshot_busy_ = false;                     // one is pending or being written
  bool snapshotter_done_ = false;
  std::thread snapshotter_;

  bool following_ = false;  // follow mode (guarded by mu_)
  std::thread follower_;

  std::mutex sub_mu_;
  std::vector<std::pair<uint64_t, Subscriber>> subscribers_;
  std::vector<uint64_t> summary_subscribers_;  // ids of those that want summaries
  uint64_t next_sub_ = 1;

  ResendCache resend_;
  Stats stats_;
};

}  // namespace engine
