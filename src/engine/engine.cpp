#include "engine/engine.h"

#include <fcntl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>

#include <algorithm>
#include <chrono>
#include <unordered_map>

#include "core/thread_name.h"
#include "domain/correlate/correlation.h"
#include "domain/correlate/pipeline.h"
#include "domain/correlate/records.h"
#include "domain/classify/pipeline.h"
#include "domain/escalation/paging.h"
#include "domain/incident/lifecycle.h"
#include "domain/incident/records.h"
#include "engine/journal_tools.h"

namespace engine {
namespace {

// Fills `r` in place: a row the batch already holds keeps its strings' buffers (an Alertmanager batch changes the
// same few incidents once per alert).
void FillRow(IncidentRow& r, const incident::Incident& inc) {
  r.id = inc.id;
  r.service = inc.service;
  r.group_key = inc.group_key;
  r.title = inc.title;
  r.severity = ingest::ToString(inc.severity);
  r.state = incident::ToString(inc.state);
  r.opened_at = inc.opened_at;
  r.acknowledged_at = inc.acknowledged_at;
  r.resolved_at = inc.resolved_at;
  r.closed_at = inc.closed_at;
  r.alert_count = inc.alert_count;
  r.open_alert_count = static_cast<uint32_t>(inc.open_alerts.size());
  r.last_seq = inc.last_seq;
  r.last_actor = inc.last_actor;
  r.merged_into = inc.merged_into;
  r.notifications = inc.notified;
  r.notify_due = inc.notify_due;
  r.category = inc.category;
  r.subcategory = inc.subcategory;
  r.category_rule = inc.category_rule;
}

AlertRow ToRow(const incident::Alert& a, const incident::AlertText* text) {
  AlertRow r;
  r.id = a.id;
  r.service = a.service;
  r.dedup_key = a.dedup_key;
  r.incident_id = a.incident_id;
  r.status = incident::ToString(a.status);
  r.text = text != nullptr;
  if (text != nullptr) {
    r.summary = text->summary;
    r.source = text->source;
    r.details_json = text->details_json;
  }
  r.severity = ingest::ToString(a.severity);
  r.created_at = a.created_at;
  r.updated_at = a.updated_at;
  r.event_count = a.event_count;
  return r;
}

std::string Summarize(const correlate::PostSummary& s) {
  return std::to_string(s.received) + " received: " + std::to_string(s.opened) + " opened, " +
         std::to_string(s.muted) + " silenced, " + std::to_string(s.updated) + " updated, " +
         std::to_string(s.resolved) + " resolved, " + std::to_string(s.ignored) + " ignored";
}

}  // namespace

// One writer batch: links each decided payload into the chain, applies it, and gathers what the store and the
// subscribers need. Implements the domain's Emitter (decisions out) and Observer (changes in).
class Engine::Batch final : public pools::Emitter, public incident::Observer {
 public:
  Batch(Engine& engine, core::Timestamp now, bool want_published, bool want_summaries)
      : engine_(engine),
        now_(now),
        want_published_(want_published),
        want_summaries_(want_summaries),
        classifies_(engine.classify_config_.load()->major.has_value()),
        coordinates_(engine.coord_config_->channel.has_value() || !engine.coord_config_->vendors.empty()),
        pools_(!engine.pools_config_->pools.empty()) {}

  void set_actor(const std::string& actor) { actor_ = &actor; }

  // Room for about `alerts` new alerts, each a record and an alert row: growing the rows moved each one already
  // there. Capped: a batch of many large requests of tiny alerts must not reserve more than it can use (past the
  // cap the vectors grow as before).
  void Reserve(size_t alerts) {
    constexpr size_t kMaxReserved = 16384;
    alerts = std::min(alerts, kMaxReserved);
    records_.reserve(alerts + alerts / 64 + 8);
    projection_.alerts.reserve(alerts);
    alert_index_.reserve(alerts);
  }

  uint64_t Emit(const incident::Payload& payload) override { return Emit(incident::Payload(payload)); }
  // Applies the payload it encoded rather than decoding the bytes again: the decode was 6% of the writer with
  // Alertmanager batches. The bytes and the payload agree by construction (a replay decodes the same bytes).
  uint64_t Emit(incident::Payload&& payload) override {
    const auto type = incident::TypeOf(payload);
    std::string bytes = incident::EncodePayload(payload);
    return Link(static_cast<uint16_t>(type), incident::PayloadVersion(type), std::move(bytes), &payload, nullptr);
  }
  uint64_t Emit(const correlate::Payload& payload) override { return Emit(correlate::Payload(payload)); }
  uint64_t Emit(correlate::Payload&& payload) override {
    std::string bytes = correlate::EncodePayload(payload);
    return Link(static_cast<uint16_t>(correlate::TypeOf(payload)), correlate::kPayloadVersion, std::move(bytes),
                nullptr, &payload);
  }
  uint64_t Emit(const classify::Payload& payload) override {
    return Link(static_cast<uint16_t>(classify::TypeOf(payload)), classify::kPayloadVersion,
                classify::EncodePayload(payload));
  }
  uint64_t Emit(const coord::Payload& payload) override {
    return Link(static_cast<uint16_t>(coord::TypeOf(payload)), coord::kPayloadVersion, coord::EncodePayload(payload));
  }
  uint64_t Emit(const pools::Payload& payload) override {
    return Link(static_cast<uint16_t>(pools::TypeOf(payload)), pools::kPayloadVersion, pools::EncodePayload(payload));
  }
  uint64_t Emit(const escalation::Payload& payload) override {
    return Link(static_cast<uint16_t>(escalation::TypeOf(payload)), escalation::kPayloadVersion,
                escalation::EncodePayload(payload));
  }

  // Paging reacts to the incident records decided so far (first notification → escalation, acknowledgement →
  // stop, ...), in order, including to the ones its own reactions cause.
  void React(const escalation::View& view, const classify::View& classification, const coord::View& coordination,
             const pools::View& pooling) {
    for (size_t i = 0; i < reactions_.size(); ++i) {
      incident::Payload p = std::move(reactions_[i]);
      escalation::React(view, p, *this);
      if (classifies_) classify::React(classification, view, p, *this);
      if (coordinates_) coord::React(coordination, p, *this);
      if (pools_) pools::React(pooling, p, *this);
    }
    reactions_.clear();
  }

