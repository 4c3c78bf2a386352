#include "http/metrics.h"

#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>
#include <prometheus/text_serializer.h>

#include "engine/engine.h"

namespace http {

namespace {

const char* ReasonLabel(size_t i) {
  static constexpr const char* kLabels[kRejectReasons] = {
      "invalid",          "too_large", "header_too_large", "unsupported_media_type",
      "unauthenticated",  "denied",    "overloaded",       "unavailable",
      "connection_limit", "timeout",   "slow_consumer"};
  return kLabels[i];
}

const char* OutcomeLabel(size_t i) {
  static constexpr const char* kLabels[kEventOutcomes] = {"accepted",   "dropped",     "invalid",
                                                          "overloaded", "unavailable", "failed"};
  return kLabels[i];
}

}  // namespace

Metrics::Metrics() : registry_(std::make_shared<prometheus::Registry>()) {
  responses_ = &prometheus::BuildCounter()
                    .Name("incidentd_http_requests_total")
                    .Help("HTTP responses sent, by status code")
                    .Register(*registry_);
  auto& rejected = prometheus::BuildCounter()
                       .Name("incidentd_rejected_total")
                       .Help("Requests refused before reaching the engine, by reason")
                       .Register(*registry_);
  for (size_t i = 0; i < kRejectReasons; ++i) rejected_[i] = &rejected.Add({{"reason", ReasonLabel(i)}});
  auto& events = prometheus::BuildCounter()
                     .Name("incidentd_events_received_total")
                     .Help("Events received, by endpoint and outcome")
                     .Register(*registry_);
  for (size_t i = 0; i < kEventOutcomes; ++i) {
    events_[i] = &events.Add({{"endpoint", "/v2/enqueue"}, {"outcome", OutcomeLabel(i)}});
    api_alerts_[i] = &events.Add({{"endpoint", "/api/v2/alerts"}, {"outcome", OutcomeLabel(i)}});
    webhook_alerts_[i] = &events.Add({{"endpoint", "/api/v1/integrations/alertmanager"}, {"outcome", OutcomeLabel(i)}});
  }
  auto& forwarded = prometheus::BuildCounter()
                        .Name("incidentd_forwarded_total")
                        .Help("Requests a follower forwarded to the writer, by outcome (answered: the writer's answer "
                              "was relayed; failed: the writer could not be reached or did not answer)")
                        .Register(*registry_);
  forwarded_[0] = &forwarded.Add({{"outcome", "failed"}});
  forwarded_[1] = &forwarded.Add({{"outcome", "answered"}});
  labelled_alerts_ = &prometheus::BuildGauge()
                          .Name("incidentd_labelled_alerts")
                          .Help("Alerts held from Alertmanager's API and webhooks (firing, silenced or not)")
                          .Register(*registry_)
                          .Add({});
  muted_alerts_ = &prometheus::BuildGauge()
                       .Name("incidentd_silenced_alerts")
                       .Help("Held alerts a silence keeps out of incidents")
                       .Register(*registry_)
                       .Add({});
  silences_ = &prometheus::BuildGauge()
                   .Name("incidentd_silences")
                   .Help("Silences held (pending, active and recently expired)")
                   .Register(*registry_)
                   .Add({});
  queue_depth_ = &prometheus::BuildGauge()
                      .Name("incidentd_queue_depth")
                      .Help("Commands waiting for the engine")
                      .Register(*registry_)
                      .Add({});
  open_incidents_ = &prometheus::BuildGauge()
                         .Name("incidentd_open_incidents")
                         .Help("Incidents not resolved or closed")
                         .Register(*registry_)
                         .Add({});
  open_alerts_ =
      &prometheus::BuildGauge().Name("incidentd_open_alerts").Help("Alerts not resolved").Register(*registry_).Add({});
  journal_records_ = &prometheus::BuildCounter()
                          .Name("incidentd_journal_records_total")
                          .Help("Records in the journal")
                          .Register(*registry_)
                          .Add({});
  quiet_resends_ = &prometheus::BuildCounter()
                        .Name("incidentd_quiet_resends_total")
                        .Help("Alerts posted to /api/v2/alerts that re-sent a durable alert unchanged within a second "
                              "of its last record, answered without the writer")
                        .Register(*registry_)
                        .Add({});
  resend_cache_entries_ = &prometheus::BuildGauge()
                              .Name("incidentd_resend_cache_entries")
                              .Help("Re-sent alerts whose durable state the I/O threads hold to answer quiet re-sends "
                                    "(entries from about the last two seconds of re-sends)")
                              .Register(*registry_)
                              .Add({});
  snapshots_ = &prometheus::BuildCounter()
                    .Name("incidentd_snapshots_total")
                    .Help("State snapshots written since start")
                    .Register(*registry_)
                    .Add({});
  snapshot_bytes_ = &prometheus::BuildGauge()
                         .Name("incidentd_snapshot_bytes")
                         .Help("Size of the latest state snapshot written or loaded at start")
                         .Register(*registry_)
                         .Add({});
  batch_size_ =
      &prometheus::BuildHistogram()
           .Name("incidentd_batch_size")
           .Help("Commands per committed batch")
           .Register(*registry_)
           .Add({}, prometheus::Histogram::BucketBoundaries{1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024, 2048, 4096});
  commit_seconds_ = &prometheus::BuildHistogram()
                         .Name("incidentd_commit_duration_seconds")
                         .Help("Time to commit one batch durably")
                         .Register(*registry_)
                         .Add({}, prometheus::Histogram::BucketBoundaries{0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005,
                                                                          0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5});
}

Metrics::~Metrics() = default;

void Metrics::CountResponse(int status) {
  if (status < 100 || status >= static_cast<int>(by_status_.size())) return;
  auto& slot = by_status_[static_cast<size_t>(status)];
  prometheus::Counter* counter = slot.load(std::memory_order_acquire);
  if (counter == nullptr) {
    // Family::Add is idempotent for equal labels, so two threads racing here get the same counter.
    counter = &responses_->Add({{"code", std::to_string(status)}});
    slot.store(counter, std::memory_order_release);
  }
  counter->Increment();
}

void Metrics::CountRejected(RejectReason reason) { rejected_[static_cast<size_t>(reason)]->Increment(); }

void Metrics::CountEvent(EventOutcome outcome) { events_[static_cast<size_t>(outcome)]->Increment(); }

void Metrics::CountAlerts(bool webhook, EventOutcome outcome, size_t n) {
  if (n == 0) return;
  (webhook ? webhook_alerts_ : api_alerts_)[static_cast<size_t>(outcome)]->Increment(static_cast<double>(n));
}

void Metrics::CountForwarded(bool answered) { forwarded_[answered ? 1 : 0]->Increment(); }

void Metrics::ObserveBatch(size_t batch_size, double commit_seconds) {
  batch_size_->Observe(static_cast<double>(batch_size));
  commit_seconds_->Observe(commit_seconds);
}

std::string Metrics::Render(const engine::Stats& stats) {
  std::lock_guard lock(render_mu_);
  queue_depth_->Set(static_cast<double>(stats.queue_depth.load(std::memory_order_relaxed)));
  open_incidents_->Set(static_cast<double>(stats.open_incidents.load(std::memory_order_relaxed)));
  open_alerts_->Set(static_cast<double>(stats.open_alerts.load(std::memory_order_relaxed)));
  labelled_alerts_->Set(static_cast<double>(stats.labelled_alerts.load(std::memory_order_relaxed)));
  muted_alerts_->Set(static_cast<double>(stats.muted_alerts.load(std::memory_order_relaxed)));
  silences_->Set(static_cast<double>(stats.silences.load(std::memory_order_relaxed)));
  const double records = static_cast<double>(stats.last_seq.load(std::memory_order_relaxed));
  if (records > journal_records_seen_) {
    journal_records_->Increment(records - journal_records_seen_);
    journal_records_seen_ = records;
  }
  const double quiet = static_cast<double>(stats.quiet_resends.load(std::memory_order_relaxed));
  if (quiet > quiet_resends_seen_) {
    quiet_resends_->Increment(quiet - quiet_resends_seen_);
    quiet_resends_seen_ = quiet;
  }
  resend_cache_entries_->Set(static_cast<double>(stats.resend_cache_entries.load(std::memory_order_relaxed)));
  const double snapshots = static_cast<double>(stats.snapshots.load(std::memory_order_relaxed));
  if (snapshots > snapshots_seen_) {
    snapshots_->Increment(snapshots - snapshots_seen_);
    snapshots_seen_ = snapshots;
  }
  snapshot_bytes_->Set(static_cast<double>(stats.snapshot_bytes.load(std::memory_order_relaxed)));
  prometheus::TextSerializer serializer;
  return serializer.Serialize(registry_->Collect());
}

}  // namespace http
