// Adapts engine::Engine to the port the HTTP edge owns (http::Backend).
#pragma once

#include <functional>

#include "engine/engine.h"
#include "http/backend.h"

namespace app {

class EngineBackend final : public http::Backend {
 public:
  EngineBackend(engine::Engine& engine, const correlate::Config& alert_config,
                const std::vector<oncall::Schedule>& schedules, const classify::Taxonomy* taxonomy = nullptr)
      : engine_(engine), alert_config_(alert_config), schedules_(schedules), taxonomy_(taxonomy) {}

  core::Status Submit(engine::Command command, std::function<void(engine::Outcome)> done) override {
    return engine_.Submit(std::move(command), std::move(done));
  }
  core::Status SubmitQuietly(engine::Command command, std::function<void(engine::Outcome)> done) override {
    return engine_.SubmitQuietly(std::move(command), std::move(done));
  }
  void WakeWriter() override { engine_.WakeWriter(); }
  bool AnswersQuietly(engine::PostAlerts& post) override { return engine_.AnswersQuietly(post); }
  uint64_t Subscribe(std::function<void(const std::vector<engine::Published>&)> subscriber) override {
    return engine_.Subscribe(std::move(subscriber));
  }
  void Unsubscribe(uint64_t id) override { engine_.Unsubscribe(id); }
  engine::Store& store() override { return engine_.store(); }
  const engine::Stats& stats() const override { return engine_.stats(); }
  // The engine runs, unless set_ready said otherwise (a follower: caught up with the writer).
  bool ready() const override { return ready_ ? ready_() : engine_.running(); }
  void set_ready(std::function<bool()> ready) { ready_ = std::move(ready); }
  void ReadState(const std::function<void(const engine::State&)>& read) const override { engine_.Read(read); }
  const correlate::Config& alert_config() const override { return alert_config_; }
  const std::vector<oncall::Schedule>& schedules() const override { return schedules_; }
  const escalation::Config& paging() const override { return engine_.paging(); }
  const classify::Taxonomy* taxonomy() const override { return taxonomy_; }
  const classify::Config& classification() const override { return engine_.classification(); }
  const coord::Config& coordination() const override { return engine_.coordination(); }
  const pools::Config& pools() const override { return engine_.pools(); }

 private:
  engine::Engine& engine_;
  const correlate::Config& alert_config_;
  const std::vector<oncall::Schedule>& schedules_;
  const classify::Taxonomy* taxonomy_;
  std::function<bool()> ready_;
};

}  // namespace app
