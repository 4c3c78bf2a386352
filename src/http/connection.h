// Internal: the I/O threads' shared runtime and one keep-alive connection's request loop.
#pragma once

#include <atomic>
#include <cstddef>
#include <memory>
#include <unordered_set>
#include <vector>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/tcp_stream.hpp>

#include "http/exchange.h"

namespace http {

// One open connection, as its worker sees it (for Stop).
struct Connection {
  explicit Connection(boost::asio::ip::tcp::socket socket) : stream(std::move(socket)) {}
  boost::beast::tcp_stream stream;
  bool idle = true;      // waiting for a request to start: safe to close
  bool closing = false;  // Stop has begun: close after the current response
};

// One I/O thread's io_context and the connections living on it. `connections` is touched only on that thread.
// Member order matters: destroying `io` destroys suspended connection frames, which leave `connections`.
struct Worker {
  Worker() : io(1), guard(io.get_executor()) {}
  std::unordered_set<Connection*> connections;
  boost::asio::io_context io;
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> guard;
};

// Shared with callbacks that may run late (engine `done`), so that the io_contexts they post to outlive them.
// The counters come first: they are destroyed last, after the workers' frames that decrement them.
struct Runtime {
  std::atomic<size_t> active{0};    // connections being served (not counting refused ones)
  std::atomic<size_t> refusing{0};  // connections being answered 503
  std::vector<std::unique_ptr<Worker>> workers;
};

// Serves requests on `socket` until the client closes, a request fails, or the worker is shutting down.
// Runs on worker.io; decrements runtime.active when done.
boost::asio::awaitable<void> RunConnection(Context& ctx, Runtime& runtime, Worker& worker,
                                           boost::asio::ip::tcp::socket socket);

// Answers 503 with Retry-After and closes: the connection limit is reached.
boost::asio::awaitable<void> RefuseConnection(Context& ctx, Runtime& runtime, boost::asio::ip::tcp::socket socket);

// On worker.io's thread: closes idle connections and marks the others to close after their current response.
void ShutdownConnections(Worker& worker);

}  // namespace http
