#include "http/standby.h"

#include <spdlog/spdlog.h>

#include <boost/asio/ip/address.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/json.hpp>
#include <mutex>
#include <set>
#include <thread>

#include "http/problem.h"

namespace http {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = asio::ip::tcp;

StandbyAnswer AnswerAsStandby(std::string_view target, const std::string& writer) {
  const std::string_view path = target.substr(0, target.find('?'));
  StandbyAnswer a;
  if (path == "/healthz") {
    a.status = 200;
    a.content_type = "text/plain; charset=utf-8";
    a.body = "standby";
    return a;
  }
  a.status = 503;
  a.content_type = "application/problem+json";
  const std::string detail = path == "/readyz" ? std::string("standby: another node is the writer")
                             : writer.empty()
                                 ? std::string("this node is a standby; the writer's address is not known yet")
                                 : "this node is a standby; send requests to the writer at " + writer;
  boost::json::value doc = boost::json::parse(ProblemJson(kUnavailableProblem, detail));
  doc.as_object()["writer"] = writer.empty() ? boost::json::value(nullptr) : boost::json::value(writer);
  a.body = boost::json::serialize(doc);
  return a;
}

namespace {

constexpr auto kWriterTtl = std::chrono::seconds(1);
constexpr auto kReadTimeout = std::chrono::seconds(10);

}  // namespace

struct StandbyResponder::Impl {
  explicit Impl(std::function<std::string()> lookup) : writer_address(std::move(lookup)) {}

  struct Session : std::enable_shared_from_this<Session> {
    Session(Impl& impl, tcp::socket socket) : impl(impl), stream(std::move(socket)) {}
    void Read() {
      request = {};
      stream.expires_after(kReadTimeout);
      bhttp::async_read(stream, buffer, request, [self = shared_from_this()](beast::error_code ec, size_t) {
        if (ec) return self->Close();
        self->Answer();
      });
    }
    void Answer() {
      const auto target = request.target();
      StandbyAnswer a = AnswerAsStandby(std::string_view(target.data(), target.size()), impl.Writer());
      response = {};
      response.version(request.version());
      response.result(static_cast<bhttp::status>(a.status));
      response.set(bhttp::field::content_type, a.content_type);
      if (a.status == 503) response.set(bhttp::field::retry_after, "1");
      response.set(bhttp::field::cache_control, "no-store");
      response.keep_alive(request.keep_alive());
      response.body() = std::move(a.body);
      response.prepare_payload();
      bhttp::async_write(stream, response, [self = shared_from_this()](beast::error_code ec, size_t) {
        if (ec || !self->response.keep_alive()) return self->Close();
        self->Read();
      });
    }
    void Close() {
      beast::error_code ignored;
      stream.socket().shutdown(tcp::socket::shutdown_both, ignored);
      stream.socket().close(ignored);
      impl.sessions.erase(this);
    }

    Impl& impl;
    beast::tcp_stream stream;
    beast::flat_buffer buffer;
    bhttp::request<bhttp::string_body> request;
    bhttp::response<bhttp::string_body> response;
  };

  std::string Writer() {
    const auto now = std::chrono::steady_clock::now();
    if (!looked_up || now - looked_up_at >= kWriterTtl) {
      writer = writer_address ? writer_address() : std::string();
      looked_up = true;
      looked_up_at = now;
    }
    return writer;
  }

  void Accept() {
    acceptor.async_accept([this](beast::error_code ec, tcp::socket socket) {
      if (ec) return;  // closed by Stop
      auto session = std::make_shared<Session>(*this, std::move(socket));
      sessions.insert(session.get());
      session->Read();
      Accept();
    });
  }

  std::function<std::string()> writer_address;
  asio::io_context io{1};
  tcp::acceptor acceptor{io};
  std::set<Session*> sessions;  // open connections, closed by Stop (io thread only)
  std::thread thread;
  std::string writer;
  bool looked_up = false;
  std::chrono::steady_clock::time_point looked_up_at;
};

StandbyResponder::StandbyResponder(std::function<std::string()> writer_address)
    : impl_(std::make_unique<Impl>(std::move(writer_address))) {}

StandbyResponder::~StandbyResponder() { Stop(); }

core::Result<std::string> StandbyResponder::Start(const std::string& address, uint16_t port) {
  beast::error_code ec;
  const auto ip = asio::ip::make_address(address, ec);
  if (ec) return core::Invalid("cannot parse the listen address " + address + ": " + ec.message());
  const tcp::endpoint endpoint(ip, port);
  impl_->acceptor.open(endpoint.protocol(), ec);
  if (!ec) impl_->acceptor.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) impl_->acceptor.bind(endpoint, ec);
  if (!ec) impl_->acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) return core::Unavailable("cannot listen on " + address + ":" + std::to_string(port) + ": " + ec.message());
  const auto bound = impl_->acceptor.local_endpoint();
  impl_->Accept();
  impl_->thread = std::thread([this] { impl_->io.run(); });
  return bound.address().to_string() + ":" + std::to_string(bound.port());
}

void StandbyResponder::Stop() {
  if (!impl_->thread.joinable()) return;
  asio::post(impl_->io, [impl = impl_.get()] {
    beast::error_code ignored;
    impl->acceptor.close(ignored);
    for (auto* session : std::set<Impl::Session*>(impl->sessions)) {
      session->stream.socket().close(ignored);
    }
    impl->io.stop();  // what is still pending (timers, closed sessions' handlers) is dropped with the io_context
  });
  impl_->thread.join();
}

}  // namespace http
