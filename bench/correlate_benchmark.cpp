// Correlation and suppression must not make ingest cost grow with what is open: the writer's per-alert work at 100
// and at 100,000 open incidents, with 1,000 active silences, a topology and three open maintenance windows (none of
// which match the measured alerts, so every alert takes every check and then opens its own incident).
#include <benchmark/benchmark.h>

#include <boost/json/monotonic_resource.hpp>
#include <boost/json/parse.hpp>

#include "domain/correlate/maintenance.h"
#include "engine/engine.h"
#include "null_store.h"

namespace {

const core::Timestamp kNow = core::FromUnixMillis(1'796'000'000'000);  // 2026-11-30

incident::Config Services() {
  incident::ServiceConfig prom;
  prom.name = "prometheus";
  incident::ServiceConfig events;
  events.name = "checkout";
  events.routing_keys = {"checkout-key"};
  return incident::Config({prom, events});
}

correlate::Config Routes() {
  correlate::Config c;
  correlate::Route all;
  all.service = "prometheus";
  all.group_by = {"..."};  // an incident per alert: the open-incident count is what the benchmark varies
  c.routes.push_back(all);
  return c;
}

correlate::TopologyConfig Topology() {
  correlate::TopologyConfig t;
  for (int s = 0; s < 10; ++s) t.segments.push_back({"rack-" + std::to_string(s)});
  for (int h = 0; h < 200; ++h) t.hosts.push_back({"host-" + std::to_string(h), "rack-" + std::to_string(h % 10), {}});
  for (int s = 0; s < 100; ++s) {
    correlate::TopologyConfig::Service svc{"svc-" + std::to_string(s), {"host-" + std::to_string(s)}, {}};
    if (s > 0) svc.depends_on.push_back("svc-" + std::to_string(s - 1));
    t.services.push_back(std::move(svc));
  }
  correlate::TopologyConfig::FailureRule rule;
  rule.name = "host-down";
  rule.matchers.push_back(core::Matcher::Parse("alertname=\"HostDown\"").value());
  rule.node_label = "instance";
  t.failures.push_back(std::move(rule));
  return t;
}

ingest::PostableAlert Alert(uint64_t i) {
  ingest::PostableAlert a;
  a.labels = core::LabelSet::FromUnsorted({{"alertname", "HighLatency"},
                                           {"instance", "web-" + std::to_string(i % 5000) + ":9100"},
                                           {"job", "node"},
                                           {"team", "payments"},
                                           {"shard", std::to_string(i)}});
  a.annotations = core::LabelSet{{"summary", "p99 latency above 2s"}};
  return a;
}

// An engine holding `open` incidents, 1,000 silences and three open windows.
struct Rig {
  bench::NullStore store;
  incident::Config services = Services();
  correlate::Config routes = Routes();
  engine::Engine engine{store, services, routes, [] { return kNow; }, engine::Options{.snapshot_every = 0}};
  uint64_t next = 0;

  // `correlation` false: no topology, silences or windows, the baseline the checks are compared against.
  Rig(size_t open, bool correlation) {
    if (correlation) Correlate();
    while (next < open) Post(std::min<size_t>(1000, open - next));
  }

  void Correlate() {
    engine.ProcessForTest({engine::Command{"system", engine::SaveTopology{Topology()}}});
    std::vector<engine::Command> cmds;
    for (int i = 0; i < 1000; ++i) {
      correlate::PostableSilence s;
      s.matchers.push_back(core::Matcher::Parse("team=\"team-" + std::to_string(i) + "\"").value());
      s.matchers.push_back(core::Matcher::Parse("alertname=~\"Disk.*|Batch" + std::to_string(i) + "\"").value());
      s.starts_at = kNow;
      s.ends_at = kNow + std::chrono::hours(24);
      s.created_by = "bench";
      s.comment = "silence " + std::to_string(i);
      cmds.push_back({"token:bench", engine::PostSilence{s, "silence-" + std::to_string(i)}});
    }
    for (int w = 0; w < 3; ++w) {
      std::string body = R"({"name": "w)" + std::to_string(w) + R"(", "owner": "ops", "start": "2026-11-29T00:00",
          "duration": "3d", "max_length": "3d", "scope": {"services": ["svc-)" + std::to_string(w) + R"("]}})";
      auto window = correlate::ParseWindow(boost::json::parse(body), "window-" + std::to_string(w), "bench");
      cmds.push_back({"token:bench", engine::SaveWindow{std::move(window).value()}});
    }
    engine.ProcessForTest(std::move(cmds));
  }

  void Post(size_t n) {
    engine::PostAlerts post;
    for (size_t k = 0; k < n; ++k) post.alerts.push_back(Alert(next++));
    auto out = engine.ProcessForTest({engine::Command{"token:prometheus", std::move(post)}});
    benchmark::DoNotOptimize(out);
  }
  // Resolves the last `n` alerts posted (an endsAt in the past), so the open count stays where it was.
  void ResolveLast(size_t n) {
    engine::PostAlerts post;
    for (uint64_t i = next - n; i < next; ++i) {
      post.alerts.push_back(Alert(i));
      post.alerts.back().ends_at = kNow - std::chrono::seconds(1);
    }
    auto out = engine.ProcessForTest({engine::Command{"token:prometheus", std::move(post)}});
    benchmark::DoNotOptimize(out);
  }
};

