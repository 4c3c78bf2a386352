// In-process engine speed: folding records into state (what recovery and replay do), and deciding + applying a
// batch of events (what the writer does before the store's commit), without I/O.
#include <benchmark/benchmark.h>

#include "domain/incident/lifecycle.h"
#include "engine/engine.h"
#include "engine/state.h"
#include "null_store.h"

namespace {

incident::Config BenchConfig() {
  incident::ServiceConfig s;
  s.name = "checkout";
  s.routing_keys = {"checkout-key"};
  return incident::Config({s});
}

using bench::NullStore;

engine::Command Trigger(uint64_t key) {
  ingest::Event e;
  e.routing_key = "checkout-key";
  e.dedup_key = "alert-" + std::to_string(key);
  e.summary = "High error rate on checkout";
  e.source = "web-" + std::to_string(key % 50);
  e.severity = ingest::Severity::kError;
  return engine::Command{"token:bench", engine::SubmitEvent{e}};
}

// A journal like a busy ingest day's: new alerts (incident.opened + alert.triggered) and re-triggers of open ones.
std::vector<journal::Record> MakeJournal(size_t target) {
  auto config = BenchConfig();
  std::vector<journal::Record> out;
  // Captures the records the engine emits.
  struct Recording final : NullStore {
    std::vector<journal::Record>* out = nullptr;
    core::Status Append(std::span<const engine::StoredRecord> recs, const engine::Projection&) override {
      for (const auto& r : recs) {
        auto d = journal::Decode(r.bytes);
        d.value().hash = r.hash;
        out->push_back(std::move(d).value());
      }
      return {};
    }
  } recording;
  recording.out = &out;
  engine::Engine rec_engine(recording, config, [] { return core::FromUnixMillis(1'764'400'000'000); },
                            engine::Options{.snapshot_every = 0});
  uint64_t i = 0;
  while (out.size() < target) {
    std::vector<engine::Command> batch;
    for (int k = 0; k < 1000; ++k, ++i) batch.push_back(Trigger(i % 3 == 0 ? i / 3 : i));  // ~1/3 re-triggers
    rec_engine.ProcessForTest(std::move(batch));
  }
  out.resize(target);
  return out;
}

// Folds the journal into an empty state. Arg 0: tables grow as they go; arg 1: tables sized up front, as recovery
// does when it knows how many records it will replay.
void BM_ApplyRecords(benchmark::State& state) {
  static const std::vector<journal::Record> journal = MakeJournal(200'000);
  const bool reserve = state.range(0) != 0;
  for (auto _ : state) {
    engine::State s;
    if (reserve) engine::ReserveFor(s, journal.size());
    for (const auto& r : journal) {
      auto st = engine::ApplyRecord(s, r, nullptr);
      benchmark::DoNotOptimize(st);
    }
    benchmark::DoNotOptimize(s);
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()) * static_cast<int64_t>(journal.size()));
}
BENCHMARK(BM_ApplyRecords)->ArgName("reserved")->Arg(0)->Arg(1)->Unit(benchmark::kMillisecond);

// Verify + decode + apply: what start-up does per record.
void BM_RecoverRecords(benchmark::State& state) {
  static const std::vector<journal::Record> journal = MakeJournal(200'000);
  static const std::vector<std::pair<std::string, journal::Hash>> stored = [] {
    std::vector<std::pair<std::string, journal::Hash>> v;
    for (const auto& r : journal) v.emplace_back(journal::Encode(r), r.hash);
    return v;
  }();
  for (auto _ : state) {
    engine::State s;
    journal::Verifier verifier;
    for (const auto& [bytes, hash] : stored) {
      auto rec = verifier.Next(bytes, hash);
      auto st = engine::ApplyRecord(s, rec.value(), nullptr);
      benchmark::DoNotOptimize(st);
    }
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()) * static_cast<int64_t>(stored.size()));
}
BENCHMARK(BM_RecoverRecords)->Unit(benchmark::kMillisecond);

// Encoding the whole state for a snapshot (what the forked child does): 200k journal records folded first.
void BM_EncodeSnapshot(benchmark::State& state) {
  static const std::vector<journal::Record> journal = MakeJournal(200'000);
  engine::State s;
  for (const auto& r : journal) (void)engine::ApplyRecord(s, r, nullptr);
  size_t bytes = 0;
  for (auto _ : state) {
    std::string encoded = engine::EncodeState(s);
    bytes = encoded.size();
    benchmark::DoNotOptimize(encoded);
  }
  state.counters["bytes"] = static_cast<double>(bytes);
  state.counters["open_alerts"] = static_cast<double>(s.incidents.alerts.size());
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()) * static_cast<int64_t>(s.incidents.alerts.size()));
}
BENCHMARK(BM_EncodeSnapshot)->Unit(benchmark::kMillisecond);

// The writer's work per batch of events: decide, link (SHA-256), apply, build query rows. No disk.
void BM_ProcessEventBatch(benchmark::State& state) {
  NullStore store;
  auto config = BenchConfig();
  engine::Engine eng(store, config, [] { return core::FromUnixMillis(1'764'400'000'000); },
                     engine::Options{.snapshot_every = 0});
  const size_t batch = static_cast<size_t>(state.range(0));
  uint64_t key = 0;
  for (auto _ : state) {
    state.PauseTiming();
    std::vector<engine::Command> cmds;
    cmds.reserve(batch);
    for (size_t k = 0; k < batch; ++k, ++key) cmds.push_back(Trigger(key % 100'000));
    state.ResumeTiming();
    auto outcomes = eng.ProcessForTest(std::move(cmds));
    benchmark::DoNotOptimize(outcomes);
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()) * static_cast<int64_t>(batch));
}
BENCHMARK(BM_ProcessEventBatch)->Arg(16)->Arg(256)->Arg(4096)->Unit(benchmark::kMicrosecond);

}  // namespace

BENCHMARK_MAIN();
