#include "http/server.h"

#include <thread>

#include <spdlog/spdlog.h>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "core/thread_name.h"
#include "http/auth.h"
#include "http/backend.h"
#include "http/connection.h"
#include "http/metrics.h"
#include "http/session.h"
#include "http/sse.h"

namespace http {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

struct Server::Impl {
  Impl(Backend& b, ServerOptions o)
      : backend(b),
        options(std::move(o)),
        blocking(static_cast<size_t>(std::max(1, options.blocking_threads))),
        hub(options.sse_buffer_bytes),
        sessions(SessionOptions{options.session_idle, options.session_lifetime, options.max_sessions, false}),
        runtime(std::make_shared<Runtime>()) {}

  asio::awaitable<void> AcceptLoop();

  Backend& backend;
  ServerOptions options;
  Metrics metrics;
  Authenticator auth;
  asio::thread_pool blocking;
  SseHub hub;
  SessionStore sessions;
  SignInThrottle throttle;
  std::atomic<bool> draining{false};
  std::shared_ptr<Runtime> runtime;
  std::unique_ptr<Context> ctx;
  std::unique_ptr<tcp::acceptor> acceptor;
  std::atomic<bool> accepting{false};
  std::vector<std::thread> threads;
  bool started = false;
  bool stopped = false;
};

asio::awaitable<void> Server::Impl::AcceptLoop() {
  size_t next = 0;
  asio::steady_timer backoff(acceptor->get_executor());
  for (;;) {
    Worker& worker = *runtime->workers[next];
    next = (next + 1) % runtime->workers.size();
    // The socket is accepted straight onto its worker's io_context: each connection lives on one thread, so
    // nothing of it needs a strand.
    auto [ec, socket] = co_await acceptor->async_accept(worker.io, asio::as_tuple(asio::use_awaitable));
    if (ec) {
      if (ec == asio::error::operation_aborted || !acceptor->is_open()) break;
      // Out of file descriptors and the like: back off instead of spinning.
      spdlog::warn("http: accept failed: {}", ec.message());
      backoff.expires_after(std::chrono::milliseconds(50));
      co_await backoff.async_wait(asio::as_tuple(asio::use_awaitable));
      continue;
    }
    boost::system::error_code ignored;
    socket.set_option(tcp::no_delay(true), ignored);
    if (runtime->active.load(std::memory_order_relaxed) >= options.max_connections) {
      if (runtime->refusing.load(std::memory_order_relaxed) >= options.max_connections) {
        metrics.CountRejected(RejectReason::kConnectionLimit);
        continue;  // even the refusals are at their limit: just close
      }
      runtime->refusing.fetch_add(1, std::memory_order_relaxed);
      asio::co_spawn(worker.io, RefuseConnection(*ctx, *runtime, std::move(socket)), asio::detached);
      continue;
    }
    runtime->active.fetch_add(1, std::memory_order_relaxed);
    asio::co_spawn(worker.io, RunConnection(*ctx, *runtime, worker, std::move(socket)), asio::detached);
  }
  accepting.store(false);
}

Server::Server(Backend& backend, ServerOptions options) : impl_(std::make_unique<Impl>(backend, std::move(options))) {}

Server::~Server() { Stop(); }

Metrics& Server::metrics() { return impl_->metrics; }

void Server::ObserveBatch(size_t batch_size, double commit_seconds) {
  impl_->metrics.ObserveBatch(batch_size, commit_seconds);
}

core::Result<std::string> Server::Start() {
  Impl& s = *impl_;
  INCIDENTD_CHECK(!s.started);
  s.started = true;
  if (s.options.threads < 1) return core::Invalid("http.threads must be at least 1", "http.threads");
  if (s.options.max_json_depth < 1)
    return core::Invalid("http.max_json_depth must be at least 1", "http.max_json_depth");

  std::vector<Authenticator::Entry> entries;
  entries.reserve(s.options.tokens.size());
  for (const Token& t : s.options.tokens) entries.push_back({t.name, t.role, t.sha256});
  core::Result<Authenticator> auth = Authenticator::Create(entries, s.options.users);
  if (!auth.ok()) return auth.error();
  s.auth = std::move(*auth);

  boost::system::error_code ec;
  asio::ip::address address = asio::ip::make_address(s.options.address, ec);
  if (ec) return core::Invalid("http.address is not an IP address: " + s.options.address, "http.address");

  for (int i = 0; i < s.options.threads; ++i) s.runtime->workers.push_back(std::make_unique<Worker>());
  s.ctx = std::make_unique<Context>(
      Context{s.backend, s.options, s.metrics, s.auth, s.blocking, s.hub, s.draining, s.runtime, s.sessions,
                s.throttle});

  tcp::endpoint endpoint(address, s.options.port);
  s.acceptor = std::make_unique<tcp::acceptor>(s.runtime->workers[0]->io);
  s.acceptor->open(endpoint.protocol(), ec);
  if (!ec) s.acceptor->set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) s.acceptor->bind(endpoint, ec);
  if (!ec) s.acceptor->listen(asio::socket_base::max_listen_connections, ec);
  if (ec) {
    std::string where = s.options.address + ":" + std::to_string(s.options.port);
    s.acceptor.reset();
    return core::Unavailable("cannot listen on " + where + ": " + ec.message());
  }
  tcp::endpoint bound = s.acceptor->local_endpoint(ec);
  std::string host = address.is_v6() ? "[" + address.to_string() + "]" : address.to_string();
  std::string bound_text = host + ":" + std::to_string(bound.port());