  // Links the record, then applies it: from `incident_payload` or `alert_payload` (moved from) when the caller
  // has the payload decoded, from the bytes otherwise.
  uint64_t Link(uint16_t type, uint16_t version, std::string payload, incident::Payload* incident_payload = nullptr,
                correlate::Payload* alert_payload = nullptr) {
    journal::Record r;
    r.time = now_;
    r.actor = *actor_;
    r.type = type;
    r.version = version;
    r.payload = std::move(payload);
    std::string bytes = engine_.chain_.Link(r);
    current_ = &r;
    current_incident_ = 0;
    current_text_.clear();
    if (!unsettling_ && !LeavesResendsAlone(r.type, alert_payload)) unsettling_ = true;
    const bool reacts = Reacts(r.type) || (classifies_ && Classifies(r.type)) ||
                        (coordinates_ && r.type == static_cast<uint16_t>(incident::RecordType::kIncidentOpened));
    if (reacts && incident_payload != nullptr) reactions_.push_back(*incident_payload);
    core::Status st = incident_payload != nullptr ? ApplyRecord(engine_.state_, r, std::move(*incident_payload), this)
                      : alert_payload != nullptr  ? ApplyRecord(engine_.state_, r, std::move(*alert_payload))
                                                  : ApplyRecord(engine_.state_, r, this);
    // A decision that cannot be applied is a bug in the domain module, not bad input.
    INCIDENTD_CHECK(st.ok());
    if (reacts && incident_payload == nullptr) {
      auto decoded = incident::DecodePayload(r.type, r.version, r.payload);
      INCIDENTD_CHECK(decoded.ok());
      reactions_.push_back(std::move(decoded).value());
    }
    if (want_summaries_) {
      published_.push_back(PublishedFor(r, current_incident_, std::move(current_text_)));
    } else if (want_published_) {
      published_.push_back(Published{r.seq, r.time, r.actor, RecordTypeName(r.type), current_incident_, {}});
    }
    records_.push_back(StoredRecord{r.seq, r.type, r.time, std::move(bytes), r.hash});
    current_ = nullptr;
    return r.seq;
  }

  core::Timestamp now() const override { return now_; }

  void AlertChanged(const incident::Alert& alert, const incident::AlertText* text) override {
    auto [it, fresh] = alert_index_.try_emplace(alert.id, projection_.alerts.size());
    if (fresh) {
      projection_.alerts.push_back(ToRow(alert, text));
      return;
    }
    // One row per alert and batch: a later change keeps the text an earlier one of the batch brought.
    AlertRow& row = projection_.alerts[it->second];
    AlertRow next = ToRow(alert, text);
    if (row.text) {
      if (!next.text) {
        next.summary = std::move(row.summary);
        next.text = true;
      }
      if (next.source.empty()) next.source = std::move(row.source);
      if (next.details_json.empty()) next.details_json = std::move(row.details_json);
    }
    next.explanation = std::move(row.explanation);
    next.suppressed_by = std::move(row.suppressed_by);
    row = std::move(next);
  }

  void AlertExplained(const incident::Alert& alert, std::string explanation, std::string_view window) override {
    // AlertChanged came first for this alert, so its row is in the batch.
    auto it = alert_index_.find(alert.id);
    if (it == alert_index_.end()) return;
    AlertRow& row = projection_.alerts[it->second];
    row.explanation = std::move(explanation);
    if (!window.empty()) row.suppressed_by = window;
  }

  void IncidentChanged(const incident::Incident& inc) override {
    auto [it, fresh] = incident_index_.try_emplace(inc.id, projection_.incidents.size());
    if (fresh) projection_.incidents.emplace_back();
    IncidentRow& row = projection_.incidents[it->second];
    FillRow(row, inc);
    if (auto major = engine_.state_.classify.majors.find(inc.id); major != engine_.state_.classify.majors.end()) {
      row.major_reason = major->second;
    } else {
      row.major_reason.clear();
    }
  }

  void TimelineEntry(uint64_t incident_id, std::string_view kind, std::string text) override {
    if (want_published_ && current_incident_ == 0) {
      current_incident_ = incident_id;
      if (want_summaries_) current_text_ = text;
    }
    projection_.timeline.push_back(
        TimelineRow{incident_id, current_->seq, current_->time, current_->actor, std::string(kind), std::move(text)});
  }

  std::vector<StoredRecord>& records() { return records_; }
  Projection& projection() { return projection_; }
  // Whether a record of this batch may have changed, for some held alert it does not name, whether a re-send of
  // it is quiet (see ResendCache::Invalidate).
  bool unsettling() const { return unsettling_; }
  std::vector<Published>& published() { return published_; }

 private:
  Engine& engine_;
  core::Timestamp now_;
  bool want_published_;
  bool want_summaries_;  // some subscriber reads Published::summary
  bool classifies_;
  const bool coordinates_;  // a channel template is configured: new incidents get a channel
  const bool pools_;        // pools are configured: resolved incidents release theirs
  const std::string* actor_ = nullptr;
  const journal::Record* current_ = nullptr;
  uint64_t current_incident_ = 0;
  std::string current_text_;
  std::vector<StoredRecord> records_;
  Projection projection_;
  std::vector<Published> published_;
  std::unordered_map<uint64_t, size_t> alert_index_;
  std::unordered_map<uint64_t, size_t> incident_index_;
  std::vector<incident::Payload> reactions_;
  bool unsettling_ = false;

