#include "support/http_client.h"

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <optional>

namespace test_support {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

constexpr uint64_t kMaxBody = 256ull * 1024 * 1024;
constexpr uint32_t kMaxHeader = 1024 * 1024;

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  return beast::iequals(a, b);
}

bool ClosedBeforeAnswer(const beast::error_code& ec) {
  return ec == http::error::end_of_stream || ec == asio::error::eof || ec == asio::error::connection_reset ||
         ec == asio::error::broken_pipe;
}

}  // namespace

std::string HttpResponse::Header(std::string_view name) const {
  for (const auto& [key, value] : headers) {
    if (EqualsIgnoreCase(key, name)) return value;
  }
  return "";
}

struct HttpClient::Impl {
  uint16_t port = 0;
  std::string token;
  core::Duration timeout = std::chrono::seconds(30);
  asio::io_context ioc;
  std::optional<beast::tcp_stream> stream;
  beast::flat_buffer buffer;

  std::string Where() const { return "127.0.0.1:" + std::to_string(port); }

  core::Status Connect() {
    stream.emplace(ioc);
    buffer.clear();
    std::optional<beast::error_code> result;
    stream->expires_after(timeout);
    stream->async_connect(tcp::endpoint(asio::ip::make_address_v4("127.0.0.1"), port),
                          [&result](beast::error_code ec) { result = ec; });
    ioc.restart();
    ioc.run();
    if (!result || *result) {
      stream.reset();
      return core::Unavailable("connect to " + Where() + ": " +
                               result.value_or(asio::error::operation_aborted).message());
    }
    return core::Ok();
  }

  void Disconnect() {
    if (!stream) return;
    beast::error_code ignored;
    stream->socket().shutdown(tcp::socket::shutdown_both, ignored);
    stream->close();
    stream.reset();
  }

  // Writes with `start_write` while reading one response, so that an answer sent before the server read the
  // whole request still arrives. `nothing_received` tells whether the connection failed before any answer byte.
  template <typename StartWrite>
  core::Result<HttpResponse> Exchange(StartWrite&& start_write, bool& nothing_received) {
    http::response_parser<http::string_body> parser;
    parser.body_limit(kMaxBody);
    parser.header_limit(kMaxHeader);
    std::optional<beast::error_code> write_ec;
    std::optional<beast::error_code> read_ec;
    stream->expires_after(timeout);
    start_write([&write_ec](beast::error_code ec, std::size_t) { write_ec = ec; });
    http::async_read(*stream, buffer, parser, [&](beast::error_code ec, std::size_t) {
      read_ec = ec;
      // The answer came before the request was fully written: stop writing, the connection is done.
      if (!write_ec) {
        beast::error_code ignored;
        stream->socket().cancel(ignored);
      }
    });
    ioc.restart();
    ioc.run();

    nothing_received = !parser.got_some();
    if (!read_ec || *read_ec) {
      const beast::error_code ec = read_ec.value_or(asio::error::operation_aborted);
      nothing_received = nothing_received && ClosedBeforeAnswer(ec);
      Disconnect();
      return core::Unavailable("HTTP exchange with " + Where() + ": " +
                               (ec == beast::error::timeout ? std::string("timed out") : ec.message()));
    }
    auto& res = parser.get();
    HttpResponse response;
    response.status = static_cast<int>(res.result_int());
    for (const auto& field : res) {
      response.headers.emplace_back(std::string(field.name_string()), std::string(field.value()));
    }
    response.body = std::move(res.body());
    if (!write_ec || *write_ec || !res.keep_alive()) Disconnect();
    return response;
  }
};

HttpClient::HttpClient(uint16_t port, std::string token) : impl_(std::make_unique<Impl>()) {
  impl_->port = port;
  impl_->token = std::move(token);
}

HttpClient::~HttpClient() {
  if (impl_) impl_->Disconnect();
}

HttpClient::HttpClient(HttpClient&&) noexcept = default;
HttpClient& HttpClient::operator=(HttpClient&&) noexcept = default;

void HttpClient::set_timeout(core::Duration timeout) { impl_->timeout = timeout; }

void HttpClient::Close() { impl_->Disconnect(); }

core::Result<HttpResponse> HttpClient::Get(std::string_view target) { return Send("GET", target, ""); }

core::Result<HttpResponse> HttpClient::Post(std::string_view target, std::string body,
                                            std::string_view content_type) {
  return Send("POST", target, std::move(body), {{"Content-Type", std::string(content_type)}});
}

core::Result<HttpResponse> HttpClient::Send(std::string_view method, std::string_view target, std::string body,
                                            const Headers& headers) {
  http::request<http::string_body> req;
  req.method_string(method);
  req.target(target);
  req.version(11);
  req.set(http::field::host, impl_->Where());
  if (!impl_->token.empty()) req.set(http::field::authorization, "Bearer " + impl_->token);
  if (!body.empty()) req.set(http::field::content_type, "application/json");
  req.body() = std::move(body);
  req.prepare_payload();
  for (const auto& [name, value] : headers) {
    if (value.empty()) {
      req.erase(name);
    } else {
      req.set(name, value);
    }
  }

  for (int attempt = 0;; ++attempt) {
    const bool reused = impl_->stream.has_value();
    if (!reused) {
      if (auto connected = impl_->Connect(); !connected.ok()) return connected.error();
    }
    bool nothing_received = false;
    auto response = impl_->Exchange(
        [&](auto handler) { http::async_write(*impl_->stream, req, std::move(handler)); }, nothing_received);
    if (response.ok() || !reused || !nothing_received || attempt > 0) return response;
  }
}

core::Result<HttpResponse> HttpClient::SendRaw(std::string_view bytes) {
  impl_->Disconnect();
  if (auto connected = impl_->Connect(); !connected.ok()) return connected.error();
  bool nothing_received = false;
  auto response = impl_->Exchange(
      [&](auto handler) { asio::async_write(*impl_->stream, asio::buffer(bytes.data(), bytes.size()),
                                            std::move(handler)); },
      nothing_received);
  impl_->Disconnect();
  return response;
}

}  // namespace test_support