// Alertmanager API: batches of 100 new alerts, each opening an incident, after every check.
void BM_CorrelatedPost(benchmark::State& state) {
  Rig rig(static_cast<size_t>(state.range(0)), state.range(1) != 0);
  for (auto _ : state) {
    rig.Post(100);
    state.PauseTiming();
    rig.ResolveLast(100);
    state.ResumeTiming();
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()) * 100);
  state.counters["open_incidents"] = static_cast<double>(rig.engine.stats().open_incidents.load());
  state.counters["silences"] = static_cast<double>(rig.engine.stats().silences.load());
  state.counters["open_windows"] = static_cast<double>(rig.engine.stats().silences.load() ? 3 : 0);
}
BENCHMARK(BM_CorrelatedPost)
    ->ArgNames({"open", "correlation"})
    ->ArgsProduct({{100, 100'000}, {1, 0}})
    ->Unit(benchmark::kMicrosecond);

// Events v2: one new event per command, 100 commands per batch, with the same topology and windows.
void BM_CorrelatedEvents(benchmark::State& state) {
  Rig rig(static_cast<size_t>(state.range(0)), state.range(1) != 0);
  uint64_t key = 0;
  for (auto _ : state) {
    std::vector<engine::Command> cmds;
    for (int k = 0; k < 100; ++k, ++key) {
      ingest::Event e;
      e.routing_key = "checkout-key";
      e.dedup_key = "event-" + std::to_string(key);
      e.summary = "checkout errors";
      e.source = "web-" + std::to_string(key % 5000);
      cmds.push_back({"token:bench", engine::SubmitEvent{e}});
    }
    auto out = rig.engine.ProcessForTest(std::move(cmds));
    benchmark::DoNotOptimize(out);
    state.PauseTiming();
    std::vector<engine::Command> resolves;
    for (uint64_t k = key - 100; k < key; ++k) {
      ingest::Event e;
      e.routing_key = "checkout-key";
      e.action = ingest::Action::kResolve;
      e.dedup_key = "event-" + std::to_string(k);
      resolves.push_back({"token:bench", engine::SubmitEvent{e}});
    }
    rig.engine.ProcessForTest(std::move(resolves));
    state.ResumeTiming();
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()) * 100);
  state.counters["open_incidents"] = static_cast<double>(rig.engine.stats().open_incidents.load());
}
BENCHMARK(BM_CorrelatedEvents)
    ->ArgNames({"open", "correlation"})
    ->ArgsProduct({{100, 100'000}, {1, 0}})
    ->Unit(benchmark::kMicrosecond);

}  // namespace

BENCHMARK_MAIN();

// The shape `make bench-compare` sends in batch_distinct mode: Prometheus-like alerts (six labels, two annotations,
// startsAt, endsAt an hour on, a generator URL) grouped by alertname and cluster, so every alert joins one of ten
// incidents that keep growing. Nothing is resolved: the held alerts grow with the iterations, from 100k.
// prepared:1 measures the writer's share when the HTTP edge has prepared the alerts (what the server does).
void BM_PrometheusBatch(benchmark::State& state) {
  bench::NullStore store;
  incident::Config services = Services();
  correlate::Config routes;
  correlate::Route by_cluster;
  by_cluster.service = "prometheus";
  by_cluster.group_by = {"alertname", "cluster"};
  routes.routes.push_back(by_cluster);
  engine::Engine engine{store, services, routes, [] { return kNow; }, engine::Options{.snapshot_every = 0}};
  uint64_t next = 0;
  auto batch = [&] {
    engine::PostAlerts post;
    post.alerts.reserve(100);
    for (int k = 0; k < 100; ++k, ++next) {
      ingest::PostableAlert a;
      a.labels = core::LabelSet::FromUnsorted({{"alertname", "BenchLoad"},
                                               {"bench", "load"},
                                               {"cluster", "c" + std::to_string(next % 10)},
                                               {"instance", "host-run-" + std::to_string(next) + ":9100"},
                                               {"job", "node"},
                                               {"severity", "warning"}});
      a.annotations = core::LabelSet::FromUnsorted(
          {{"summary", "bench load alert run-" + std::to_string(next)},
           {"description", "synthetic alert for the peer throughput benchmark"}});
      a.starts_at = kNow;
      a.ends_at = kNow + std::chrono::hours(1);
      a.generator_url = "http://127.0.0.1:29090/graph?g0.expr=vector%281%29+%3E+0&g0.tab=1";
      post.alerts.push_back(std::move(a));
    }
    // As the HTTP edge does: fingerprints, encoded content and details prepared before the writer's turn.
    if (state.range(0) != 0) {
      post.prepared = correlate::Prepare(post.alerts);
      for (size_t i = 0; i < post.alerts.size(); ++i) correlate::PrepareText(post.alerts[i], post.prepared[i]);
    }
    return engine::Command{"token:prometheus", std::move(post)};
  };
  while (next < 100'000) engine.ProcessForTest({batch()});
  for (auto _ : state) {
    state.PauseTiming();
    engine::Command cmd = batch();
    state.ResumeTiming();
    auto out = engine.ProcessForTest({std::move(cmd)});
    benchmark::DoNotOptimize(out);
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()) * 100);
  state.counters["held_alerts"] = static_cast<double>(engine.stats().labelled_alerts.load());
}
BENCHMARK(BM_PrometheusBatch)->ArgName("prepared")->Arg(0)->Arg(1)->Unit(benchmark::kMicrosecond);

// The HTTP edge's share of batch_distinct, per request of 100 alerts: the body parsed (boost::json with a monotonic
// arena, as the server does), read as postable alerts, and prepared for the writer (fingerprints, content, text).
std::string PrometheusBody(uint64_t first) {
  std::string body = "[";
  for (uint64_t i = first; i < first + 100; ++i) {
    if (i != first) body += ',';
    const std::string n = std::to_string(i);
    body += R"({"labels":{"alertname":"BenchLoad","bench":"load","cluster":"c)" + std::to_string(i % 10) +
            R"(","instance":"host-run-)" + n + R"(:9100","job":"node","severity":"warning"},)" +
            R"("annotations":{"summary":"bench load alert run-)" + n +
            R"(","description":"synthetic alert for the peer throughput benchmark"},)" +
            R"("startsAt":"2026-11-30T12:00:00Z","endsAt":"2026-11-30T13:00:00Z",)" +
            R"("generatorURL":"http://127.0.0.1:29090/graph?g0.expr=vector%281%29+%3E+0&g0.tab=1"})";
  }
  return body + "]";
}

void BM_ParsePrometheusBody(benchmark::State& state) {
  const std::string body = PrometheusBody(0);
  for (auto _ : state) {
    boost::json::monotonic_resource arena;
    boost::json::parse_options options;
    options.max_depth = 32;
    boost::system::error_code ec;
    boost::json::value value = boost::json::parse(body, ec, &arena, options);
    auto batch = ingest::ParsePostableAlerts(value);
    if (state.range(0) != 0) {
      auto prepared = correlate::Prepare(batch->alerts);
      for (size_t i = 0; i < batch->alerts.size(); ++i) correlate::PrepareText(batch->alerts[i], prepared[i]);
      benchmark::DoNotOptimize(prepared);
    }
    benchmark::DoNotOptimize(batch);
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()) * 100);
}
BENCHMARK(BM_ParsePrometheusBody)->ArgName("prepared")->Arg(0)->Arg(1)->Unit(benchmark::kMicrosecond);
