#include "engine/engine.h"

#include <gtest/gtest.h>

#include <atomic>
#include <condition_variable>
#include <future>
#include <thread>
#include <mutex>

#include "engine/engine_test_util.h"
#include "engine/journal_tools.h"
#include "store/memory/memory_store.h"

namespace engine {
namespace {

using namespace std::chrono_literals;

// Passes everything to a MemoryStore; tests override what they need to observe or break.
class ForwardingStore : public Store {
 public:
  core::Status Append(std::span<const StoredRecord> r, const Projection& p) override { return inner.Append(r, p); }
  core::Result<JournalHead> Head() override { return inner.Head(); }
  core::Status ScanJournal(uint64_t after, const std::function<core::Status(const StoredRecord&)>& v) override {
    return inner.ScanJournal(after, v);
  }
  core::Status Sync() override { return inner.Sync(); }
  core::Status SaveSnapshot(const Snapshot& s) override { return inner.SaveSnapshot(s); }
  core::Result<std::optional<Snapshot>> LatestSnapshot() override { return inner.LatestSnapshot(); }
  core::Result<IncidentPage> ListIncidents(const IncidentQuery& q) override { return inner.ListIncidents(q); }
  core::Result<IncidentRow> GetIncident(uint64_t id) override { return inner.GetIncident(id); }
  core::Result<std::vector<TimelineRow>> Timeline(uint64_t id, uint64_t after, uint32_t limit) override {
    return inner.Timeline(id, after, limit);
  }
  core::Result<std::vector<AlertRow>> IncidentAlerts(uint64_t id) override { return inner.IncidentAlerts(id); }
  core::Result<std::vector<AlertRow>> WindowAlerts(std::string_view id, uint32_t limit) override {
    return inner.WindowAlerts(id, limit);
  }

  store::memory::MemoryStore inner;
};

// Hands out record `seq` with one byte flipped, as a damaged disk or a tampering hand would.
class CorruptingStore : public ForwardingStore {
 public:
  explicit CorruptingStore(uint64_t seq) : seq_(seq) {}
  core::Status ScanJournal(uint64_t after, const std::function<core::Status(const StoredRecord&)>& v) override {
    return inner.ScanJournal(after, [&](const StoredRecord& r) {
      if (r.seq != seq_) return v(r);
      StoredRecord bad = r;
      bad.bytes[bad.bytes.size() / 2] ^= 0x20;
      return v(bad);
    });
  }

