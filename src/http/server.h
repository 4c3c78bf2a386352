// The HTTP server: Boost.Beast on N I/O threads, translating requests into engine commands and store queries
// (routes and rules in docs/api.md). Nothing of Beast or Asio leaks into this header.
#pragma once

#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "core/result.h"
#include "core/time.h"
#include "http/auth.h"

namespace http {

class Backend;
class Metrics;

// A configured API token: only the SHA-256 of the secret is kept.
struct Token {
  std::string name;  // commands carry the actor "token:<name>"
  std::string role;  // admin, commander, communicator, responder, ingest, viewer
  std::array<uint8_t, 32> sha256{};
};

struct ServerOptions {
  std::string address = "127.0.0.1";  // the only address listened on
  uint16_t port = 9797;               // 0 = any free port
  int threads = 2;                    // I/O threads, one io_context each
  size_t max_body_bytes = 1 << 20;
  int max_json_depth = 32;
  size_t max_header_bytes = 16384;
  core::Duration request_timeout = std::chrono::seconds(30);  // to read one request; idle keep-alive too
  size_t max_connections = 1024;                              // more are answered 503 with Retry-After and closed
  std::vector<Token> tokens;  // service tokens (auth.tokens)
  std::vector<User> users;    // people, with their roles, teams, tokens and password hashes (users)
  // Acknowledgement links (/ack/{token}): the HMAC key they are signed with; empty = the routes answer 404.
  std::string ack_secret;
  // Web UI sessions (ui.session_idle, ui.session_lifetime): ended after this long unused, or this long after sign-in.
  core::Duration session_idle = std::chrono::hours(8);
  core::Duration session_lifetime = std::chrono::hours(24);
  size_t max_sessions = 10000;  // more: the oldest session is ended
  // Not in the configuration file (tests shorten them).
  core::Duration sse_keepalive = std::chrono::seconds(15);
  size_t sse_buffer_bytes = 4 << 20;  // frames queued for one slow SSE client before it is disconnected
  core::Duration drain_timeout = std::chrono::seconds(5);  // Stop's bound on waiting for in-flight requests
  int blocking_threads = 2;  // threads for long store reads (journal verify, SSE replay, queries)
  // A follower (a node folding the journal another node writes; docs/deploy.md) sets `writer`: it answers reads
  // from its own state and forwards every request that writes to the writer (or, with forward_writes off, answers
  // it 503 naming the writer). `writer` returns the writer's base URL ("http://host:port"), "" while unknown; it is
  // called on I/O threads, so it must not block (app/ keeps the `writer` table's value in memory).
  std::function<std::string()> writer = {};
  bool forward_writes = true;  // cluster.forward_writes
  core::Duration forward_timeout = std::chrono::seconds(10);  // connecting, sending and the writer's whole answer
  size_t max_forwarded_answer_bytes = 16 << 20;             // the writer's answer body
};

class Server {
 public:
  // `backend` must outlive the server.
  Server(Backend& backend, ServerOptions options);
  // Stops if still running.
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Validates the options (kInvalid: unknown or vendor role, a token hash used twice, threads < 1), binds
  // (kUnavailable when the address cannot be bound), subscribes to the backend for the live stream, and starts the
  // I/O threads. Returns "address:port" as bound. Call once.
  core::Result<std::string> Start();

  // Stops accepting, ends SSE streams, closes idle keep-alive connections, lets in-flight requests finish (at most
  // drain_timeout), then joins the threads. /readyz answers 503 from the first moment. Idempotent; also safe when
  // Start was never called or failed.
  void Stop();

  // The server's metrics; app/ hooks ObserveBatch to engine::Stats::on_batch.
  Metrics& metrics();
  // Shorthand for metrics().ObserveBatch: one committed batch (any thread).
  void ObserveBatch(size_t batch_size, double commit_seconds);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace http