  // Records that change no held API alert except those the request that caused them re-sent (which the writer
  // looks at again after the batch): alert changes from Alertmanager's API, and a new alert opening or joining an
  // incident. Anything else (a person resolving an incident, a silence, a timer, a merge) may change whether a
  // re-send is quiet without naming the alert.
  static bool LeavesResendsAlone(uint16_t type, const correlate::Payload* alert_payload) {
    if (type == static_cast<uint16_t>(correlate::RecordType::kAlertsChanged)) {
      const auto* changed = alert_payload != nullptr ? std::get_if<correlate::AlertsChanged>(alert_payload) : nullptr;
      return changed != nullptr && changed->cause == correlate::Cause::kApi;
    }
    using T = incident::RecordType;
    switch (static_cast<T>(type)) {
      case T::kIncidentOpened:
      case T::kAlertTriggered:
      case T::kNotificationRequested:
        return true;
      default:
        return false;
    }
  }

  // Major-incident criteria read these (only when configured: alert.triggered is the hot path).
  static bool Classifies(uint16_t type) {
    using T = incident::RecordType;
    switch (static_cast<T>(type)) {
      case T::kIncidentOpened:
      case T::kAlertTriggered:
      case T::kSeverityRaised:
      case T::kIncidentReclassified:
      case T::kAlertLinked:
        return true;
      default:
        return false;
    }
  }

  static bool Reacts(uint16_t type) {
    using T = incident::RecordType;
    switch (static_cast<T>(type)) {
      case T::kNotificationRequested:
      case T::kIncidentAcknowledged:
      case T::kIncidentUnacknowledged:
      case T::kIncidentResolved:
      case T::kIncidentMerged:
        return true;
      default:
        return false;
    }
  }
};

namespace {
const correlate::Config& NoAlertRoutes() {
  static const correlate::Config config;
  return config;
}
const escalation::Config& NoPaging() {
  static const escalation::Config config;
  return config;
}
const classify::Config& NoClassify() {
  static const classify::Config config;
  return config;
}
const coord::Config& NoCoord() {
  static const coord::Config config;
  return config;
}
const pools::Config& NoPools() {
  static const pools::Config config;
  return config;
}
}  // namespace

Engine::Engine(Store& store, const incident::Config& config, Clock clock, Options options)
    : Engine(store, config, NoAlertRoutes(), std::move(clock), options) {}

Engine::Engine(Store& store, const incident::Config& config, const correlate::Config& alert_config, Clock clock,
               Options options)
    : store_(store),
      config_(config),
      alert_config_(alert_config),
      paging_config_(&NoPaging()),
      classify_config_(&NoClassify()),
      coord_config_(&NoCoord()),
      pools_config_(&NoPools()),
      clock_(std::move(clock)),
      options_(options) {}

Engine::~Engine() { Stop(); }

core::Status Engine::Recover() {
  auto snapshot = store_.LatestSnapshot();
  if (!snapshot.ok()) return snapshot.error().WithContext("load snapshot");
  uint64_t from = 0;
  if (snapshot->has_value()) {
    const Snapshot& snap = **snapshot;
    auto decoded = DecodeState(snap.state);
    if (!decoded.ok()) return decoded.error().WithContext("snapshot at record " + std::to_string(snap.seq));
    state_ = std::move(decoded).value();
    from = snap.seq;
    last_snapshot_seq_ = snap.seq;
    stats_.snapshot_bytes = snap.state.size();
    last_time_ = snap.taken_at;
    last_snapshot_at_ = snap.taken_at;
  }
  if (auto head = store_.Head(); head.ok() && head->seq > from) ReserveFor(state_, head->seq - from);
  // By default the whole chain is verified on every start, not just the tail after the snapshot: a journal that
  // was altered anywhere must stop the server rather than be served.
  const bool has_snapshot = snapshot->has_value();
  const uint64_t scan_after = options_.verify_full_chain || from == 0 ? 0 : from - 1;
  std::optional<journal::Verifier> verifier;
  if (scan_after == 0) verifier.emplace();
  bool snapshot_matched = !has_snapshot;
  core::Status st = store_.ScanJournal(scan_after, [&](const StoredRecord& stored) -> core::Status {
    if (!verifier) {
      // Tail-only verification starts at the snapshot's own record, trusting its link to the one before.
      auto first = journal::Decode(stored.bytes);
      if (!first.ok()) return first.error().WithContext("record " + std::to_string(stored.seq));
      verifier.emplace(scan_after, first->prev);
    }
    auto rec = verifier->Next(stored.bytes, stored.hash);
    if (!rec.ok()) return rec.error();
    if (has_snapshot && rec->seq == from) {
      if (rec->hash != (**snapshot).hash) {
        return core::Corrupt("snapshot at record " + std::to_string(from) + " does not match the journal's hash");
      }
      snapshot_matched = true;
    }
    if (rec->seq > from) {
      if (auto applied = ApplyRecord(state_, rec.value(), nullptr); !applied.ok()) {
        return applied.error().WithContext("apply record " + std::to_string(rec->seq));
      }
      last_time_ = rec->time;
    }
    return core::Ok();
  });
  if (!st.ok()) return st.error().WithContext("journal");
  if (!snapshot_matched) {
    return core::Corrupt("journal: the snapshot is at record " + std::to_string(from) +
                         ", which the journal does not hold");
  }
  if (verifier) {
    chain_ = journal::Chain(verifier->last_seq(), verifier->last_hash());
  }
  stats_.last_seq = chain_.last_seq();
  stats_.records = chain_.last_seq();
  appended_seq_ = chain_.last_seq();  // no other thread runs yet
  UpdateStateStats();
  return core::Ok();
}

void Engine::UpdateStateStats() {
  stats_.open_incidents = state_.incidents.open_incident_count();
  stats_.open_alerts = state_.incidents.alerts.size();
  stats_.labelled_alerts = state_.alerts.alerts.size();
  stats_.muted_alerts = state_.alerts.mutes.size();
  stats_.silences = state_.alerts.silences.size();
}

void Engine::Start() {
  running_ = true;
  syncer_ = std::thread([this] {
    core::NameThisThread("syncer");
    RunSyncer();
  });
  snapshotter_ = std::thread([this] {
    core::NameThisThread("snapshotter");
    core::MakeThisThreadBackground();
    RunSnapshotter();
  });
  writer_ = std::thread([this] {
    core::NameThisThread("writer");
    Run();
  });
}

void Engine::Stop() {
  {
    std::lock_guard lock(mu_);
    if (stopping_ && !writer_.joinable()) return;
    stopping_ = true;
  }
  cv_.notify_all();
  if (writer_.joinable()) writer_.join();
  {
    std::lock_guard lock(snapshot_mu_);
    snapshotter_done_ = true;
  }
  snapshot_cv_.notify_all();
  if (snapshotter_.joinable()) snapshotter_.join();
  {
    std::lock_guard lock(sync_mu_);
    writer_done_ = true;
  }
  sync_cv_.notify_all();
  if (syncer_.joinable()) syncer_.join();
  if (follower_.joinable()) follower_.join();
  running_ = false;
}

void Engine::RunSyncer() {
  for (;;) {
    std::deque<Committed> batch;
    {
      std::unique_lock lock(sync_mu_);
      sync_cv_.wait(lock, [&] { return !unsynced_.empty() || writer_done_; });
      if (unsynced_.empty()) return;
      batch.swap(unsynced_);
      syncer_busy_ = true;
    }
    sync_taken_cv_.notify_one();
    AppendAndSync(batch);
    {
      std::lock_guard lock(sync_mu_);
      syncer_busy_ = false;
    }
  }
}

void Engine::AppendAndSync(std::deque<Committed>& batch) {
  // The writer decides and applies; appending to the store happens here, so the writer's next batch overlaps this
  // one's SQLite work as well as its fsync. Batches come in order; one sync covers all of them.
  core::Status st = failed_ ? core::Status(core::Unavailable("the engine stopped after a storage failure"))
                            : core::Ok();
  bool wrote = false;
  uint64_t appended = 0;
  for (auto& c : batch) {
    if (!st.ok() || !c.wrote) continue;
    st = store_.Append(c.records, c.projection);
    if (!st.ok()) {
      st = st.error().WithContext("append to the journal");
      break;
    }
    wrote = true;
    appended = c.records.back().seq;
    c.records.clear();
    c.projection = Projection{};
  }
  if (st.ok() && wrote) {
    st = store_.Sync();
    if (!st.ok()) st = st.error().WithContext("sync the journal");
  }
  if (!st.ok()) {
    Fail(st.error());
    cv_.notify_all();
    appended_cv_.notify_all();
    for (auto& c : batch) {
      for (auto& done : c.done) {
        if (done) {
          done(Outcome{core::Unavailable("the event could not be made durable: " + st.error().message), {}, 0, false,
                       {}, 0, {}});
        }
      }
    }
    return;
  }
  if (appended != 0) {
    {
      std::lock_guard lock(sync_mu_);
      appended_seq_ = appended;
    }
    appended_cv_.notify_all();
  }
  for (auto& c : batch) Deliver(c);
}

void Engine::Deliver(Committed& c) {
  if (stats_.on_batch && c.wrote) {
    double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - c.started).count();
    stats_.on_batch(c.commands, seconds);
  }
  // Durable now: what it says about re-sent alerts may answer re-sends; then answer the callers, then tell the
  // live subscribers.
  resend_.Put(c.resent, core::ToUnixMillis(c.decided_at));
  stats_.resend_cache_entries.store(resend_.size(), std::memory_order_relaxed);
  for (size_t i = 0; i < c.done.size(); ++i) {
    if (c.done[i]) c.done[i](std::move(c.outcomes[i]));
  }
  if (!c.published.empty()) {
    std::lock_guard lock(sub_mu_);
    for (auto& [id, sub] : subscribers_) sub(c.published);
  }
}