 private:
  uint64_t seq_;
};

using testing_util::TestConfig;
using testing_util::Trigger;

struct FakeClock {
  core::Timestamp now = core::FromUnixMillis(1'700'000'000'000);
  Engine::Clock fn() {
    return [this] { return now; };
  }
};

// The usual arrangement: the test configuration, a clock the test moves, and a recovered (not started) engine.
struct Rig {
  explicit Rig(Store& store, Options options = {}) : engine(store, config, clock.fn(), options) {
    EXPECT_TRUE(engine.Recover().ok());
  }
  incident::Config config = TestConfig();
  FakeClock clock;
  Engine engine;
};

// Runs each batch through a recovered engine over `store` and returns the state it ended with.
std::string WriteHistory(Store& store, Options options, std::vector<std::vector<Command>> batches) {
  Rig rig(store, options);
  for (auto& batch : batches) rig.engine.ProcessForTest(std::move(batch));
  return rig.engine.EncodedStateForTest();
}

// A fresh engine over `store`, recovered, and the state it recovered.
std::string RecoveredState(Store& store, Options options = {}) {
  Rig rig(store, options);
  return rig.engine.EncodedStateForTest();
}

Outcome SubmitAndWait(Engine& engine, Command cmd) {
  std::promise<Outcome> p;
  auto st = engine.Submit(std::move(cmd), [&p](Outcome o) { p.set_value(std::move(o)); });
  EXPECT_TRUE(st.ok());
  return p.get_future().get();
}

TEST(EngineTest, AnswersOnlyAfterTheRecordsAreAppendedAndSynced) {
  struct OrderStore : ForwardingStore {
    core::Status Append(std::span<const StoredRecord> r, const Projection& p) override {
      std::lock_guard lock(mu);
      events.push_back("append");
      return inner.Append(r, p);
    }
    core::Status Sync() override {
      std::lock_guard lock(mu);
      events.push_back("sync");
      return inner.Sync();
    }
    std::mutex mu;
    std::vector<std::string> events;
  } store;
  Rig rig(store);
  Engine& engine = rig.engine;
  engine.Start();

  std::promise<void> done;
  ASSERT_TRUE(engine
                  .Submit(Trigger("k"),
                          [&](Outcome o) {
                            EXPECT_TRUE(o.status.ok());
                            std::lock_guard lock(store.mu);
                            store.events.push_back("answer");
                            done.set_value();
                          })
                  .ok());
  done.get_future().wait();
  engine.Stop();

  ASSERT_GE(store.events.size(), 3u);
  EXPECT_EQ(store.events[0], "append");
  EXPECT_EQ(store.events[1], "sync");
  EXPECT_EQ(store.events[2], "answer");
}

TEST(EngineTest, AFullQueueAnswersOverloadedAndNeverCallsBack) {
  ForwardingStore store;
  auto config = TestConfig();
  FakeClock clock;
  Options options;
  options.queue_capacity = 2;
  Engine engine(store, config, clock.fn(), options);
  ASSERT_TRUE(engine.Recover().ok());
  int called = 0;

  // Not started: nothing drains the queue.
  ASSERT_TRUE(engine.Submit(Trigger("a"), [&](Outcome) { ++called; }).ok());
  ASSERT_TRUE(engine.Submit(Trigger("b"), [&](Outcome) { ++called; }).ok());
  auto third = engine.Submit(Trigger("c"), [&](Outcome) { ++called; });

  ASSERT_FALSE(third.ok());
  EXPECT_EQ(third.error().code, core::ErrorCode::kOverloaded);
  EXPECT_EQ(engine.stats().rejected_overload.load(), 1u);
  engine.Start();
  engine.Stop();
  EXPECT_EQ(called, 2);  // the queued two were drained and answered at Stop
}

TEST(EngineTest, SubmitAfterStopIsUnavailable) {
  ForwardingStore store;
  Rig rig(store);
  Engine& engine = rig.engine;
  engine.Start();
  engine.Stop();

  auto st = engine.Submit(Trigger("a"), [](Outcome) {});

  EXPECT_EQ(st.error().code, core::ErrorCode::kUnavailable);
}

TEST(EngineTest, ACommandErrorWritesNothingAndOthersInTheBatchProceed) {
  ForwardingStore store;
  Rig rig(store);
  Engine& engine = rig.engine;
  Command bad = Trigger("x");
  std::get<SubmitEvent>(bad.body).event.routing_key = "unknown";

  auto outcomes = engine.ProcessForTest({Trigger("a"), bad, Trigger("b")});

  EXPECT_TRUE(outcomes[0].status.ok());
  EXPECT_EQ(outcomes[1].status.error().field, "/routing_key");
  EXPECT_EQ(outcomes[1].seq, 0u);
  EXPECT_TRUE(outcomes[2].status.ok());
  EXPECT_EQ(store.Head()->seq, 4u);  // two incidents opened, two alerts
}

TEST(EngineTest, RecoveryRebuildsTheSameStateFromTheJournal) {
  ForwardingStore store;
  std::string before =
      WriteHistory(store, Options{.snapshot_every = 0},
                   {{Trigger("a"), Trigger("b"), Trigger("a")},
                    {Command{"u", AcknowledgeIncident{1}}, Command{"u", AddNote{2, "note"}}}});

  Rig recovered(store);

  EXPECT_EQ(recovered.engine.EncodedStateForTest(), before);
  EXPECT_EQ(recovered.engine.stats().last_seq.load(), store.Head()->seq);
}

TEST(EngineTest, RecoveryFromASnapshotPlusTailMatchesAFullReplay) {
  ForwardingStore store;
  std::vector<std::vector<Command>> batches;
  for (int i = 0; i < 5; ++i) batches.push_back({Trigger("k" + std::to_string(i))});
  std::string before = WriteHistory(store, Options{.snapshot_every = 3, .snapshot_min_interval = {}}, std::move(batches));
  ASSERT_TRUE(store.LatestSnapshot()->has_value());

  std::string recovered = RecoveredState(store);

  EXPECT_EQ(recovered, before);
}

TEST(EngineTest, PeriodicSnapshotsEncodedByAForkedChildRecoverToTheSameStateAsAFullReplay) {
  struct SnapshotLog : ForwardingStore {
    core::Status SaveSnapshot(const Snapshot& s) override {
      std::lock_guard lock(mu);
      saved.push_back(s);
      return inner.SaveSnapshot(s);
    }
    std::mutex mu;
    std::vector<Snapshot> saved;
  } store;
  std::string final_state;
  {
    Rig rig(store, Options{.snapshot_every = 4, .snapshot_min_interval = {}});
    rig.engine.Start();
    for (int i = 0; i < 12; ++i) ASSERT_TRUE(SubmitAndWait(rig.engine, Trigger("k" + std::to_string(i))).status.ok());
    rig.engine.Stop();
    final_state = rig.engine.EncodedStateForTest();
  }
  const uint64_t head = store.Head()->seq;
  std::vector<Snapshot> periodic;  // the shutdown snapshot (at the head) is encoded by the writer itself
  for (const Snapshot& s : store.saved) {
    if (s.seq < head) periodic.push_back(s);
  }

  ASSERT_FALSE(periodic.empty());
  for (const Snapshot& snapshot : periodic) {
    // The same journal, with this snapshot as the only one: recovery loads it and folds the tail after it.
    ForwardingStore copy;
    ASSERT_TRUE(store.inner
                    .ScanJournal(0, [&](const StoredRecord& r) { return copy.inner.Append(std::span(&r, 1), {}); })
                    .ok());
    ASSERT_TRUE(copy.inner.SaveSnapshot(snapshot).ok());
    EXPECT_FALSE(snapshot.state.empty());
    EXPECT_EQ(RecoveredState(copy, Options{.verify_full_chain = false}), final_state) << "snapshot at " << snapshot.seq;
  }
}

TEST(EngineTest, PeriodicSnapshotsWaitForAJournalTailAsLargeAsTheLastSnapshot) {
  struct SnapshotLog : ForwardingStore {
    core::Status SaveSnapshot(const Snapshot& s) override {
      saved.push_back(s);
      return inner.SaveSnapshot(s);
    }
    std::vector<Snapshot> saved;
  } store;
  Rig rig(store, Options{.snapshot_every = 1, .snapshot_tail_percent = 100, .snapshot_min_interval = {}});
  std::vector<Command> opening;
  for (int i = 0; i < 40; ++i) opening.push_back(Trigger("open-" + std::to_string(i)));
  rig.engine.ProcessForTest(std::move(opening));
  ASSERT_EQ(store.saved.size(), 1u);  // the first one is due by records alone
  const Snapshot first = store.saved[0];
  auto tail_bytes = [&](uint64_t upto) {
    uint64_t bytes = 0;
    EXPECT_TRUE(store.inner
                    .ScanJournal(first.seq,
                                 [&](const StoredRecord& r) {
                                   if (r.seq <= upto) bytes += r.bytes.size();
                                   return core::Ok();
                                 })
                    .ok());
    return bytes;
  };

  uint64_t head_before_last = first.seq;
  for (int i = 0; i < 10000 && store.saved.size() == 1; ++i) {
    head_before_last = store.Head()->seq;
    rig.engine.ProcessForTest({Trigger("more-" + std::to_string(i))});
  }

  ASSERT_EQ(store.saved.size(), 2u);
  EXPECT_LT(tail_bytes(head_before_last), first.state.size());  // not one batch early
  EXPECT_GE(tail_bytes(store.saved[1].seq), first.state.size());
}

TEST(EngineTest, SnapshotTailPercentZeroSnapshotsByRecordCountAlone) {
  struct Counting : ForwardingStore {
    core::Status SaveSnapshot(const Snapshot& s) override {
      ++saved;
      return inner.SaveSnapshot(s);
    }
    int saved = 0;
  } store;
  Rig rig(store, Options{.snapshot_every = 1, .snapshot_tail_percent = 0, .snapshot_min_interval = {}});
  for (int i = 0; i < 5; ++i) rig.engine.ProcessForTest({Trigger("k" + std::to_string(i))});

  EXPECT_EQ(store.saved, 5);
}

TEST(EngineTest, PeriodicSnapshotsWaitForTheMinimumIntervalInJournalTime) {
  struct Counting : ForwardingStore {
    core::Status SaveSnapshot(const Snapshot& s) override {
      saved.push_back(s.taken_at);
      return inner.SaveSnapshot(s);
    }
    std::vector<core::Timestamp> saved;
  } store;
  Rig rig(store, Options{.snapshot_every = 1,
                         .snapshot_tail_percent = 0,
                         .snapshot_min_interval = std::chrono::seconds(10)});
  const core::Timestamp start = rig.clock.now;
  for (int i = 0; i < 25; ++i) {  // one batch a second for 25 s
    rig.engine.ProcessForTest({Trigger("k" + std::to_string(i))});
    rig.clock.now += std::chrono::seconds(1);
  }

  // Due by records after every batch, but taken only at 0 s, 10 s and 20 s.
  ASSERT_EQ(store.saved.size(), 3u);
  EXPECT_EQ(store.saved[0], start);
  EXPECT_EQ(store.saved[1], start + std::chrono::seconds(10));
  EXPECT_EQ(store.saved[2], start + std::chrono::seconds(20));
}

TEST(EngineTest, TheMinimumSnapshotIntervalCountsFromTheSnapshotRecoveredAtStart) {
  store::memory::MemoryStore store;
  const Options options{.snapshot_every = 1, .snapshot_tail_percent = 0,
                        .snapshot_min_interval = std::chrono::seconds(10)};
  core::Timestamp first_at;
  {
    Rig rig(store, options);
    first_at = rig.clock.now;
    rig.engine.ProcessForTest({Trigger("a")});  // the first snapshot, at first_at
  }
  ASSERT_TRUE(store.LatestSnapshot().ok());
  const uint64_t first_seq = (*store.LatestSnapshot())->seq;

  Rig again(store, options);
  again.clock.now = first_at + std::chrono::seconds(5);
  again.engine.ProcessForTest({Trigger("b")});
  EXPECT_EQ((*store.LatestSnapshot())->seq, first_seq) << "5 s after the recovered snapshot: none yet";
  again.clock.now = first_at + std::chrono::seconds(11);
  again.engine.ProcessForTest({Trigger("c")});
  EXPECT_GT((*store.LatestSnapshot())->seq, first_seq);
}

TEST(EngineTest, RecoveryRefusesABrokenChainAndNamesTheRecord) {
  CorruptingStore store(3);
  WriteHistory(store.inner, Options{}, {{Trigger("a"), Trigger("b")}});
  auto config = TestConfig();
  FakeClock clock;

  Engine engine(store, config, clock.fn(), Options{});
  auto st = engine.Recover();
  auto report = VerifyJournal(store);

  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.error().code, core::ErrorCode::kCorrupt);
  EXPECT_NE(st.error().message.find("record 3"), std::string::npos) << st.error().message;
  EXPECT_FALSE(report.ok);
  EXPECT_EQ(report.records, 2u);
}

TEST(EngineTest, TailOnlyVerificationSkipsRecordsBeforeTheSnapshotButFullVerificationDoesNot) {
  CorruptingStore store(1);
  std::string before =
      WriteHistory(store.inner, Options{.snapshot_every = 4, .snapshot_min_interval = {}}, {{Trigger("a"), Trigger("b")}, {Trigger("c")}});
  auto config = TestConfig();
  FakeClock clock;

  Engine full(store, config, clock.fn(), Options{});
  Engine tail(store, config, clock.fn(), Options{.verify_full_chain = false});
  auto full_status = full.Recover();
  auto tail_status = tail.Recover();

  EXPECT_EQ(full_status.error().code, core::ErrorCode::kCorrupt);
  ASSERT_TRUE(tail_status.ok()) << tail_status.error().message;
  EXPECT_EQ(tail.EncodedStateForTest(), before);
}

TEST(EngineTest, AStoreFailureStopsTheEngineAndAnswersUnavailable) {
  struct FailingStore : ForwardingStore {
    core::Status Append(std::span<const StoredRecord>, const Projection&) override {
      return core::Unavailable("disk full");
    }
  } store;
  Rig rig(store);
  Engine& engine = rig.engine;
  engine.Start();

  Outcome o = SubmitAndWait(engine, Trigger("a"));
  auto later = engine.Submit(Trigger("b"), [](Outcome) {});

  EXPECT_EQ(o.status.error().code, core::ErrorCode::kUnavailable);
  EXPECT_TRUE(engine.failed());
  EXPECT_NE(engine.fatal_error().find("disk full"), std::string::npos);
  EXPECT_FALSE(later.ok());
  engine.Stop();
}

TEST(EngineTest, ASyncFailureStopsTheEngineAndNobodyIsToldTheirEventIsSafe) {
  struct FailingSync : ForwardingStore {
    core::Status Sync() override { return core::Unavailable("I/O error"); }
  } store;
  Rig rig(store);
  Engine& engine = rig.engine;
  engine.Start();

  Outcome o = SubmitAndWait(engine, Trigger("a"));

  EXPECT_EQ(o.status.error().code, core::ErrorCode::kUnavailable);
  EXPECT_TRUE(engine.failed());
  engine.Stop();
}

// Sync blocks while the gate is closed: a test holds a batch committed but not durable, and looks around.
class GatedStore : public ForwardingStore {
 public:
  explicit GatedStore(bool open) : open_(open) {}
  core::Status Sync() override {
    std::unique_lock lock(mu_);
    entered_ = true;
    cv_.notify_all();
    cv_.wait(lock, [&] { return open_; });
    return inner.Sync();
  }
  void Close() {
    std::lock_guard lock(mu_);
    open_ = false;
    entered_ = false;
  }
  // Until a sync waits at the gate (since it was closed).
  void WaitForSync() {
    std::unique_lock lock(mu_);
    cv_.wait(lock, [&] { return entered_; });
  }
  void Open() {
    {
      std::lock_guard lock(mu_);
      open_ = true;
    }
    cv_.notify_all();
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  bool open_;
  bool entered_ = false;
};

TEST(EngineTest, AnAnswerThatWroteNothingNeverOvertakesAnUnsyncedBatch) {
  // The first Sync blocks until released, so batch 1 (the trigger) stays committed but not durable.
  GatedStore store(/*open=*/false);
  Rig rig(store, Options{.inline_sync_records = 0});  // every batch that writes goes through the syncer
  Engine& engine = rig.engine;
  engine.Start();
  std::atomic<int> answered{0};
  ASSERT_TRUE(engine.Submit(Trigger("a"), [&](Outcome) { ++answered; }).ok());
  store.WaitForSync();

  // Acknowledging twice writes nothing the second time, and its "ok" rests on the unsynced batches. Each is
  // submitted once the one before has been processed, so they land in batches of their own.
  auto processed = [&](uint64_t n) {
    auto deadline = std::chrono::steady_clock::now() + 10s;
    while (engine.stats().commands.load() < n && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::yield();
    }
  };
  processed(1);
  ASSERT_TRUE(engine.Submit(Command{"u", AcknowledgeIncident{1}}, [&](Outcome) { ++answered; }).ok());
  processed(2);
  ASSERT_TRUE(engine.Submit(Command{"u", AcknowledgeIncident{1}}, [&](Outcome) { ++answered; }).ok());
  processed(3);
  int before_release = answered.load();
  store.Open();
  engine.Stop();

  EXPECT_GE(engine.stats().commands.load(), 3u);
  EXPECT_EQ(before_release, 0);
  EXPECT_EQ(answered.load(), 3);
}

// An engine with one catch-all Alertmanager route into "checkout", started, with a clock the test moves.
struct AlertRig {
  explicit AlertRig(Store& store, Options options = {})
      : routes(CatchAll()), engine(store, config, routes, clock.fn(), options) {
    EXPECT_TRUE(engine.Recover().ok());
    engine.Start();
  }
  static correlate::Config CatchAll() {
    correlate::Route route;
    route.service = "checkout";
    correlate::Config c;
    c.routes = {route};
    return c;
  }
  // POST /api/v2/alerts with one alert, as the HTTP edge builds it.
  PostAlerts Post(core::Duration ends_in, std::string summary = "slow") const {
    ingest::PostableAlert a;
    a.labels = core::LabelSet{{"alertname", "HighLatency"}, {"instance", "web-1"}};
    a.annotations = core::LabelSet{{"summary", std::move(summary)}};
    a.starts_at = start;
    a.ends_at = start + ends_in;
    return PostAlerts{{std::move(a)}, {}};
  }
  Outcome Submit(PostAlerts post) { return SubmitAndWait(engine, Command{"token:prometheus", std::move(post)}); }
  bool Quiet(PostAlerts post) { return engine.AnswersQuietly(post); }

