// Replay is exact: folding the journal from empty gives the state the running engine had, whatever the history.
#include <gtest/gtest.h>

#include <atomic>
#include <future>
#include <random>
#include <thread>

#include "domain/correlate/prepare.h"
#include "engine/state.h"
#include "journal/record.h"
#include "scenario_harness.h"

namespace scenario {
namespace {

using ingest::Action;

// Folds every stored record from seq 1 into an empty state.
std::string FoldFromEmpty(engine::Store& store, engine::State* out = nullptr) {
  engine::State state;
  journal::Verifier verifier;
  auto st = store.ScanJournal(0, [&](const engine::StoredRecord& stored) -> core::Status {
    auto rec = verifier.Next(stored.bytes, stored.hash);
    if (!rec.ok()) return rec.error();
    return engine::ApplyRecord(state, rec.value(), nullptr);
  });
  EXPECT_TRUE(st.ok()) << (st.ok() ? "" : st.error().message);
  std::string encoded = engine::EncodeState(state);
  if (out) *out = std::move(state);
  return encoded;
}

// A seeded mix of everything a busy day holds: triggers, re-triggers, acks and resolves by event and by hand,
// notes, unknown keys, and time passing so timers fire.
std::vector<engine::Command> Workload(uint32_t seed, int count) {
  std::mt19937 rng(seed);
  std::vector<engine::Command> out;
  const char* keys[] = {"checkout-key", "hosts-key"};
  for (int i = 0; i < count; ++i) {
    int op = static_cast<int>(rng() % 100);
    ingest::Event e;
    e.routing_key = keys[rng() % 2];
    e.dedup_key = "k" + std::to_string(rng() % 40);
    e.summary = "summary " + std::to_string(i);
    e.source = "host-" + std::to_string(rng() % 5);
    e.severity = static_cast<ingest::Severity>(rng() % 4);
    if (op < 55) {
      e.action = Action::kTrigger;
      out.push_back({"token:monitor", engine::SubmitEvent{e}});
    } else if (op < 65) {
      e.action = Action::kAcknowledge;
      out.push_back({"token:monitor", engine::SubmitEvent{e}});
    } else if (op < 80) {
      e.action = Action::kResolve;
      out.push_back({"token:monitor", engine::SubmitEvent{e}});
    } else if (op < 87) {
      out.push_back({"token:alice", engine::AcknowledgeIncident{1 + rng() % 60}});
    } else if (op < 93) {
      out.push_back({"token:alice", engine::ResolveIncident{1 + rng() % 60, "fixed"}});
    } else {
      out.push_back({"token:bob", engine::AddNote{1 + rng() % 60, "note " + std::to_string(i)}});
    }
  }
  return out;
}

TEST(ReplayScenarioTest, FoldingTheJournalFromEmptyGivesTheRunningStateAfterConcurrentLoad) {
  engine::Options options;
  options.snapshot_every = 97;
  options.snapshot_min_interval = {};  // snapshots by record count alone
  options.tick_interval = std::chrono::milliseconds(1);
  Harness h(options);
  h.engine().Start();

  // Four clients submit concurrently, so batches interleave as they do in production.
  std::vector<std::thread> clients;
  std::atomic<int> answered{0};
  for (uint32_t c = 0; c < 4; ++c) {
    clients.emplace_back([&, c] {
      for (auto& cmd : Workload(c + 1, 500)) {
        std::promise<void> done;
        while (!h.engine().Submit(cmd, [&](engine::Outcome) { done.set_value(); }).ok()) std::this_thread::yield();
        done.get_future().wait();
        ++answered;
      }
    });
  }
  for (auto& t : clients) t.join();
  h.engine().Stop();
  std::string running = h.engine().EncodedStateForTest();

  engine::State replayed;
  std::string folded = FoldFromEmpty(h.store(), &replayed);

  EXPECT_EQ(answered.load(), 2000);
  EXPECT_EQ(folded, running);
  EXPECT_GT(h.engine().stats().snapshots.load(), 0u);
  // The query tables agree with the folded state for every incident still in memory.
  for (const auto& [id, inc] : replayed.incidents.incidents) {
    auto row = h.store().GetIncident(id);
    ASSERT_TRUE(row.ok());
    EXPECT_EQ(row->state, incident::ToString(inc.state)) << "incident " << id;
    EXPECT_EQ(row->open_alert_count, inc.open_alerts.size()) << "incident " << id;
  }
}

TEST(ReplayScenarioTest, RecoveryFromSnapshotAndTailEqualsAFullFold) {
  engine::Options options;
  options.snapshot_every = 50;
  options.snapshot_min_interval = {};  // snapshots by record count alone
  Harness h(options);
  int step = 0;
  for (auto& cmd : Workload(42, 600)) {
    h.Run(std::move(cmd));
    if (++step % 40 == 0) h.Advance(7min);
  }
  std::string before = h.engine().EncodedStateForTest();

  h.Reopen();

  EXPECT_EQ(h.engine().EncodedStateForTest(), before);
  EXPECT_EQ(FoldFromEmpty(h.store()), before);
  ASSERT_TRUE(h.store().LatestSnapshot()->has_value());
}

TEST(ReplayScenarioTest, TheSameCommandsAtTheSameTimesProduceTheSameJournal) {
  auto run = [](uint32_t seed) {
    Harness h;
    for (auto& cmd : Workload(seed, 300)) h.Run(std::move(cmd));
    return h.store().Head().value();
  };

  auto a = run(7);
  auto b = run(7);

  EXPECT_EQ(a.seq, b.seq);
  EXPECT_EQ(a.hash, b.hash);  // byte-identical chains: the core is deterministic
}

// Alertmanager's alerts go through the writer's typed path (the payload it has just encoded is applied as it is,
// not decoded again): folding the journal must still give the running state, through new alerts, re-sends that
// change annotations, alerts ended by the client and by resolve_timeout, silences, and incidents a person resolves
// while their alerts still fire.
TEST(ReplayScenarioTest, FoldingTheJournalGivesTheRunningStateAfterAlertmanagerTraffic) {
  engine::Options options;
  options.snapshot_every = 0;
  Harness h(options);
  correlate::Config routes;
  correlate::Route by_cluster;
  by_cluster.service = "checkout";
  by_cluster.group_by = {"alertname", "cluster"};
  routes.routes.push_back(by_cluster);
  h.SetAlertRoutes(routes);
  h.SetNow(core::FromUnixMillis(1'790'000'000'000));

  std::mt19937 rng(11);
  const char* names[] = {"HighLatency", "DiskFull", "ErrorBudgetBurn"};
  auto alert = [&](int n, core::Timestamp now) {
    ingest::PostableAlert a;
    a.labels = core::LabelSet{{"alertname", names[n % 3]},
                              {"cluster", "c" + std::to_string(n % 4)},
                              {"instance", "host-" + std::to_string(n) + ":9100"}};
    a.annotations = core::LabelSet{{"summary", "value " + std::to_string(rng() % 3)}};
    a.generator_url = "http://prometheus:9090/graph?g0.expr=up";
    if (rng() % 8 == 0) a.ends_at = now - std::chrono::seconds(1);  // ended by the client
    return a;
  };
  std::vector<std::string> silences;
  size_t posted = 0;
  for (int step = 0; step < 400; ++step) {
    const int op = static_cast<int>(rng() % 100);
    if (op < 55) {
      engine::PostAlerts post;
      const size_t n = 1 + rng() % 20;
      for (size_t i = 0; i < n; ++i) post.alerts.push_back(alert(static_cast<int>(rng() % 90), h.now()));
      if (rng() % 2 == 0) post.prepared = correlate::Prepare(post.alerts);
      posted += n;
      auto out = h.Run(engine::Command{"token:prometheus", std::move(post)});
      ASSERT_TRUE(out.status.ok()) << out.status.error().message;
    } else if (op < 62) {
      engine::PostSilence silence;
      silence.silence.matchers.push_back(
          core::Matcher::Parse(std::string("alertname=\"") + names[rng() % 3] + "\"").value());
      silence.silence.starts_at = h.now();
      silence.silence.ends_at = h.now() + std::chrono::minutes(1 + rng() % 20);
      silence.silence.created_by = "alice";
      silence.silence.comment = "deploy";
      silence.new_id = "silence-" + std::to_string(step);
      auto out = h.Run(engine::Command{"token:alice", std::move(silence)});
      ASSERT_TRUE(out.status.ok()) << out.status.error().message;
      silences.push_back(out.silence_id);
    } else if (op < 66 && !silences.empty()) {
      h.Run(engine::Command{"token:alice", engine::ExpireSilence{silences[rng() % silences.size()]}});
    } else if (op < 74) {
      h.Run(engine::Command{"token:alice", engine::ResolveIncident{1 + rng() % 30, "fixed"}});
    } else if (op < 78) {
      h.Run(engine::Command{"token:alice", engine::AcknowledgeIncident{1 + rng() % 30}});
    } else {
      h.Advance(std::chrono::seconds(5 + rng() % 120));  // resolve_timeout ends alerts not re-sent in 5 minutes
    }
  }
  const std::string running = h.engine().EncodedStateForTest();

  engine::State replayed;
  EXPECT_EQ(FoldFromEmpty(h.store(), &replayed), running);
  EXPECT_GT(posted, 2000u);
  EXPECT_GT(h.Count("alerts.changed"), 100u);
  EXPECT_GT(h.Count("alert.resolved"), 10u);
  EXPECT_GT(h.Count("silence.saved"), 10u);
}

}  // namespace
}  // namespace scenario
