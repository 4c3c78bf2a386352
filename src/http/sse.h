// Internal: the live stream. One SseHub per server subscribes to the backend and fans committed records out to the
// SseSinks of the connected clients; ServeEvents runs one client's stream (replay after Last-Event-ID, then live).
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core/tcp_stream.hpp>

#include "engine/engine.h"
#include "http/exchange.h"

namespace http {

// Frames of one committed batch, formatted once and shared by every client: (seq, frame text).
using SseBatch = std::vector<std::pair<uint64_t, std::string>>;

// One client's mailbox. Lives on the client's I/O thread: every member but `executor` is touched only there.
class SseSink {
 public:
  explicit SseSink(boost::asio::any_io_executor executor) : executor(executor), wake(executor) {}

  // Queues a batch and wakes the stream; past `cap` buffered bytes the client is marked slow and its I/O
  // cancelled, so a stuck client costs at most `cap` bytes.
  void Deliver(std::shared_ptr<const SseBatch> batch, size_t bytes, size_t cap);
  // Ends the stream (server stopping).
  void Abort();

  const boost::asio::any_io_executor executor;
  boost::asio::steady_timer wake;
  std::deque<std::shared_ptr<const SseBatch>> pending;
  size_t pending_bytes = 0;
  bool overflow = false;
  bool aborted = false;
  std::function<void()> cancel_io;  // set while a stream runs
};

// Thread-safe. Subscribed to the backend only while at least one client streams, so the engine does not describe
// records for nobody.
class SseHub {
 public:
  explicit SseHub(size_t buffer_cap) : buffer_cap_(buffer_cap) {}

  // Remembers the backend. Call once, before any Add.
  void Attach(Backend& backend);
  // Unsubscribes and aborts every sink; later Adds fail. Idempotent.
  void Detach();
  // Registers a sink, subscribing if it is the first; false once detached.
  bool Add(const std::shared_ptr<SseSink>& sink);
  // Unregisters a finished sink, unsubscribing after the last. Call from the stream, not from a destructor.
  void Remove(const std::shared_ptr<SseSink>& sink);

  // The subscriber: called on the engine thread with each committed batch.
  void Publish(const std::vector<engine::Published>& records);

 private:
  const size_t buffer_cap_;
  // Lock order: subscription_mu_, then the backend's own lock (Subscribe/Unsubscribe), then mu_. Publish, called
  // under the backend's lock, takes only mu_.
  std::mutex subscription_mu_;
  Backend* backend_ = nullptr;
  bool subscribed_ = false;
  uint64_t subscription_ = 0;
  std::mutex mu_;
  std::vector<std::weak_ptr<SseSink>> sinks_;
  bool detached_ = false;
};

// Serves GET /api/v1/events on an authenticated connection until the client goes, is too slow, or the server
// stops. The caller closes the connection afterwards.
boost::asio::awaitable<void> ServeEvents(Context& ctx, boost::beast::tcp_stream& stream, const Request& request);

}  // namespace http