  incident::Config config = TestConfig();
  correlate::Config routes;
  FakeClock clock;
  const core::Timestamp start = clock.now;
  Engine engine;
};

TEST(EngineTest, AnUnchangedReSendIsAnsweredWithoutTheWriterOnceTheWriterHeldItAndUntilASecondPassed) {
  ForwardingStore store;
  AlertRig rig(store);

  EXPECT_FALSE(rig.Quiet(rig.Post(1h)));  // nothing held yet
  ASSERT_TRUE(rig.Submit(rig.Post(1h)).status.ok());
  rig.clock.now += 100ms;
  EXPECT_FALSE(rig.Quiet(rig.Post(1h)));  // a new alert leaves no entry: the writer decides its first re-send
  ASSERT_TRUE(rig.Submit(rig.Post(1h)).status.ok());
  const uint64_t records = rig.engine.stats().last_seq.load();
  rig.clock.now += 100ms;

  EXPECT_TRUE(rig.Quiet(rig.Post(1h)));
  EXPECT_TRUE(rig.Quiet(rig.Post(30min)));    // an earlier endsAt: the client's later one stands
  EXPECT_FALSE(rig.Quiet(rig.Post(2h)));      // a later endsAt is recorded
  EXPECT_FALSE(rig.Quiet(rig.Post(1h, "x")));  // so are new annotations
  EXPECT_FALSE(rig.Quiet(rig.Post(-1s)));      // and a resolve
  EXPECT_EQ(rig.engine.stats().quiet_resends.load(), 2u);
  rig.clock.now += 900ms;  // a second after the alert's last record: the re-send refreshes it
  EXPECT_FALSE(rig.Quiet(rig.Post(1h)));
  rig.engine.Stop();
  EXPECT_EQ(rig.engine.stats().last_seq.load(), records);
}

TEST(EngineTest, ResolvingTheIncidentByHandVoidsTheReSendCacheAndTheNextReSendOpensANewIncident) {
  ForwardingStore store;
  AlertRig rig(store);
  ASSERT_TRUE(rig.Submit(rig.Post(1h)).status.ok());
  ASSERT_TRUE(rig.Submit(rig.Post(1h)).status.ok());
  ASSERT_TRUE(rig.Quiet(rig.Post(1h)));
  uint64_t incident_id = 0;
  rig.engine.Read([&](const State& s) { incident_id = s.incidents.incidents.begin()->first; });

  ASSERT_TRUE(SubmitAndWait(rig.engine, Command{"user:alice", ResolveIncident{incident_id, "fixed"}}).status.ok());

  EXPECT_FALSE(rig.Quiet(rig.Post(1h)));
  ASSERT_TRUE(rig.Submit(rig.Post(1h)).status.ok());
  rig.engine.Stop();
  EXPECT_EQ(rig.engine.stats().open_incidents.load(), 1u);
  size_t incidents = 0;
  rig.engine.Read([&](const State& s) { incidents = s.incidents.incidents.size(); });
  EXPECT_EQ(incidents, 2u);
}

TEST(EngineTest, AReSendCacheEntryAnswersOnlyOnceTheBatchThatLeftItIsDurable) {
  GatedStore store(/*open=*/true);
  AlertRig rig(store);
  ASSERT_TRUE(rig.Submit(rig.Post(1h)).status.ok());
  ASSERT_TRUE(rig.Submit(rig.Post(1h)).status.ok());
  ASSERT_TRUE(rig.Quiet(rig.Post(1h)));
  store.Close();

  // A later endsAt is recorded; until its sync, neither the old endsAt nor the new one answers from the cache.
  std::promise<Outcome> answered;
  ASSERT_TRUE(rig.engine.Submit(Command{"token:prometheus", rig.Post(2h)},
                                [&](Outcome o) { answered.set_value(std::move(o)); })
                  .ok());
  store.WaitForSync();
  const bool new_before_sync = rig.Quiet(rig.Post(2h));
  store.Open();
  ASSERT_TRUE(answered.get_future().get().status.ok());

  EXPECT_FALSE(new_before_sync);
  EXPECT_TRUE(rig.Quiet(rig.Post(2h)));
  EXPECT_FALSE(rig.Quiet(rig.Post(3h)));
  rig.engine.Stop();
}

TEST(EngineTest, ProjectionKeepsQueryTablesInStep) {
  ForwardingStore store;
  Rig rig(store);
  Engine& engine = rig.engine;

  engine.ProcessForTest({Trigger("a"), Trigger("a"), Command{"token:ops", AcknowledgeIncident{1}}});

  auto row = store.GetIncident(1);
  ASSERT_TRUE(row.ok());
  EXPECT_EQ(row->state, "acknowledged");
  EXPECT_EQ(row->last_actor, "token:ops");
  auto alerts = store.IncidentAlerts(1);
  ASSERT_EQ(alerts->size(), 1u);
  EXPECT_EQ((*alerts)[0].event_count, 2u);
  auto timeline = store.Timeline(1, 0, 100);
  ASSERT_EQ(timeline->size(), 4u);
  EXPECT_EQ((*timeline)[0].kind, "opened");
  EXPECT_EQ((*timeline)[3].kind, "acknowledged");
}

TEST(EngineTest, SubscribersSeeCommittedRecordsWithTheirIncident) {
  ForwardingStore store;
  Rig rig(store);
  Engine& engine = rig.engine;
  std::vector<Published> seen;
  engine.Subscribe([&](const std::vector<Published>& batch) { seen.insert(seen.end(), batch.begin(), batch.end()); });

  engine.ProcessForTest({Trigger("a")});

  ASSERT_EQ(seen.size(), 2u);
  EXPECT_EQ(seen[0].type, "incident.opened");
  EXPECT_EQ(seen[0].incident_id, 1u);
  EXPECT_EQ(seen[1].type, "alert.triggered");
  EXPECT_EQ(seen[1].seq, 2u);
}

TEST(EngineTest, SubscribersWithoutSummariesGetTypesAndIncidentsAndSummariesOnlyWhenSomeoneWantsThem) {
  ForwardingStore store;
  Rig rig(store);
  Engine& engine = rig.engine;
  std::vector<Published> types_only;
  engine.Subscribe([&](const std::vector<Published>& b) { types_only.insert(types_only.end(), b.begin(), b.end()); },
                   /*summaries=*/false);

  engine.ProcessForTest({Trigger("a")});
  std::vector<Published> first = types_only;
  types_only.clear();
  std::vector<Published> full;
  uint64_t id =
      engine.Subscribe([&](const std::vector<Published>& b) { full.insert(full.end(), b.begin(), b.end()); });
  engine.ProcessForTest({Trigger("b")});
  engine.Unsubscribe(id);
  types_only.clear();
  engine.ProcessForTest({Trigger("c")});

  ASSERT_EQ(first.size(), 2u);
  EXPECT_EQ(first[0].type, "incident.opened");
  EXPECT_EQ(first[0].incident_id, 1u);
  EXPECT_EQ(first[1].type, "alert.triggered");
  EXPECT_EQ(first[1].incident_id, 1u);
  EXPECT_TRUE(first[0].summary.empty());
  ASSERT_EQ(full.size(), 2u);
  EXPECT_EQ(full[0].incident_id, 2u);
  EXPECT_FALSE(full[0].summary.empty());
  ASSERT_EQ(types_only.size(), 2u);
  EXPECT_EQ(types_only[0].incident_id, 3u);
  EXPECT_TRUE(types_only[0].summary.empty());  // the summary subscriber left
}

TEST(EngineTest, JournalTimeNeverGoesBackwards) {
  ForwardingStore store;
  Rig rig(store);
  Engine& engine = rig.engine;
  FakeClock& clock = rig.clock;
  engine.ProcessForTest({Trigger("a")});

  clock.now -= 1h;
  engine.ProcessForTest({Trigger("b")});

  std::vector<core::Timestamp> times;
  ASSERT_TRUE(store.ScanJournal(0, [&](const StoredRecord& r) {
    times.push_back(r.time);
    return core::Ok();
  }).ok());
  EXPECT_TRUE(std::is_sorted(times.begin(), times.end()));
}

TEST(EngineTest, TicksFireDueTimers) {
  ForwardingStore store;
  Rig rig(store);
  Engine& engine = rig.engine;
  FakeClock& clock = rig.clock;
  engine.ProcessForTest({Trigger("a"), Command{"u", AcknowledgeIncident{1}}});

  clock.now += 31min;
  engine.ProcessForTest({Command{"timer", Tick{}}});

  EXPECT_EQ(store.GetIncident(1)->state, "triggered");
}

TEST(EngineTest, ExportedBundleHoldsTheIncidentsRecordsAndOnlyTheHashesOfOthers) {
  ForwardingStore store;
  Rig rig(store);
  Engine& engine = rig.engine;
  engine.ProcessForTest({Trigger("a"), Trigger("b"), Command{"token:ops", AddNote{1, "replica lag"}},
                         Command{"token:ops", AcknowledgeIncident{1}}, Trigger("c")});

  auto bundle = ExportIncident(store, 1, core::FromUnixMillis(1'700'000'100'000), "token:auditor");

  ASSERT_TRUE(bundle.ok()) << bundle.error().message;
  auto check = journal::VerifyBundle(*bundle, DescribeForBundle);
  ASSERT_TRUE(check.ok()) << check.error().message;
  EXPECT_EQ(check->first_seq, 1u);
  EXPECT_EQ(check->records, check->last_seq);
  EXPECT_EQ(bundle->head.seq, store.Head()->seq);
  EXPECT_GT(bundle->head.seq, check->last_seq);  // incident 3 came after
  const std::string json = journal::BundleJson(*bundle);
  EXPECT_NE(json.find("replica lag"), std::string::npos);
  EXPECT_EQ(json.find("summary b"), std::string::npos);
  EXPECT_EQ(json.find("summary c"), std::string::npos);
  for (const journal::BundleEntry& e : bundle->entries) {
    if (e.redacted) {
      EXPECT_TRUE(e.record.payload.empty() && e.record.actor.empty());
    }
  }
}

TEST(EngineTest, ExportingAnUnknownIncidentIsNotFound) {
  ForwardingStore store;
  Rig rig(store);

  auto bundle = ExportIncident(store, 42, core::Timestamp{}, "token:auditor");

  ASSERT_FALSE(bundle.ok());
  EXPECT_EQ(bundle.error().code, core::ErrorCode::kNotFound);
}

TEST(EngineTest, ReadRecordGivesAStoredRecordWithItsHash) {
  ForwardingStore store;
  Rig rig(store);
  rig.engine.ProcessForTest({Trigger("a"), Trigger("b")});
  std::vector<journal::Hash> hashes;
  ASSERT_TRUE(store.ScanJournal(0, [&](const StoredRecord& r) {
    hashes.push_back(r.hash);
    return core::Ok();
  }).ok());

  auto second = ReadRecord(store, 2);
  auto past = ReadRecord(store, hashes.size() + 1);

  ASSERT_TRUE(second.ok()) << second.error().message;
  EXPECT_EQ(second->seq, 2u);
  EXPECT_EQ(second->hash, hashes[1]);
  EXPECT_EQ(second->prev, hashes[0]);
  ASSERT_FALSE(past.ok());
  EXPECT_EQ(past.error().code, core::ErrorCode::kNotFound);
}

}  // namespace
}  // namespace engine
