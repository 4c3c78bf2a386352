#include "app/outbox.h"

#include <spdlog/spdlog.h>

#include "core/thread_name.h"

namespace app {

std::vector<OutboxJob> DueJobs(const engine::State& state, core::Timestamp now, const std::set<uint64_t>& busy,
                               size_t max, const AckLinker& link) {
  std::vector<OutboxJob> out;
  const int64_t now_ms = core::ToUnixMillis(now);
  for (const auto& [due, id] : state.paging.outbox) {
    if (due > now_ms || out.size() >= max) break;
    if (busy.count(id)) continue;
    const escalation::Delivery* d = state.paging.FindDelivery(id);
    if (d == nullptr) continue;
    OutboxJob job;
    job.delivery_id = id;
    job.attempt = d->attempts + 1;
    job.channel = d->channel;
    channels::Message& m = job.message;
    m.idempotency_key = d->key;
    m.address = d->address;
    m.subject = d->subject;
    m.text = d->text;
    if (d->incident_id != 0 && link) m.ack_url = link(d->incident_id, d->user, now);
    auto& f = m.fields;
    f["kind"] = d->kind;
    f["user"] = d->user;
    f["subject"] = d->subject;
    f["text"] = d->text;
    f["ack_url"] = m.ack_url;
    f["key"] = d->key;
    f["delivery.id"] = std::to_string(id);
    f["attempt"] = std::to_string(job.attempt);
    if (d->incident_id != 0) {
      f["incident.id"] = std::to_string(d->incident_id);
      if (const incident::Incident* inc = state.incidents.FindIncident(d->incident_id)) {
        f["incident.title"] = inc->title;
        f["incident.service"] = inc->service;
        f["incident.severity"] = ingest::ToString(inc->severity);
        f["service"] = inc->service;
        f["severity"] = ingest::ToString(inc->severity);
        f["incident.state"] = incident::ToString(inc->state);
        f["incident.category"] = inc->category;
      }
      f["drill"] = state.paging.IsDrill(d->incident_id) ? "true" : "false";
    }
    out.push_back(std::move(job));
  }
  return out;
}

Outbox::Outbox(Port& port, std::vector<channels::ChannelConfig> channels, size_t workers,
               std::function<core::Timestamp()> clock)
    : port_(port), channels_(std::move(channels)), workers_(std::max<size_t>(workers, 1)), clock_(std::move(clock)) {}

Outbox::~Outbox() { Stop(); }

void Outbox::Start() {
  dispatcher_ = std::thread([this] {
    core::NameThisThread("outbox");
    Dispatch();
  });
  for (size_t i = 0; i < workers_; ++i) {
    threads_.emplace_back([this, i] {
      core::NameThisThread("delivery-" + std::to_string(i));
      Work();
    });
  }
}

void Outbox::Stop() {
  {
    std::lock_guard lock(mu_);
    if (stopping_ && !dispatcher_.joinable()) return;
    stopping_ = true;
  }
  dispatch_cv_.notify_all();
  work_cv_.notify_all();
  if (dispatcher_.joinable()) dispatcher_.join();
  for (auto& t : threads_) t.join();
  threads_.clear();
}

void Outbox::Wake() {
  {
    std::lock_guard lock(mu_);
    woken_ = true;
  }
  dispatch_cv_.notify_one();
}

escalation::AttemptReport Outbox::Attempt(channels::Sender& sender, const OutboxJob& job) {
  escalation::AttemptReport r;
  r.delivery_id = job.delivery_id;
  r.attempt = job.attempt;
  const channels::ChannelConfig* channel = nullptr;
  for (const auto& c : channels_) {
    if (c.name == job.channel) channel = &c;
  }
  if (channel == nullptr) {
    r.permanent = true;
    r.error = "channel " + job.channel + " is not configured";
    return r;
  }
  channels::SendResult s = sender.Send(*channel, job.message);
  r.ok = s.ok;
  r.permanent = s.permanent;
  r.status = s.status;
  r.error = s.error;
  if (s.retry_after) r.retry_after_ms = std::chrono::duration_cast<std::chrono::milliseconds>(*s.retry_after).count();
  return r;
}

size_t Outbox::RunDue() {
  channels::Sender sender;
  std::set<uint64_t> none;
  auto jobs = port_.Due(clock_(), none, 100000);
  for (const auto& job : jobs) {
    port_.Report(Attempt(sender, job), [](bool) {});
  }
  return jobs.size();
}

void Outbox::Dispatch() {
  std::unique_lock lock(mu_);
  while (!stopping_) {
    woken_ = false;
    const auto steady = std::chrono::steady_clock::now();
    std::erase_if(resting_, [&](const auto& r) {
      if (r.first > steady) return false;
      busy_.erase(r.second);
      return true;
    });
    const size_t room = jobs_.size() < workers_ * 4 ? workers_ * 4 - jobs_.size() : 0;
    std::set<uint64_t> busy = busy_;
    lock.unlock();
    const core::Timestamp now = clock_();
    std::vector<OutboxJob> due = room > 0 ? port_.Due(now, busy, room) : std::vector<OutboxJob>{};
    std::optional<core::Timestamp> next = port_.NextDue();
    lock.lock();
    for (auto& job : due) {
      if (busy_.insert(job.delivery_id).second) jobs_.push_back(std::move(job));
    }
    if (!due.empty()) work_cv_.notify_all();
    // Sleep until woken, the next due time, or a second (a clock that moved, a delivery not yet visible).
    auto wait = std::chrono::milliseconds(1000);
    if (next && due.empty()) {
      auto until = std::chrono::duration_cast<std::chrono::milliseconds>(*next - now);
      wait = std::clamp(until, std::chrono::milliseconds(1), wait);
    }
    dispatch_cv_.wait_for(lock, wait, [&] { return woken_ || stopping_; });
  }
}

void Outbox::Work() {
  channels::Sender sender;
  for (;;) {
    OutboxJob job;
    {
      std::unique_lock lock(mu_);
      work_cv_.wait(lock, [&] { return stopping_ || !jobs_.empty(); });
      if (stopping_) return;  // queued jobs stay pending in the journal: the next start sends them
      job = std::move(jobs_.front());
      jobs_.pop_front();
    }
    escalation::AttemptReport report = Attempt(sender, job);
    if (!report.ok) {
      spdlog::warn("delivery {} attempt {} over {}: {}", job.delivery_id, job.attempt, job.channel, report.error);
    }
    const uint64_t id = job.delivery_id;
    port_.Report(report, [this, id](bool durable) {
      {
        std::lock_guard lock(mu_);
        if (durable) {
          busy_.erase(id);
        } else {
          resting_.emplace_back(std::chrono::steady_clock::now() + std::chrono::seconds(5), id);
        }
      }
      Wake();
    });
  }
}

std::vector<OutboxJob> EngineOutboxPort::Due(core::Timestamp now, const std::set<uint64_t>& busy, size_t max) {
  std::vector<OutboxJob> jobs;
  engine_.Read([&](const engine::State& s) { jobs = DueJobs(s, now, busy, max, link_); });
  return jobs;
}

std::optional<core::Timestamp> EngineOutboxPort::NextDue() {
  std::optional<core::Timestamp> next;
  engine_.Read([&](const engine::State& s) {
    if (!s.paging.outbox.empty()) next = core::FromUnixMillis(s.paging.outbox.begin()->first);
  });
  return next;
}

void EngineOutboxPort::Report(const escalation::AttemptReport& report, std::function<void(bool)> recorded) {
  auto st = engine_.Submit(engine::Command{"system:outbox", engine::RecordDelivery{report}},
                           [recorded, id = report.delivery_id](engine::Outcome o) {
                             if (!o.status.ok() && o.status.error().code != core::ErrorCode::kConflict) {
                               spdlog::error("delivery {}: attempt not recorded: {}", id, o.status.error().message);
                             }
                             recorded(o.status.ok() || o.status.error().code == core::ErrorCode::kConflict);
                           });
  if (!st.ok()) {
    // Overloaded or stopping: the attempt is not on record, so the delivery is tried again later.
    spdlog::warn("delivery {}: attempt not recorded ({}); it will be tried again", report.delivery_id,
                 st.error().message);
    recorded(false);
  }
}

}  // namespace app
