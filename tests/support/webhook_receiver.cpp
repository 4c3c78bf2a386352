#include "support/webhook_receiver.h"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <condition_variable>
#include <functional>
#include <future>
#include <mutex>
#include <set>
#include <thread>

namespace test_support {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

constexpr auto kTuple = asio::as_tuple(asio::use_awaitable);

}  // namespace

std::string ReceivedRequest::Header(std::string_view name) const {
  for (const auto& [key, value] : headers) {
    if (beast::iequals(key, name)) return value;
  }
  return "";
}

struct WebhookReceiver::Impl {
  // Guarded by mu.
  mutable std::mutex mu;
  mutable std::condition_variable arrived;
  std::vector<ReceivedRequest> requests;
  size_t connections = 0;
  int status = 200;
  std::string retry_after;
  std::string body = "ok";
  bool stalled = false;

  // Touched only on the server thread.
  std::shared_ptr<tcp::acceptor> acceptor;
  std::set<std::shared_ptr<beast::tcp_stream>> open;

  // Last, so that it goes first: its pending coroutines refer to the members above.
  asio::io_context io;
  asio::executor_work_guard<asio::io_context::executor_type> work{io.get_executor()};
  std::thread thread;

  // Runs `fn` on the server thread and waits for it.
  template <typename Fn>
  auto OnServer(Fn fn) {
    std::packaged_task<decltype(fn())()> task(std::move(fn));
    auto done = task.get_future();
    asio::post(io, [&task] { task(); });
    return done.get();
  }

  core::Status Listen(uint16_t port) {
    auto a = std::make_shared<tcp::acceptor>(io);
    boost::system::error_code ec;
    const tcp::endpoint where(asio::ip::make_address_v4("127.0.0.1"), port);
    a->open(where.protocol(), ec);
    if (!ec) a->set_option(tcp::acceptor::reuse_address(true), ec);
    if (!ec) a->bind(where, ec);
    if (!ec) a->listen(asio::socket_base::max_listen_connections, ec);
    if (ec) {
      return core::Unavailable("webhook receiver: listen on 127.0.0.1:" + std::to_string(port) + ": " + ec.message());
    }
    acceptor = a;
    asio::co_spawn(io, Accept(a), asio::detached);
    return core::Ok();
  }

  void Close() {
    boost::system::error_code ignored;
    if (acceptor) acceptor->close(ignored);
    acceptor.reset();
    for (const auto& stream : open) {
      stream->socket().shutdown(tcp::socket::shutdown_both, ignored);
      stream->socket().close(ignored);
    }
    open.clear();
  }

  asio::awaitable<void> Accept(std::shared_ptr<tcp::acceptor> a) {
    for (;;) {
      auto [ec, socket] = co_await a->async_accept(kTuple);
      if (ec) co_return;  // closed by Stop
      {
        std::lock_guard lock(mu);
        ++connections;
      }
      auto stream = std::make_shared<beast::tcp_stream>(std::move(socket));
      open.insert(stream);
      asio::co_spawn(io, Serve(stream), asio::detached);
    }
  }

  asio::awaitable<void> Serve(std::shared_ptr<beast::tcp_stream> stream) {
    beast::flat_buffer buffer;
    for (;;) {
      http::request<http::string_body> req;
      auto [ec, n] = co_await http::async_read(*stream, buffer, req, kTuple);
      if (ec) break;
      http::response<http::string_body> res;
      bool answer = true;
      {
        std::lock_guard lock(mu);
        ReceivedRequest r;
        r.method = std::string(req.method_string());
        r.target = std::string(req.target());
        for (const auto& field : req) r.headers.emplace_back(field.name_string(), field.value());
        r.body = req.body();
        r.received_at = std::chrono::steady_clock::now();
        requests.push_back(std::move(r));
        res.result(static_cast<unsigned>(status));
        if (!retry_after.empty()) res.set(http::field::retry_after, retry_after);
        // 204 and 304 carry no body (Beast refuses to write one).
        if (status != 204 && status != 304) res.body() = body;
        answer = !stalled;
      }
      arrived.notify_all();
      // A stalled request gets nothing; the client gives up and closes, which ends the next read.
      if (!answer) continue;
      res.version(req.version());
      res.keep_alive(req.keep_alive());
      res.set(http::field::content_type, "text/plain");
      res.prepare_payload();
      auto [write_ec, written] = co_await http::async_write(*stream, res, kTuple);
      if (write_ec || !res.keep_alive()) break;
    }
    boost::system::error_code ignored;
    stream->socket().shutdown(tcp::socket::shutdown_both, ignored);
    stream->socket().close(ignored);
    open.erase(stream);
  }
};

WebhookReceiver::WebhookReceiver() : impl_(std::make_unique<Impl>()) {
  impl_->thread = std::thread([this] { impl_->io.run(); });
  auto listening = impl_->OnServer([this] {
    auto st = impl_->Listen(0);
    return st.ok() ? impl_->acceptor->local_endpoint().port() : uint16_t{0};
  });
  INCIDENTD_CHECK(listening != 0);
  port_ = listening;
}

WebhookReceiver::~WebhookReceiver() {
  impl_->OnServer([this] {
    impl_->Close();
    return 0;
  });
  impl_->work.reset();
  impl_->io.stop();
  impl_->thread.join();
}

std::string WebhookReceiver::Url(std::string_view path) const {
  return "http://127.0.0.1:" + std::to_string(port_) + std::string(path);
}

void WebhookReceiver::SetStatus(int status) {
  std::lock_guard lock(impl_->mu);
  impl_->status = status;
}

void WebhookReceiver::SetRetryAfter(std::string value) {
  std::lock_guard lock(impl_->mu);
  impl_->retry_after = std::move(value);
}

void WebhookReceiver::SetBody(std::string body) {
  std::lock_guard lock(impl_->mu);
  impl_->body = std::move(body);
}

void WebhookReceiver::SetStalled(bool stalled) {
  std::lock_guard lock(impl_->mu);
  impl_->stalled = stalled;
}

void WebhookReceiver::Stop() {
  impl_->OnServer([this] {
    impl_->Close();
    return 0;
  });
}

core::Status WebhookReceiver::Start() {
  return impl_->OnServer([this]() -> core::Status {
    if (impl_->acceptor) return core::Ok();
    return impl_->Listen(port_);
  });
}

std::vector<ReceivedRequest> WebhookReceiver::Requests() const {
  std::lock_guard lock(impl_->mu);
  return impl_->requests;
}

size_t WebhookReceiver::Count() const {
  std::lock_guard lock(impl_->mu);
  return impl_->requests.size();
}

size_t WebhookReceiver::Connections() const {
  std::lock_guard lock(impl_->mu);
  return impl_->connections;
}

bool WebhookReceiver::WaitFor(size_t count, std::chrono::milliseconds timeout) const {
  std::unique_lock lock(impl_->mu);
  return impl_->arrived.wait_for(lock, timeout, [&] { return impl_->requests.size() >= count; });
}

}  // namespace test_support
