#include "support/sse_client.h"

#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <optional>

namespace test_support {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

// Takes one complete frame (up to a blank line) off the front of `pending`; nullopt when there is none yet.
// A frame holding only comments yields an event with empty fields, which the caller skips.
std::optional<SseEvent> TakeFrame(std::string& pending) {
  std::string frame;
  for (size_t pos = 0;;) {
    const size_t eol = pending.find('\n', pos);
    if (eol == std::string::npos) return std::nullopt;
    std::string_view line(pending.data() + pos, eol - pos);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.empty()) {
      frame = pending.substr(0, pos);
      pending.erase(0, eol + 1);
      break;
    }
    pos = eol + 1;
  }
  SseEvent event;
  bool has_data = false;
  size_t start = 0;
  while (start < frame.size()) {
    size_t eol = frame.find('\n', start);
    std::string line = frame.substr(start, eol - start);
    start = eol + 1;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty() || line[0] == ':') continue;
    const size_t colon = line.find(':');
    std::string field = line.substr(0, colon);
    std::string value = colon == std::string::npos ? "" : line.substr(colon + 1);
    if (!value.empty() && value[0] == ' ') value.erase(0, 1);
    if (field == "id") {
      event.id = value;
    } else if (field == "event") {
      event.event = value;
    } else if (field == "data") {
      if (has_data) event.data += '\n';
      event.data += value;
      has_data = true;
    }
  }
  return event;
}

}  // namespace

struct SseStream::Impl {
  asio::io_context ioc;
  std::optional<beast::tcp_stream> stream;
  beast::flat_buffer buffer;
  http::response_parser<http::buffer_body> parser;
  HttpResponse head;
  std::string pending;  // body bytes not yet taken as frames
  bool ended = false;

  template <typename Start>
  beast::error_code Run(core::Duration timeout, Start&& start) {
    std::optional<beast::error_code> result;
    stream->expires_after(timeout);
    start([&result](beast::error_code ec, auto&&...) { result = ec; });
    ioc.restart();
    ioc.run();
    return result.value_or(asio::error::operation_aborted);
  }
};

SseStream::SseStream(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

SseStream::~SseStream() {
  if (impl_->stream) {
    beast::error_code ignored;
    impl_->stream->socket().shutdown(tcp::socket::shutdown_both, ignored);
    impl_->stream->close();
  }
}

const HttpResponse& SseStream::head() const { return impl_->head; }

core::Result<std::unique_ptr<SseStream>> SseStream::Open(uint16_t port, const std::string& token,
                                                         const std::string& target,
                                                         const std::string& last_event_id, core::Duration timeout,
                                                         const Headers& headers) {
  auto impl = std::make_unique<Impl>();
  impl->stream.emplace(impl->ioc);
  const std::string where = "127.0.0.1:" + std::to_string(port);
  auto ec = impl->Run(timeout, [&](auto handler) {
    impl->stream->async_connect(tcp::endpoint(asio::ip::make_address_v4("127.0.0.1"), port), std::move(handler));
  });
  if (ec) return core::Unavailable("connect to " + where + ": " + ec.message());

  http::request<http::empty_body> req{http::verb::get, target, 11};
  req.set(http::field::host, where);
  req.set(http::field::accept, "text/event-stream");
  if (!token.empty()) req.set(http::field::authorization, "Bearer " + token);
  if (!last_event_id.empty()) req.set("Last-Event-ID", last_event_id);
  for (const auto& [name, value] : headers) req.set(name, value);
  ec = impl->Run(timeout, [&](auto handler) { http::async_write(*impl->stream, req, std::move(handler)); });
  if (ec) return core::Unavailable("send to " + where + ": " + ec.message());

  impl->parser.body_limit(boost::none);
  ec = impl->Run(timeout, [&](auto handler) {
    http::async_read_header(*impl->stream, impl->buffer, impl->parser, std::move(handler));
  });
  if (ec) return core::Unavailable("read the stream's head from " + where + ": " + ec.message());
  const auto& res = impl->parser.get();
  impl->head.status = static_cast<int>(res.result_int());
  for (const auto& field : res) {
    impl->head.headers.emplace_back(std::string(field.name_string()), std::string(field.value()));
  }
  return std::unique_ptr<SseStream>(new SseStream(std::move(impl)));
}

core::Result<SseEvent> SseStream::Next(core::Duration timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    while (auto frame = TakeFrame(impl_->pending)) {
      if (!frame->id.empty() || !frame->event.empty() || !frame->data.empty()) {
        if (frame->event.empty()) frame->event = "message";
        return *std::move(frame);
      }
    }
    if (impl_->ended || !impl_->stream) return core::Unavailable("the event stream ended");
    const auto left = std::chrono::duration_cast<core::Duration>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) return core::Unavailable("no complete event within the deadline");

    char chunk[8192];
    auto& body = impl_->parser.get().body();
    body.data = chunk;
    body.size = sizeof(chunk);
    auto ec = impl_->Run(left, [&](auto handler) {
      http::async_read_some(*impl_->stream, impl_->buffer, impl_->parser, std::move(handler));
    });
    impl_->pending.append(chunk, sizeof(chunk) - body.size);
    if (ec == http::error::need_buffer) ec = {};
    if (ec) {
      impl_->stream.reset();
      return core::Unavailable(ec == beast::error::timeout ? "no complete event within the deadline"
                                                           : "the event stream failed: " + ec.message());
    }
    if (impl_->parser.is_done()) impl_->ended = true;
  }
}

}  // namespace test_support
