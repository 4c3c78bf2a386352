// Injects each drill run's synthetic event at the source: an Events v2 POST to this server's own /v2/enqueue, over
// real HTTP with an ingest token of its own, as the monitoring would send it. On its own thread.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <mutex>
#include <string>
#include <thread>

#include "engine/engine.h"

namespace app {

class DrillInjector {
 public:
  // `base_url` is this server ("http://127.0.0.1:9797"); `token` an ingest token it accepts.
  DrillInjector(engine::Engine& engine, const incident::Config& services, std::string base_url, std::string token);
  ~DrillInjector();
  void Start();
  void Stop();

 private:
  void Run();
  void Inject(uint64_t run);

  engine::Engine& engine_;
  const incident::Config& services_;
  std::string base_url_;
  std::string token_;
  uint64_t subscription_ = 0;
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<uint64_t> runs_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace app
