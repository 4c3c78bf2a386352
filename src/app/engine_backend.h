// Adapts engine::Engine to the port the HTTP edge owns (http::Backend).
#pragma once

#include "engine/engine.h"
#include "http/backend.h"

namespace app {

class EngineBackend final : public http::Backend {
 public:
  explicit EngineBackend(engine::Engine& engine) : engine_(engine) {}

  core::Status Submit(engine::Command command, std::function<void(engine::Outcome)> done) override {
    return engine_.Submit(std::move(command), std::move(done));
  }
  uint64_t Subscribe(std::function<void(const std::vector<engine::Published>&)> subscriber) override {
    return engine_.Subscribe(std::move(subscriber));
  }
  void Unsubscribe(uint64_t id) override { engine_.Unsubscribe(id); }
  engine::Store& store() override { return engine_.store(); }
  const engine::Stats& stats() const override { return engine_.stats(); }
  bool ready() const override { return engine_.running(); }

 private:
  engine::Engine& engine_;
};

}  // namespace app
