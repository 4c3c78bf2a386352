// Reads a Server-Sent Events stream (GET /api/v1/events) frame by frame, with a deadline per frame.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "core/result.h"
#include "core/time.h"
#include "support/http_client.h"

namespace test_support {

struct SseEvent {
  std::string id;
  std::string event;  // "message" when the frame named none
  std::string data;   // data lines joined with '\n'
};

class SseStream {
 public:
  // Sends GET `target` to 127.0.0.1:`port` with the bearer `token` and, when not empty, Last-Event-ID, then reads
  // the response head. kUnavailable when that does not complete within `timeout`. Any status is returned as a
  // stream; check head().status before reading events. `headers` are added to the request (a Cookie, say).
  static core::Result<std::unique_ptr<SseStream>> Open(uint16_t port, const std::string& token,
                                                       const std::string& target, const std::string& last_event_id,
                                                       core::Duration timeout, const Headers& headers = {});
  ~SseStream();

  // Status and headers (body empty).
  const HttpResponse& head() const;

  // The next event, skipping comments (": keepalive"). kUnavailable when none is complete within `timeout` or the
  // stream ended; after a timeout the stream is closed.
  core::Result<SseEvent> Next(core::Duration timeout);

 private:
  struct Impl;
  explicit SseStream(std::unique_ptr<Impl> impl);

  std::unique_ptr<Impl> impl_;
};

}  // namespace test_support
