#include "http/testing/client.h"

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>

#include "core/result.h"

namespace http::testing {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = asio::ip::tcp;

struct Client::Impl {
  asio::io_context io;
  tcp::socket socket{io};
  beast::flat_buffer buffer;

  // Runs the io_context until `done` or `timeout`; on timeout cancels the pending operation.
  template <typename Flag>
  void RunFor(const Flag& done, std::chrono::milliseconds timeout) {
    io.restart();
    auto deadline = std::chrono::steady_clock::now() + timeout;
    while (!done && std::chrono::steady_clock::now() < deadline) {
      io.run_one_for(deadline - std::chrono::steady_clock::now());
    }
    if (!done) {
      boost::system::error_code ignored;
      socket.cancel(ignored);
      io.restart();
      io.run();
    }
  }
};

Client::Client(const std::string& host_port) : impl_(std::make_unique<Impl>()) {
  size_t colon = host_port.rfind(':');
  INCIDENTD_CHECK(colon != std::string::npos);
  tcp::endpoint endpoint(asio::ip::make_address(host_port.substr(0, colon)),
                         static_cast<uint16_t>(std::stoi(host_port.substr(colon + 1))));
  impl_->socket.connect(endpoint);
  impl_->socket.set_option(tcp::no_delay(true));
}

Client::~Client() = default;

Reply Client::Send(std::string_view method, std::string_view target, std::string body, const Headers& headers) {
  bhttp::request<bhttp::string_body> req{bhttp::string_to_verb(method), target, 11};
  req.set(bhttp::field::host, "test");
  for (const auto& [name, value] : headers) req.set(name, value);
  const bool has_body = !body.empty() || method == "POST";
  req.body() = std::move(body);
  if (has_body) req.prepare_payload();
  boost::system::error_code ec;
  bhttp::write(impl_->socket, req, ec);
  if (ec) return Reply{};
  return ReadReply();
}

bool Client::WriteRaw(std::string_view bytes) {
  boost::system::error_code ec;
  asio::write(impl_->socket, asio::buffer(bytes.data(), bytes.size()), ec);
  return !ec;
}

Reply Client::ReadReply(std::chrono::milliseconds timeout) {
  bhttp::response_parser<bhttp::string_body> parser;
  parser.body_limit(64 << 20);
  bool done = false;
  boost::system::error_code result;
  bhttp::async_read(impl_->socket, impl_->buffer, parser, [&](boost::system::error_code ec, size_t) {
    result = ec;
    done = true;
  });
  impl_->RunFor(done, timeout);
  Reply reply;
  if (result || !parser.is_done()) return reply;
  auto& res = parser.get();
  reply.status = static_cast<int>(res.result_int());
  reply.body = res.body();
  reply.keep_alive = res.keep_alive();
  for (const auto& field : res) {
    std::string name(field.name_string());
    for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    reply.headers[name] = std::string(field.value());
  }
  return reply;
}

std::string Client::ReadSome(std::chrono::milliseconds timeout, bool* closed) {
  std::string out;
  if (impl_->buffer.size() > 0) {
    auto data = impl_->buffer.data();
    out.assign(static_cast<const char*>(data.data()), data.size());
    impl_->buffer.consume(impl_->buffer.size());
    return out;
  }
  char chunk[16384];
  bool done = false;
  boost::system::error_code result;
  size_t got = 0;
  impl_->socket.async_read_some(asio::buffer(chunk), [&](boost::system::error_code ec, size_t n) {
    result = ec;
    got = n;
    done = true;
  });
  impl_->RunFor(done, timeout);
  if (closed != nullptr) *closed = done && result && result != asio::error::operation_aborted;
  out.assign(chunk, got);
  return out;
}

std::string Client::ReadUntil(std::string_view needle, std::chrono::milliseconds timeout) {
  std::string all;
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (all.find(needle) == std::string::npos) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) break;
    bool closed = false;
    all += ReadSome(left, &closed);
    if (closed) break;
  }
  return all;
}

bool Client::WaitClosed(std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  impl_->buffer.consume(impl_->buffer.size());
  for (;;) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) return false;
    bool closed = false;
    ReadSome(left, &closed);
    if (closed) return true;
  }
}

Headers Bearer(const std::string& token, Headers more) {
  more.emplace_back("Authorization", "Bearer " + token);
  return more;
}

}  // namespace http::testing