std::string Engine::fatal_error() const {
  std::lock_guard lock(fatal_mu_);
  return fatal_error_;
}

void Engine::Fail(const core::Error& error) {
  {
    std::lock_guard lock(fatal_mu_);
    fatal_error_ = error.message;
  }
  failed_ = true;
}

core::Status Engine::Submit(Command command, std::function<void(Outcome)> done) {
  core::Status st = SubmitQuietly(std::move(command), std::move(done));
  if (st.ok()) cv_.notify_one();
  return st;
}

void Engine::WakeWriter() { cv_.notify_one(); }

bool Engine::AnswersQuietly(PostAlerts& post) {
  if (post.alerts.empty() || !resend_.maybe_any() || !running()) return false;
  if (post.prepared.size() != post.alerts.size()) post.prepared = correlate::Prepare(post.alerts);
  if (!resend_.AllQuiet(post.alerts, post.prepared, clock_(), alert_config_.resolve_timeout)) return false;
  stats_.quiet_resends.fetch_add(post.alerts.size(), std::memory_order_relaxed);
  return true;
}

core::Status Engine::SubmitQuietly(Command command, std::function<void(Outcome)> done) {
  {
    std::lock_guard lock(mu_);
    if (following_) {
      return core::Unavailable("this node is a follower: it folds the journal the writer appends; the writer takes "
                               "commands");
    }
    if (stopping_ || failed_) return core::Unavailable("the engine is not accepting commands");
    if (queue_.size() >= options_.queue_capacity) {
      ++stats_.rejected_overload;
      return core::Error{core::ErrorCode::kOverloaded, "the command queue is full; retry shortly", {}};
    }
    queue_.push_back(Pending{std::move(command), std::move(done)});
    stats_.queue_depth = queue_.size();
  }
  return core::Ok();
}

uint64_t Engine::Subscribe(Subscriber subscriber, bool summaries) {
  std::lock_guard lock(sub_mu_);
  uint64_t id = next_sub_++;
  subscribers_.emplace_back(id, std::move(subscriber));
  if (summaries) summary_subscribers_.push_back(id);
  return id;
}

void Engine::Unsubscribe(uint64_t id) {
  std::lock_guard lock(sub_mu_);
  std::erase_if(subscribers_, [id](const auto& s) { return s.first == id; });
  std::erase(summary_subscribers_, id);
}