  s.hub.Attach(s.backend);
  s.accepting.store(true);
  asio::co_spawn(s.runtime->workers[0]->io, s.AcceptLoop(), asio::detached);
  for (size_t i = 0; i < s.runtime->workers.size(); ++i) {
    Worker* w = s.runtime->workers[i].get();
    s.threads.emplace_back([w, i] {
      core::NameThisThread("http-" + std::to_string(i));
      for (;;) {
        try {
          w->io.run();
          return;
        } catch (const std::exception& e) {
          spdlog::error("http: I/O thread caught: {}", e.what());
        }
      }
    });
  }
  spdlog::info("http: listening on {} ({} I/O threads)", bound_text, s.options.threads);
  return bound_text;
}

void Server::Stop() {
  Impl& s = *impl_;
  if (s.stopped) return;
  s.stopped = true;
  s.draining.store(true);
  if (s.threads.empty()) {
    if (s.acceptor) s.acceptor.reset();
    return;
  }

  // Order matters: no new connections, no new live frames, then idle connections closed; busy ones finish their
  // current request (engine commits still arrive: the engine is stopped after the server).
  asio::post(s.runtime->workers[0]->io, [&s] {
    boost::system::error_code ignored;
    s.acceptor->close(ignored);
  });
  s.hub.Detach();
  for (auto& worker : s.runtime->workers) {
    Worker* w = worker.get();
    asio::post(w->io, [w] { ShutdownConnections(*w); });
  }
  const auto deadline = std::chrono::steady_clock::now() + s.options.drain_timeout;
  while (std::chrono::steady_clock::now() < deadline &&
         (s.runtime->active.load() > 0 || s.runtime->refusing.load() > 0 || s.accepting.load())) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  if (s.runtime->active.load() > 0) {
    spdlog::warn("http: {} connections still busy after {} ms; stopping anyway", s.runtime->active.load(),
                 s.options.drain_timeout.count());
  }
  for (auto& worker : s.runtime->workers) {
    worker->guard.reset();
    worker->io.stop();
  }
  for (auto& t : s.threads) t.join();
  s.threads.clear();
  s.blocking.stop();
  s.blocking.join();
  // The acceptor belongs to worker 0's io_context: release it while that context still exists.
  s.acceptor.reset();
}

}  // namespace http
