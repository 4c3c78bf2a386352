// The server's Prometheus metrics (names as in docs/api.md): counters the HTTP edge updates, gauges read from the
// engine's Stats at scrape time, and the batch histograms fed through ObserveBatch.
#pragma once

#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>

namespace prometheus {
class Counter;
class Gauge;
class Histogram;
class Registry;
template <typename T>
class Family;
}  // namespace prometheus

namespace engine {
struct Stats;
}

namespace http {

// Why a request was refused before reaching the engine (the `reason` label of incidentd_rejected_total).
enum class RejectReason {
  kInvalid,
  kTooLarge,
  kHeaderTooLarge,
  kUnsupportedMediaType,
  kUnauthenticated,
  kDenied,
  kOverloaded,
  kUnavailable,
  kConnectionLimit,
  kTimeout,
  kSlowConsumer,
};
inline constexpr size_t kRejectReasons = 11;

// Outcome label of incidentd_events_received_total.
enum class EventOutcome { kAccepted, kDropped, kInvalid, kOverloaded, kUnavailable, kFailed };
inline constexpr size_t kEventOutcomes = 6;

// Thread-safe: every method may be called from any thread.
class Metrics {
 public:
  Metrics();
  ~Metrics();
  Metrics(const Metrics&) = delete;
  Metrics& operator=(const Metrics&) = delete;

  // One HTTP response with this status.
  void CountResponse(int status);
  void CountRejected(RejectReason reason);
  // One event received on POST /v2/enqueue.
  void CountEvent(EventOutcome outcome);
  // Alerts received through Alertmanager's API (`webhook` false) or its webhook receiver, `n` at a time.
  void CountAlerts(bool webhook, EventOutcome outcome, size_t n);
  // One request a follower forwarded to the writer: `answered` when the writer's answer was relayed (whatever its
  // status), false when the follower answered 502/503 itself.
  void CountForwarded(bool answered);
  // One committed batch: its size and how long its commit took. Hook to engine::Stats::on_batch.
  void ObserveBatch(size_t batch_size, double commit_seconds);

  // The Prometheus text exposition, with gauges refreshed from `stats` first.
  std::string Render(const engine::Stats& stats);

 private:
  std::shared_ptr<prometheus::Registry> registry_;
  prometheus::Family<prometheus::Counter>* responses_;
  std::array<std::atomic<prometheus::Counter*>, 600> by_status_{};
  std::array<prometheus::Counter*, kRejectReasons> rejected_{};
  std::array<prometheus::Counter*, kEventOutcomes> events_{};
  std::array<prometheus::Counter*, kEventOutcomes> api_alerts_{};
  std::array<prometheus::Counter*, kEventOutcomes> webhook_alerts_{};
  std::array<prometheus::Counter*, 2> forwarded_{};  // failed, answered
  prometheus::Gauge* labelled_alerts_;
  prometheus::Gauge* muted_alerts_;
  prometheus::Gauge* silences_;
  prometheus::Gauge* queue_depth_;
  prometheus::Gauge* open_incidents_;
  prometheus::Gauge* open_alerts_;
  prometheus::Counter* journal_records_;
  prometheus::Counter* snapshots_;
  prometheus::Counter* quiet_resends_;
  prometheus::Gauge* resend_cache_entries_;
  prometheus::Gauge* snapshot_bytes_;
  prometheus::Histogram* batch_size_;
  prometheus::Histogram* commit_seconds_;
  double snapshots_seen_ = 0;
  double quiet_resends_seen_ = 0;
  std::mutex render_mu_;  // serialises scrapes (journal_records_ is advanced by deltas)
  double journal_records_seen_ = 0;
};

}  // namespace http
