#include "app/drill_injector.h"

#include <spdlog/spdlog.h>

#include "channels/channel.h"
#include "core/thread_name.h"
#include "domain/escalation/paging.h"

namespace app {

DrillInjector::DrillInjector(engine::Engine& engine, const incident::Config& services, std::string base_url,
                             std::string token)
    : engine_(engine), services_(services), base_url_(std::move(base_url)), token_(std::move(token)) {}

DrillInjector::~DrillInjector() { Stop(); }

void DrillInjector::Start() {
  thread_ = std::thread([this] {
    core::NameThisThread("drills");
    Run();
  });
  subscription_ = engine_.Subscribe([this](const std::vector<engine::Published>& records) {
    bool any = false;
    {
      std::lock_guard lock(mu_);
      for (const auto& r : records) {
        if (r.type == "drill.started") {
          runs_.push_back(r.seq);
          any = true;
        }
      }
    }
    if (any) cv_.notify_one();
  }, /*summaries=*/false);
  // Runs started before a restart and not yet linked to an incident: their event may never have gone out.
  std::lock_guard lock(mu_);
  engine_.Read([&](const engine::State& s) {
    for (const auto& [id, run] : s.paging.runs) {
      if (!run.finished && run.incident_id == 0) runs_.push_back(id);
    }
  });
  cv_.notify_one();
}

void DrillInjector::Stop() {
  if (subscription_ != 0) {
    engine_.Unsubscribe(subscription_);
    subscription_ = 0;
  }
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void DrillInjector::Run() {
  for (;;) {
    uint64_t run = 0;
    {
      std::unique_lock lock(mu_);
      cv_.wait(lock, [&] { return stopping_ || !runs_.empty(); });
      if (stopping_) return;
      run = runs_.front();
      runs_.pop_front();
    }
    Inject(run);
  }
}

void DrillInjector::Inject(uint64_t run) {
  std::optional<escalation::DrillEvent> event;
  engine_.Read([&](const engine::State& s) {
    escalation::View view{s.paging, s.incidents, engine_.paging(), services_};
    auto it = s.paging.runs.find(run);
    if (it != s.paging.runs.end() && !it->second.finished && it->second.incident_id == 0) {
      event = escalation::DrillEventOf(view, run);
    }
  });
  if (!event) return;
  // The Events v2 shape, sent like any monitoring tool would.
  channels::ChannelConfig channel;
  channel.name = "drill-injector";
  channel.type = channels::ChannelType::kWebhook;
  channel.url = base_url_ + "/v2/enqueue";
  channel.headers["Authorization"] = "Bearer " + token_;
  channel.body_template =
      R"({"routing_key":"{{routing_key}}","event_action":"trigger","dedup_key":"{{dedup_key}}",)"
      R"("payload":{"summary":"{{summary}}","source":"incidentd-drill","severity":"{{severity}}",)"
      R"("component":"{{dedup_key}}","group":"{{dedup_key}}"}})";
  channels::Message message;
  message.idempotency_key = event->dedup_key;
  message.fields = {{"routing_key", event->routing_key},
                    {"dedup_key", event->dedup_key},
                    {"summary", event->summary},
                    {"severity", event->severity}};
  channels::Sender sender;
  channels::SendResult r = sender.Send(channel, message);
  if (r.ok) {
    spdlog::info("drill run {}: synthetic event {} injected", run, event->dedup_key);
  } else {
    spdlog::error("drill run {}: injecting its event failed: {} (the drill will fail at the ingest link)", run,
                  r.error);
  }
}

}  // namespace app
