#include "http/testing/fake_backend.h"

#include <algorithm>

namespace http::testing {

void FakeStore::PutIncident(const engine::IncidentRow& row) {
  std::lock_guard lock(mu_);
  incidents_[row.id] = row;
}

void FakeStore::PutAlert(const engine::AlertRow& row) {
  std::lock_guard lock(mu_);
  alerts_.push_back(row);
}

void FakeStore::PutTimeline(const engine::TimelineRow& row) {
  std::lock_guard lock(mu_);
  timeline_.push_back(row);
}

uint64_t FakeStore::AppendRecord(const incident::Payload& payload, const std::string& actor, core::Timestamp time) {
  std::lock_guard lock(mu_);
  journal::Record record;
  record.time = time;
  record.actor = actor;
  record.type = static_cast<uint16_t>(incident::TypeOf(payload));
  record.version = incident::kPayloadVersion;
  record.payload = incident::EncodePayload(payload);
  std::string bytes = chain_.Link(record);
  journal_.push_back(engine::StoredRecord{record.seq, record.type, record.time, std::move(bytes), record.hash});
  return record.seq;
}

core::Status FakeStore::Append(std::span<const engine::StoredRecord>, const engine::Projection&) {
  return core::Internal("FakeStore::Append is not used by the HTTP edge");
}

core::Result<engine::JournalHead> FakeStore::Head() {
  std::lock_guard lock(mu_);
  return engine::JournalHead{chain_.last_seq(), chain_.last_hash()};
}

core::Status FakeStore::ScanJournal(uint64_t after_seq,
                                    const std::function<core::Status(const engine::StoredRecord&)>& visit) {
  std::vector<engine::StoredRecord> copy;
  {
    std::lock_guard lock(mu_);
    copy = journal_;
  }
  for (const auto& r : copy) {
    if (r.seq <= after_seq) continue;
    core::Status st = visit(r);
    if (!st.ok()) return st;
  }
  return core::Ok();
}

core::Status FakeStore::SaveSnapshot(const engine::Snapshot&) { return core::Ok(); }

core::Result<std::optional<engine::Snapshot>> FakeStore::LatestSnapshot() { return std::optional<engine::Snapshot>(); }

core::Result<engine::IncidentPage> FakeStore::ListIncidents(const engine::IncidentQuery& query) {
  std::lock_guard lock(mu_);
  last_query_ = query;
  engine::IncidentPage page;
  for (auto it = incidents_.rbegin(); it != incidents_.rend(); ++it) {
    const auto& row = it->second;
    if (query.before_id != 0 && row.id >= query.before_id) continue;
    if (!query.states.empty() && std::find(query.states.begin(), query.states.end(), row.state) == query.states.end()) {
      continue;
    }
    if (!query.service.empty() && row.service != query.service) continue;
    if (!query.severity.empty() && row.severity != query.severity) continue;
    if (page.incidents.size() == query.limit) {
      page.next_before_id = page.incidents.back().id;
      break;
    }
    page.incidents.push_back(row);
  }
  return page;
}

core::Result<engine::IncidentRow> FakeStore::GetIncident(uint64_t id) {
  std::lock_guard lock(mu_);
  auto it = incidents_.find(id);
  if (it == incidents_.end()) return core::NotFound("no incident " + std::to_string(id));
  return it->second;
}

core::Result<std::vector<engine::TimelineRow>> FakeStore::Timeline(uint64_t incident_id, uint64_t after_seq,
                                                                   uint32_t limit) {
  std::lock_guard lock(mu_);
  std::vector<engine::TimelineRow> out;
  for (const auto& row : timeline_) {
    if (row.incident_id == incident_id && row.seq > after_seq && out.size() < limit) out.push_back(row);
  }
  return out;
}

core::Result<std::vector<engine::AlertRow>> FakeStore::IncidentAlerts(uint64_t incident_id) {
  std::lock_guard lock(mu_);
  std::vector<engine::AlertRow> out;
  for (const auto& row : alerts_) {
    if (row.incident_id == incident_id) out.push_back(row);
  }
  return out;
}

engine::IncidentQuery FakeStore::last_query() const {
  std::lock_guard lock(mu_);
  return last_query_;
}

FakeBackend::FakeBackend() : answerer_([this] { Run(); }) {}

FakeBackend::~FakeBackend() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  answerer_.join();
}

core::Status FakeBackend::Submit(engine::Command command, std::function<void(engine::Outcome)> done) {
  std::lock_guard lock(mu_);
  if (refusal_) return *refusal_;
  submitted_.push_back(command);
  queue_.emplace_back(std::move(command), std::move(done));
  cv_.notify_one();
  return core::Ok();
}

void FakeBackend::Run() {
  std::unique_lock lock(mu_);
  for (;;) {
    cv_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
    if (queue_.empty()) return;  // stopping with nothing left to answer
    auto [command, done] = std::move(queue_.front());
    queue_.pop_front();
    Responder responder = responder_;
    lock.unlock();
    engine::Outcome outcome;
    if (responder) {
      outcome = responder(command);
    } else if (auto* event = std::get_if<engine::SubmitEvent>(&command.body)) {
      outcome.dedup_key = event->event.dedup_key;
    }
    done(std::move(outcome));
    lock.lock();
  }
}

uint64_t FakeBackend::Subscribe(std::function<void(const std::vector<engine::Published>&)> subscriber) {
  std::lock_guard lock(sub_mu_);
  uint64_t id = next_sub_++;
  subscribers_[id] = std::move(subscriber);
  return id;
}

void FakeBackend::Unsubscribe(uint64_t id) {
  std::lock_guard lock(sub_mu_);
  subscribers_.erase(id);
}

void FakeBackend::Publish(const std::vector<engine::Published>& records) {
  std::lock_guard lock(sub_mu_);
  for (auto& [id, subscriber] : subscribers_) subscriber(records);
}

void FakeBackend::set_refusal(std::optional<core::Error> error) {
  std::lock_guard lock(mu_);
  refusal_ = std::move(error);
}

void FakeBackend::set_responder(Responder responder) {
  std::lock_guard lock(mu_);
  responder_ = std::move(responder);
}

std::vector<engine::Command> FakeBackend::submitted() const {
  std::lock_guard lock(mu_);
  return submitted_;
}

size_t FakeBackend::subscriber_count() const {
  std::lock_guard lock(sub_mu_);
  return subscribers_.size();
}

}  // namespace http::testing
