// What a standby node (one waiting for the PostgreSQL writer lock) answers while it waits: /healthz 200 "standby",
// /readyz 503, every other request 503 problem+json naming the writer, so clients and load balancers learn where to
// go instead of finding nothing listening. It serves nothing from its own state and redirects nothing.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "core/result.h"

namespace http {

class StandbyResponder {
 public:
  // `writer_address` returns the writer's address (the `writer` table), "" when unknown; it is asked at most once
  // a second, from the responder's own thread.
  explicit StandbyResponder(std::function<std::string()> writer_address);
  // Stops if still running.
  ~StandbyResponder();
  StandbyResponder(const StandbyResponder&) = delete;
  StandbyResponder& operator=(const StandbyResponder&) = delete;

  // Binds address:port (port 0: any free port) and answers on one thread. Returns "address:port" as bound.
  core::Result<std::string> Start(const std::string& address, uint16_t port);
  // Closes the listener and every connection and joins the thread; the port is free once it returns. Idempotent.
  void Stop();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// The answer to one request on a standby: status, content type and body (pure; for tests). `writer` may be "".
struct StandbyAnswer {
  int status = 503;
  std::string content_type;
  std::string body;
};
StandbyAnswer AnswerAsStandby(std::string_view target, const std::string& writer);

}  // namespace http
