// A node that is not the writer (several nodes on one PostgreSQL; docs/deploy.md), while it waits for the writer
// lock: an engine of its own folding the journal the writer appends, and the HTTP server answering reads from that
// fold and forwarding writes to the writer.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>

#include "app/config.h"
#include "app/engine_backend.h"
#include "core/result.h"
#include "engine/engine.h"
#include "http/server.h"

namespace app {

class Follower {
 public:
  // How often the follower looks for new records, and the lag up to which it answers /readyz 200.
  static constexpr auto kPoll = std::chrono::milliseconds(100);
  static constexpr auto kMaxLag = std::chrono::seconds(5);

  // `store` and `cfg` must outlive the follower. `writer_address` reads where the writer takes writes (the `writer`
  // table: "" when none is recorded); it may block, and is called only from Start and Refresh.
  Follower(engine::Store& store, const Config& cfg, std::function<core::Result<std::string>()> writer_address);
  // Stops if still running.
  ~Follower();
  Follower(const Follower&) = delete;
  Follower& operator=(const Follower&) = delete;

  // Recovers from the store (kCorrupt when the journal does not verify, the store's errors otherwise), starts
  // following and serves on cfg.http.address:`port` (kUnavailable when it cannot bind). Returns "address:port" as
  // bound. Call once.
  core::Result<std::string> Start(uint16_t port);
  // Re-reads the writer's address when the last read is a second old or more (the server answers from the copy).
  // Call from the thread waiting for the writer lock.
  void Refresh();
  // True once following stopped for good: the journal the writer appended does not verify. fatal_error() says why.
  bool failed() const { return engine_.failed(); }
  std::string fatal_error() const { return engine_.fatal_error(); }
  // Stops serving (requests in flight finish, within the drain timeout) and following. Idempotent.
  void Stop();

 private:
  bool CaughtUp() const;
  std::string writer() const;

  engine::Engine engine_;
  EngineBackend backend_;
  std::unique_ptr<http::Server> server_;
  const Config& cfg_;
  std::function<core::Result<std::string>()> writer_address_;
  mutable std::mutex mu_;
  std::string writer_;  // guarded by mu_
  std::chrono::steady_clock::time_point refreshed_{};
};

}  // namespace app
