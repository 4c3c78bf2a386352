// A real HTTP/1.1 server on 127.0.0.1 that records every request and answers with the status a test sets: the far
// end of outbound webhooks and chat hooks. It can go down (connections refused) and come back on the same port.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "support/http_client.h"

namespace test_support {

struct ReceivedRequest {
  std::string method;
  std::string target;
  Headers headers;
  std::string body;
  std::chrono::steady_clock::time_point received_at;

  // The first header named `name` (case-insensitive), or "" when there is none.
  std::string Header(std::string_view name) const;
};

// Thread-safe: the server runs on its own thread; every method may be called from any thread.
class WebhookReceiver {
 public:
  // Listens on an ephemeral port and answers 200. Aborts the test binary when it cannot listen.
  WebhookReceiver();
  // Closes every connection and joins the server thread.
  ~WebhookReceiver();
  WebhookReceiver(const WebhookReceiver&) = delete;
  WebhookReceiver& operator=(const WebhookReceiver&) = delete;

  uint16_t port() const { return port_; }
  // "http://127.0.0.1:<port><path>".
  std::string Url(std::string_view path = "/hook") const;

  // How the next requests are answered: the status, a Retry-After header (none when empty) and the body.
  void SetStatus(int status);
  void SetRetryAfter(std::string value);
  void SetBody(std::string body);
  // While stalled, requests are recorded but never answered (for sender timeouts).
  void SetStalled(bool stalled);

  // Closes the listening socket and every open connection: connecting is refused until Start.
  void Stop();
  // Listens again on the same port; kUnavailable when that port has been taken meanwhile. No-op when running.
  core::Status Start();

  // Every request received so far, oldest first; a request is recorded before it is answered.
  std::vector<ReceivedRequest> Requests() const;
  size_t Count() const;
  // Connections accepted so far (to see keep-alive at work).
  size_t Connections() const;
  // True once at least `count` requests arrived; false when `timeout` passed first.
  bool WaitFor(size_t count, std::chrono::milliseconds timeout) const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
  uint16_t port_ = 0;
};

}  // namespace test_support
