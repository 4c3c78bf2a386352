#include "http/testing/fake_backend.h"

#include <algorithm>

namespace http::testing {

void FakeStore::PutIncident(const engine::IncidentRow& row) {
  engine::Projection p;
  p.incidents.push_back(row);
  INCIDENTD_CHECK(Append({}, p).ok());
}

void FakeStore::PutAlert(const engine::AlertRow& row) {
  engine::Projection p;
  p.alerts.push_back(row);
  INCIDENTD_CHECK(Append({}, p).ok());
}

void FakeStore::PutTimeline(const engine::TimelineRow& row) {
  engine::Projection p;
  p.timeline.push_back(row);
  INCIDENTD_CHECK(Append({}, p).ok());
}

uint64_t FakeStore::AppendRecord(const incident::Payload& payload, const std::string& actor, core::Timestamp time) {
  std::lock_guard lock(mu_);
  journal::Record record;
  record.time = time;
  record.actor = actor;
  record.type = static_cast<uint16_t>(incident::TypeOf(payload));
  record.version = incident::PayloadVersion(incident::TypeOf(payload));
  record.payload = incident::EncodePayload(payload);
  std::string bytes = chain_.Link(record);
  engine::StoredRecord stored{record.seq, record.type, record.time, std::move(bytes), record.hash};
  INCIDENTD_CHECK(Append(std::span(&stored, 1), {}).ok());
  return record.seq;
}

core::Result<engine::IncidentPage> FakeStore::ListIncidents(const engine::IncidentQuery& query) {
  {
    std::lock_guard lock(mu_);
    last_query_ = query;
  }
  return MemoryStore::ListIncidents(query);
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

core::Status FakeBackend::SubmitQuietly(engine::Command command, std::function<void(engine::Outcome)> done) {
  std::lock_guard lock(mu_);
  if (refusal_) return *refusal_;
  submitted_.push_back(command);
  held_.emplace_back(std::move(command), std::move(done));
  ++quiet_submits_;
  return core::Ok();
}

void FakeBackend::WakeWriter() {
  {
    std::lock_guard lock(mu_);
    ++wakes_;
    while (!held_.empty()) {
      queue_.push_back(std::move(held_.front()));
      held_.pop_front();
    }
  }
  cv_.notify_one();
}

size_t FakeBackend::quiet_submits() const {
  std::lock_guard lock(mu_);
  return quiet_submits_;
}

size_t FakeBackend::wakes() const {
  std::lock_guard lock(mu_);
  return wakes_;
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
