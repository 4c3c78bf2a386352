// Durable append throughput of the SQLite store: one transaction (Append) and one WAL fdatasync (Sync) per batch,
// so records/s grows with the batch size the engine's group commit hands over.
#include <benchmark/benchmark.h>
#include <stdlib.h>

#include <filesystem>
#include <string>
#include <vector>

#include "engine/store.h"
#include "store/sqlite/sqlite_store.h"

namespace {

// A fresh database file in its own directory under /tmp (the same file system as a default data directory),
// removed when the benchmark run ends.
class TempDatabase {
 public:
  TempDatabase() {
    std::string templ = "/tmp/incidentd-bench-XXXXXX";
    if (mkdtemp(templ.data()) != nullptr) dir_ = templ;
  }
  ~TempDatabase() {
    std::error_code ignored;
    if (!dir_.empty()) std::filesystem::remove_all(dir_, ignored);
  }
  bool ok() const { return !dir_.empty(); }
  std::string path() const { return dir_ + "/incidentd.db"; }

 private:
  std::string dir_;
};

// Small records, roughly the size of an alert event's envelope, each with one timeline row.
void BM_SqliteAppend(benchmark::State& state) {
  const auto batch = static_cast<size_t>(state.range(0));
  TempDatabase db;
  if (!db.ok()) {
    state.SkipWithError("mkdtemp failed");
    return;
  }
  auto opened = store::sqlite::SqliteStore::Open(db.path());
  if (!opened.ok()) {
    state.SkipWithError(opened.error().message.c_str());
    return;
  }
  auto& store = **opened;

  std::vector<engine::StoredRecord> records(batch);
  engine::Projection projection;
  projection.timeline.resize(batch);
  for (size_t i = 0; i < batch; ++i) {
    records[i].type = 3;
    records[i].bytes = std::string(120, 'r');
    records[i].hash.fill(0xab);
    projection.timeline[i] =
        engine::TimelineRow{i % 64 + 1, 0, {}, "system", "alert_triggered", "HighLatency firing on api-7"};
  }
  uint64_t next_seq = 1;

  for (auto _ : state) {
    for (size_t i = 0; i < batch; ++i) {
      records[i].seq = next_seq + i;
      records[i].time = core::FromUnixMillis(static_cast<int64_t>(next_seq + i));
      projection.timeline[i].seq = next_seq + i;
    }
    core::Status st = store.Append(records, projection);
    if (st.ok()) st = store.Sync();
    if (!st.ok()) {
      state.SkipWithError(st.error().message.c_str());
      break;
    }
    next_seq += batch;
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * batch));
}
// Real time: the cost is waiting for fsync, which CPU time does not see.
BENCHMARK(BM_SqliteAppend)->Arg(1)->Arg(16)->Arg(256)->Arg(4096)->UseRealTime()->Unit(benchmark::kMicrosecond);

}  // namespace