void Engine::Run() {
  std::vector<Pending> batch;
  batch.reserve(options_.max_batch);
  auto next_tick = std::chrono::steady_clock::now();
  for (;;) {
    bool stop = false;
    {
      // Group commit: while a committed batch still waits for the next sync, commands keep queueing instead of
      // going into another small transaction; the sync covers both either way, and one bigger transaction writes
      // far fewer WAL pages per event than several small ones.
      std::unique_lock lock(sync_mu_);
      sync_taken_cv_.wait_for(lock, std::chrono::milliseconds(100), [&] { return unsynced_.empty(); });
    }
    {
      std::unique_lock lock(mu_);
      cv_.wait_until(lock, next_tick, [&] { return !queue_.empty() || stopping_; });
      while (!queue_.empty() && batch.size() < options_.max_batch) {
        batch.push_back(std::move(queue_.front()));
        queue_.pop_front();
      }
      stats_.queue_depth = queue_.size();
      stop = stopping_ && queue_.empty();
    }
    if (std::chrono::steady_clock::now() >= next_tick) {
      batch.push_back(Pending{Command{"timer", Tick{}}, nullptr});
      next_tick = std::chrono::steady_clock::now() + options_.tick_interval;
    }
    if (!batch.empty()) {
      ProcessBatch(batch);
      batch.clear();
      // Timers left over by a capped tick fire in the next tick, soon, between the batches of commands.
      if (timers_left_) {
        timers_left_ = false;
        next_tick = std::min(next_tick, std::chrono::steady_clock::now() + kTimerCatchUp);
      }
    }
    if (failed_) {
      // Answer whatever is still queued; nothing more will be written.
      std::deque<Pending> rest;
      {
        std::lock_guard lock(mu_);
        rest.swap(queue_);
        stopping_ = true;
      }
      for (auto& p : rest) {
        if (p.done) p.done(Outcome{core::Unavailable("the engine stopped after a storage failure"), {}, 0, false, {}, 0, {}});
      }
      return;
    }
    if (stop) break;
  }
  // The shutdown snapshot makes the next start quick; the snapshotter writes it after syncing the journal.
  if (chain_.last_seq() > last_snapshot_seq_) HandOffSnapshot();
}

void Engine::ProcessBatch(std::vector<Pending>& pending) {
  core::Timestamp now = clock_();
  if (now < last_time_) now = last_time_;
  last_time_ = now;
  bool want_published;
  bool want_summaries;
  {
    std::lock_guard lock(sub_mu_);
    want_published = !subscribers_.empty();
    want_summaries = !summary_subscribers_.empty();
  }
  Batch batch(*this, now, want_published, want_summaries);
  size_t posted = 0;
  for (const Pending& p : pending) {
    if (const auto* post = std::get_if<PostAlerts>(&p.command.body)) posted += post->alerts.size();
  }
  if (posted > 0) batch.Reserve(posted);
  std::vector<Outcome> outcomes(pending.size());
  std::vector<uint64_t> resent;  // API alerts re-sent in this batch: their re-send cache entries are redone
  correlate::Correlation correlation(state_.alerts);
  // Without a topology or an open maintenance window it answers active() false and callers skip the work.
  const incident::Correlator* correlator = &correlation;
  const correlate::View view{state_.alerts, state_.incidents, alert_config_, config_, correlator};
  const escalation::View paging{state_.paging, state_.incidents, *paging_config_.load(), config_,
                                &state_.coord.channel_lines};
  const classify::Config& classify_config = *classify_config_.load();
  const classify::View classification{state_.classify, state_.incidents, classify_config, config_};
  const coord::View coordination{state_.coord, *coord_config_, classification, paging};
  const pools::View pooling{state_.pools, *pools_config_, classification};
  bool reloaded = false;
  std::unique_lock turn(turnstile_);
  std::unique_lock state_lock(state_mu_);
  turn.unlock();
  for (size_t i = 0; i < pending.size(); ++i) {
    Command& cmd = pending[i].command;
    batch.set_actor(cmd.actor);
    size_t before = batch.records().size();
    Outcome& out = outcomes[i];
    std::visit(
        [&](auto& body) {
          using T = std::decay_t<decltype(body)>;
          if constexpr (std::is_same_v<T, SubmitEvent>) {
            out.dedup_key = body.event.dedup_key;
            auto r = incident::HandleEvent(state_.incidents, config_, body.event, batch, correlator);
            if (r.ok()) {
              out.incident_id = r->incident_id;
              out.dropped = r->dropped;
              out.message = r->message;
              if (!state_.paging.runs.empty()) {
                escalation::LinkDrillEvent(paging, body.event.dedup_key, r->incident_id, batch);
              }
            } else {
              out.status = r.error();
            }
          } else if constexpr (std::is_same_v<T, AcknowledgeIncident>) {
            out.incident_id = body.incident_id;
            out.status = incident::Acknowledge(state_.incidents, config_, body.incident_id, batch);
          } else if constexpr (std::is_same_v<T, ResolveIncident>) {
            out.incident_id = body.incident_id;
            out.status = incident::Resolve(state_.incidents, config_, body.incident_id, body.note, batch);
          } else if constexpr (std::is_same_v<T, AddNote>) {
            out.incident_id = body.incident_id;
            out.status = incident::AddNote(state_.incidents, body.incident_id, body.text, batch);
          } else if constexpr (std::is_same_v<T, PostAlerts>) {
            // Alerts carrying an SLI sample (labels slo and sli_service, annotations sli_good/sli_total or
            // sli_ratio) are consumed as samples of that SLO, like POST /api/v1/sli, not held as alerts.
            size_t samples = 0;
            const bool prepared = body.prepared.size() == body.alerts.size();
            if (!classify_config.slos.empty()) {
              size_t kept = 0;
              for (size_t j = 0; j < body.alerts.size(); ++j) {
                const ingest::PostableAlert& a = body.alerts[j];
                auto sli = classify::SliFromAlert(classify_config, a.labels, a.annotations, core::ToUnixMillis(now));
                if (sli) {
                  if (classify::RecordSli(classification, sli->service, sli->slo, {sli->sample}, batch).ok()) ++samples;
                  continue;
                }
                if (kept != j) {
                  body.alerts[kept] = std::move(body.alerts[j]);
                  if (prepared) body.prepared[kept] = std::move(body.prepared[j]);
                }
                ++kept;
              }
              body.alerts.resize(kept);
              if (prepared) body.prepared.resize(kept);
            }
            auto r = body.alerts.empty() && samples > 0
                         ? core::Result<correlate::PostSummary>(correlate::PostSummary{})
                         : correlate::PostAlerts(view, body.alerts, batch, prepared ? &body.prepared : nullptr);
            if (r.ok()) {
              out.message = Summarize(r.value());
              if (samples > 0) out.message += ", " + std::to_string(samples) + " SLI samples";
              resent.insert(resent.end(), r->resent.begin(), r->resent.end());
            } else {
              out.status = r.error();
            }
          } else if constexpr (std::is_same_v<T, ReceiveWebhook>) {
            auto r = correlate::ReceiveWebhook(view, body.service, body.payload, batch);
            if (r.ok()) {
              out.message = Summarize(r.value());
            } else {
              out.status = r.error();
            }
          } else if constexpr (std::is_same_v<T, PostSilence>) {
            auto r = correlate::PostSilence(view, body.silence, std::move(body.new_id), batch);
            if (r.ok()) {
              out.silence_id = std::move(r).value();
            } else {
              out.status = r.error();
            }
          } else if constexpr (std::is_same_v<T, ExpireSilence>) {
            out.status = correlate::ExpireSilence(view, body.id, batch);
          } else if constexpr (std::is_same_v<T, SaveTopology>) {
            auto r = correlate::SaveTopology(view, std::move(body.topology), batch);
            if (r.ok()) {
              out.message = r.value() ? "topology saved" : "topology unchanged";
            } else {
              out.status = r.error();
            }
          } else if constexpr (std::is_same_v<T, SaveWindow>) {
            out.message = body.window.id;
            out.status = correlate::SaveWindow(view, std::move(body.window), batch);
          } else if constexpr (std::is_same_v<T, ExtendWindow>) {
            out.status = correlate::ExtendWindow(view, body.id, body.until, batch);
          } else if constexpr (std::is_same_v<T, EndWindow>) {
            out.status = correlate::EndWindow(view, body.id, body.cancel, batch);
          } else if constexpr (std::is_same_v<T, ReportCoverage>) {
            out.status = incident::ReportCoverage(state_.incidents, config_, body.schedule, body.service, body.gap,
                                                  body.gap_start, body.gap_end, batch);
          } else if constexpr (std::is_same_v<T, RecordDelivery>) {
            out.status = escalation::RecordAttempt(paging, body.report, batch);
          } else if constexpr (std::is_same_v<T, ReassignIncident>) {
            out.incident_id = body.incident_id;
            out.status = escalation::Reassign(paging, body.incident_id, body.policy, body.user, batch);
          } else if constexpr (std::is_same_v<T, ReclassifyIncident>) {
            out.incident_id = body.incident_id;
            out.status = incident::Reclassify(state_.incidents, config_, body.incident_id, body.category,
                                              body.subcategory, body.reason, batch);
          } else if constexpr (std::is_same_v<T, RecordRegulatoryFact>) {
            out.incident_id = body.incident_id;
            out.status = classify::RecordFact(classification, body.incident_id, body.fact, body.note, batch);
          } else if constexpr (std::is_same_v<T, RecordSubmission>) {
            out.incident_id = body.incident_id;
            out.status = classify::RecordSubmission(classification, body.incident_id, body.regime, body.stage,
                                                    body.reference, batch);
          } else if constexpr (std::is_same_v<T, AssignOwner>) {
            out.incident_id = body.incident_id;
            out.status = classify::AssignOwner(classification, body.incident_id, body.team, body.reason, batch);
          } else if constexpr (std::is_same_v<T, RecordSli>) {
            out.status = classify::RecordSli(classification, body.service, body.slo, std::move(body.samples), batch);
          } else if constexpr (std::is_same_v<T, RunDrill>) {
            auto r = escalation::RunDrill(paging, body.drill, batch);
            if (r.ok()) {
              out.message = std::to_string(r.value());
            } else {
              out.status = r.error();
            }
          } else if constexpr (std::is_same_v<T, ReloadConfig>) {
            out.status = classify::RecordConfigChange(classification, std::move(body.digests),
                                                      std::move(body.changes), batch);
            if (body.classify) {
              classify_config_ = body.classify.get();
              reloaded_.push_back(std::move(body.classify));
            }
            if (body.paging) {
              paging_config_ = body.paging.get();
              reloaded_.push_back(std::move(body.paging));
            }
            reloaded = true;
            slo_minute_ = 0;  // the next tick re-evaluates SLOs and regulatory clocks under the new settings
          } else if constexpr (std::is_same_v<T, AssignRole>) {
            out.incident_id = body.incident_id;
            out.status = coord::AssignRole(coordination, body.incident_id, body.role, body.user, body.handoff,
                                           cmd.actor, body.actor_is_admin, body.reason, batch);
          } else if constexpr (std::is_same_v<T, AddLogEntry>) {
            out.incident_id = body.incident_id;
            out.status = coord::AddLogEntry(coordination, body.incident_id, body.kind, body.text, batch);
          } else if constexpr (std::is_same_v<T, PostStatusUpdate>) {
            out.incident_id = body.incident_id;
            out.status = coord::PostStatusUpdate(coordination, body.incident_id, body.text, body.no_change, batch);
          } else if constexpr (std::is_same_v<T, GrantVendor>) {
            out.incident_id = body.incident_id;
            auto r = coord::GrantVendor(coordination, body.incident_id, body.vendor, body.scopes, body.duration,
                                        body.token_sha256, body.reason, batch);
            if (r.ok()) {
              out.grant_id = r.value();
            } else {
              out.status = r.error();
            }
          } else if constexpr (std::is_same_v<T, RevokeVendor>) {
            out.status = coord::RevokeVendor(coordination, body.grant_id, body.reason, batch);
          } else if constexpr (std::is_same_v<T, UseVendorGrant>) {
            out.status = coord::UseVendorGrant(coordination, body.grant_id, body.action, body.detail, batch);
          } else if constexpr (std::is_same_v<T, RequestPool>) {
            out.incident_id = body.incident_id;
            out.status = pools::RequestPool(pooling, body.incident_id, body.pool, body.note, batch);
          } else if constexpr (std::is_same_v<T, ReleasePool>) {
            out.incident_id = body.incident_id;
            out.status = pools::ReleasePool(pooling, body.incident_id, body.pool, "released", batch);
          } else if constexpr (std::is_same_v<T, YieldPool>) {
            out.incident_id = body.to;
            out.status = pools::YieldPool(pooling, body.from, body.to, body.pool, body.reason, batch);
          } else if constexpr (std::is_same_v<T, CreateOverride>) {
            auto r = escalation::CreateOverride(paging, body.request, cmd.actor, batch);
            if (r.ok()) {
              out.message = std::to_string(r.value());
            } else {
              out.status = r.error();
            }
          } else if constexpr (std::is_same_v<T, RemoveOverride>) {
            out.status = escalation::RemoveOverride(paging, body.schedule, body.id, cmd.actor, batch);
          } else if constexpr (std::is_same_v<T, EscalateIncident>) {
            out.incident_id = body.incident_id;
            out.status = escalation::EscalateNow(paging, body.incident_id, body.reason, cmd.actor, batch);
          } else if constexpr (std::is_same_v<T, Tick>) {
            timers_left_ = incident::FireTimers(state_.incidents, batch);
            correlate::FireTimers(view, batch);
            batch.React(paging, classification, coordination, pooling);
            escalation::FireTimers(paging, batch);
            // SLO windows slide by the minute: re-evaluate once per minute.
            const int64_t minute = core::ToUnixMillis(now) / 60000;
            if (minute != slo_minute_ && (!classify_config.slos.empty() || !classify_config.regimes.empty())) {
              slo_minute_ = minute;
              batch.React(paging, classification, coordination, pooling);
              classify::FireTimers(classification, batch);
            }
            // Status-update cadence and commander checks: once per minute too.
            if (minute != coord_minute_ &&
                (!coord_config_->cadence.empty() || coord_config_->commander_within > core::Duration(0) ||
                 !state_.coord.grants.empty())) {
              coord_minute_ = minute;
              coord::FireTimers(coordination, batch);
              batch.React(paging, classification, coordination, pooling);
            }
            // Pool response-time breaches: once per minute as well.
            if (minute != pools_minute_ && !pools_config_->pools.empty()) {
              pools_minute_ = minute;
              pools::FireTimers(pooling, batch);
              batch.React(paging, classification, coordination, pooling);
            }
          }
        },
        cmd.body);
    batch.React(paging, classification, coordination, pooling);
    if (batch.records().size() > before) out.seq = batch.records().back().seq;
  }
  if (reloaded) {
    // The new settings are in force: open incidents may now meet the major-incident criteria.
    const escalation::View new_paging{state_.paging, state_.incidents, *paging_config_.load(), config_,
                                      &state_.coord.channel_lines};
    const classify::View new_classification{state_.classify, state_.incidents, *classify_config_.load(), config_};
    const coord::View new_coordination{state_.coord, *coord_config_, new_classification, new_paging};
    const pools::View new_pooling{state_.pools, *pools_config_, new_classification};
    classify::Reevaluate(new_classification, new_paging, batch);
    batch.React(new_paging, new_classification, new_coordination, new_pooling);
  }
  // The re-send cache: entries stamped before a record that may have changed them unseen are void from now on; the
  // alerts re-sent here get new entries (or lose theirs) once this batch is durable.
  if (batch.unsettling()) resend_.Invalidate();
  std::vector<ResendCache::Held> held;
  if (!resent.empty()) {
    const uint64_t generation = resend_.generation();
    held.reserve(resent.size());
    for (uint64_t key : resent) held.push_back(ResendCache::Held{key, correlate::QuietStampOf(view, key), generation});
  }
  state_lock.unlock();

  Committed committed;
  committed.started = std::chrono::steady_clock::now();
  committed.decided_at = now;
  committed.resent = std::move(held);
  committed.commands = pending.size();
  auto& records = batch.records();
  committed.wrote = !records.empty();
  if (!records.empty()) {
    stats_.records += records.size();
    for (const auto& r : records) tail_bytes_ += r.bytes.size();
    stats_.last_seq = chain_.last_seq();
    committed.records = std::move(records);
    committed.projection = std::move(batch.projection());
  }
  stats_.batches += 1;
  // Callers' commands only: the writer's own timer ticks are not counted.
  stats_.commands += static_cast<uint64_t>(
      std::count_if(pending.begin(), pending.end(), [](const Pending& p) { return p.done != nullptr; }));
  UpdateStateStats();

  committed.outcomes = std::move(outcomes);
  committed.done.reserve(pending.size());
  for (auto& p : pending) committed.done.push_back(std::move(p.done));
  if (want_published) committed.published = std::move(batch.published());
  bool handed_off = false;
  if (syncer_.joinable()) {
    // Even a batch that wrote nothing goes through the syncer when it has batches: its answers may rest on an
    // earlier batch that is appended but not yet synced (a 409 because that batch resolved the incident), so they
    // must not overtake it. A small batch while the syncer is idle is synced here instead: handing it over costs
    // two thread wake-ups, more than the overlap gains when there is little to overlap.
    {
      std::lock_guard lock(sync_mu_);
      if (syncer_busy_ || !unsynced_.empty() || committed.records.size() > options_.inline_sync_records) {
        unsynced_.push_back(std::move(committed));
        handed_off = true;
      }
    }
    if (handed_off) sync_cv_.notify_one();
  }
  if (!handed_off) {
    // Not started (tests, benchmarks), or a small batch with the syncer idle: append and sync here.
    std::deque<Committed> one;
    one.push_back(std::move(committed));
    AppendAndSync(one);
    if (failed_) return;
  }
  MaybeSnapshot();
}

void Engine::MaybeSnapshot() {
  if (options_.snapshot_every == 0 || chain_.last_seq() - last_snapshot_seq_ < options_.snapshot_every) return;
  // Bytes, not records, against the last snapshot's size: a state of 500k open alerts is not re-encoded (and the
  // process not forked) every 100k records.
  if (tail_bytes_ * 100 < stats_.snapshot_bytes.load() * options_.snapshot_tail_percent) return;
  if (last_time_ - last_snapshot_at_ < options_.snapshot_min_interval) return;
  if (snapshotter_.joinable()) {
    {
      std::lock_guard lock(snapshot_mu_);
      if (snapshot_busy_) return;  // the previous one is still being written: try again after the next batch
    }
    if (options_.fork_snapshots && ForkSnapshot()) return;
  }
  HandOffSnapshot();
}

namespace {

bool WriteAll(int fd, const std::string& bytes) {
  const char* p = bytes.data();
  size_t left = bytes.size();
  while (left > 0) {
    ssize_t n = ::write(fd, p, left);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    p += n;
    left -= static_cast<size_t>(n);
  }
  return true;
}

}  // namespace

bool Engine::ForkSnapshot() {
  // Encoding a large state takes tens of milliseconds in which no batch could commit. A child process gets a frozen
  // copy of the state at this seq for the price of copying page tables, encodes it and hands the bytes over a
  // pipe; the writer goes on at once.
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) return false;
  const pid_t child = ::fork();
  if (child < 0) {
    ::close(fds[0]);
    ::close(fds[1]);
    return false;
  }
  if (child == 0) {
    // Only this thread exists here. It must touch nothing another thread may have held locked at the fork (no
    // logging, no store), and it leaves with _exit so that no destructor or atexit handler of the parent runs.
    // Should the server die meanwhile, the write to the closed pipe fails and the child ends.
    // Below the server's threads: encoding is background work and should take what they leave idle first.
    (void)::setpriority(PRIO_PROCESS, 0, 10);
    ::close(fds[0]);
    const bool ok = WriteAll(fds[1], EncodeState(state_));
    ::_exit(ok ? 0 : 1);
  }
  ::close(fds[1]);
  PendingSnapshot pending{Snapshot{chain_.last_seq(), chain_.last_hash(), last_time_, {}}, child, fds[0]};
  last_snapshot_seq_ = pending.snapshot.seq;
  last_snapshot_at_ = pending.snapshot.taken_at;
  tail_bytes_ = 0;
  {
    std::lock_guard lock(snapshot_mu_);
    pending_snapshots_.push_back(std::move(pending));
    snapshot_busy_ = true;
  }
  snapshot_cv_.notify_one();
  return true;
}

void Engine::HandOffSnapshot() {
  // Encoded here on the writer (the state as of one seq); written by the snapshotter.
  Snapshot snap{chain_.last_seq(), chain_.last_hash(), last_time_, EncodeState(state_)};
  last_snapshot_seq_ = snap.seq;
  last_snapshot_at_ = snap.taken_at;
  tail_bytes_ = 0;
  if (!snapshotter_.joinable()) {
    SaveSnapshot(snap);
    return;
  }
  {
    std::lock_guard lock(snapshot_mu_);
    pending_snapshots_.push_back(PendingSnapshot{std::move(snap), -1, -1});
    snapshot_busy_ = true;
  }
  snapshot_cv_.notify_one();
}

bool Engine::ReadForkedSnapshot(PendingSnapshot& pending) {
  std::string& state = pending.snapshot.state;
  char buffer[1 << 16];
  bool ok = true;
  for (;;) {
    ssize_t n = ::read(pending.fd, buffer, sizeof buffer);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) ok = false;
    if (n <= 0) break;
    state.append(buffer, static_cast<size_t>(n));
  }
  ::close(pending.fd);
  int status = 0;
  while (::waitpid(pending.child, &status, 0) < 0 && errno == EINTR) {
  }
  return ok && WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

void Engine::SaveSnapshot(const Snapshot& snap) {
  // The journal must be durable up to the snapshot's seq before the snapshot is: a snapshot ahead of the journal
  // after a power cut would stop the next start. A failed snapshot loses nothing; the next one tries again.
  // With the syncer running, the records may not even be appended yet: wait for them.
  if (syncer_.joinable()) {
    std::unique_lock lock(sync_mu_);
    appended_cv_.wait(lock, [&] { return appended_seq_ >= snap.seq || failed_.load(); });
    if (failed_) return;
  }
  if (store_.Sync().ok() && store_.SaveSnapshot(snap).ok()) {
    ++stats_.snapshots;
    stats_.snapshot_bytes = snap.state.size();
  }
}

void Engine::RunSnapshotter() {
  for (;;) {
    PendingSnapshot pending;
    {
      std::unique_lock lock(snapshot_mu_);
      snapshot_cv_.wait(lock, [&] { return !pending_snapshots_.empty() || snapshotter_done_; });
      if (pending_snapshots_.empty()) return;
      pending = std::move(pending_snapshots_.front());
      pending_snapshots_.pop_front();
    }
    // A child that failed (or was killed) costs this snapshot only; the next one is due snapshot_every later.
    if (pending.child < 0 || ReadForkedSnapshot(pending)) SaveSnapshot(pending.snapshot);
    {
      std::lock_guard lock(snapshot_mu_);
      if (pending_snapshots_.empty()) snapshot_busy_ = false;
    }
  }
}

std::vector<Outcome> Engine::ProcessForTest(std::vector<Command> commands) {
  std::vector<Pending> pending;
  std::vector<Outcome> outcomes(commands.size());
  for (size_t i = 0; i < commands.size(); ++i) {
    pending.push_back(Pending{std::move(commands[i]), [&outcomes, i](Outcome o) { outcomes[i] = std::move(o); }});
  }
  ProcessBatch(pending);
  return outcomes;
}

std::string Engine::EncodedStateForTest() const { return EncodeState(state_); }

}  // namespace engine
