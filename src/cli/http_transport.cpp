#include "cli/http_transport.h"

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/url/parse.hpp>

#include <optional>
#include <utility>

namespace cli {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

constexpr uint64_t kMaxResponseBody = 256ull * 1024 * 1024;

struct Endpoint {
  std::string host;       // for the resolver (IPv6 without brackets)
  std::string port;
  std::string host_header;
  std::string path_prefix;  // "" or "/prefix" without a trailing slash
};

core::Result<Endpoint> ParseServerUrl(std::string_view text) {
  auto parsed = boost::urls::parse_uri(text);
  if (!parsed) {
    return core::Invalid("server URL \"" + std::string(text) + "\" is not a URL", "--server");
  }
  const boost::urls::url_view& url = *parsed;
  if (url.scheme() != "http") {
    return core::Invalid("server URL \"" + std::string(text) + "\" must start with http://", "--server");
  }
  Endpoint endpoint;
  endpoint.host = url.host_address();
  if (endpoint.host.empty()) {
    return core::Invalid("server URL \"" + std::string(text) + "\" has no host", "--server");
  }
  endpoint.port = url.has_port() ? std::string(url.port()) : "80";
  endpoint.host_header = std::string(url.encoded_host_and_port());
  endpoint.path_prefix = std::string(url.encoded_path());
  while (!endpoint.path_prefix.empty() && endpoint.path_prefix.back() == '/') {
    endpoint.path_prefix.pop_back();
  }
  return endpoint;
}

}  // namespace

struct HttpTransport::Impl {
  Endpoint endpoint;
  std::string token;
  core::Duration timeout;
  asio::io_context ioc;
  beast::tcp_stream stream{ioc};
  beast::flat_buffer buffer;
  bool connected = false;

  // Runs one asynchronous step to completion on this thread. The stream's expiry bounds it: Beast only enforces
  // timeouts on asynchronous operations, which is why a blocking client is built from them.
  template <typename Start>
  beast::error_code Run(Start&& start) {
    std::optional<beast::error_code> result;
    stream.expires_after(timeout);
    start([&result](beast::error_code ec, auto&&...) { result = ec; });
    ioc.restart();
    ioc.run();
    return result.value_or(asio::error::operation_aborted);
  }

  std::string Describe(const beast::error_code& ec) const {
    std::string what = ec == beast::error::timeout ? "timed out" : ec.message();
    return "http://" + endpoint.host_header + ": " + what;
  }

  core::Status Connect() {
    tcp::resolver resolver(ioc);
    tcp::resolver::results_type results;
    std::optional<beast::error_code> resolved;
    resolver.async_resolve(endpoint.host, endpoint.port,
                           [&](beast::error_code ec, tcp::resolver::results_type r) {
                             resolved = ec;
                             results = std::move(r);
                           });
    ioc.restart();
    ioc.run();
    if (!resolved || *resolved) {
      return core::Unavailable("cannot resolve " + Describe(resolved.value_or(asio::error::operation_aborted)));
    }
    auto ec = Run([&](auto handler) { stream.async_connect(results, std::move(handler)); });
    if (ec) {
      stream.close();
      return core::Unavailable("cannot connect to " + Describe(ec));
    }
    buffer.clear();
    connected = true;
    return core::Ok();
  }

  void Disconnect() {
    beast::error_code ignored;
    stream.socket().shutdown(tcp::socket::shutdown_both, ignored);
    stream.close();
    connected = false;
  }

  // One exchange on the current connection; `stale` is set when the connection turned out to be closed before
  // anything of a response arrived, which makes a retry safe for idempotent requests.
  core::Result<Response> Exchange(const Request& request, bool& stale) {
    http::request<http::string_body> req{http::string_to_verb(request.method),
                                         endpoint.path_prefix + request.target, 11};
    req.set(http::field::host, endpoint.host_header);
    req.set(http::field::user_agent, "incidentctl");
    req.set(http::field::accept, "application/json, application/problem+json");
    if (!token.empty()) req.set(http::field::authorization, "Bearer " + token);
    if (!request.body.empty()) req.set(http::field::content_type, "application/json");
    req.body() = request.body;
    req.prepare_payload();

    auto ec = Run([&](auto handler) { http::async_write(stream, req, std::move(handler)); });
    if (ec) {
      stale = ec == asio::error::broken_pipe || ec == asio::error::connection_reset;
      Disconnect();
      return core::Unavailable("sending to " + Describe(ec));
    }
    http::response_parser<http::string_body> parser;
    parser.body_limit(kMaxResponseBody);
    ec = Run([&](auto handler) { http::async_read(stream, buffer, parser, std::move(handler)); });
    if (ec) {
      stale = !parser.got_some() && (ec == http::error::end_of_stream || ec == asio::error::connection_reset ||
                                     ec == asio::error::eof);
      Disconnect();
      return core::Unavailable("reading the answer from " + Describe(ec));
    }
    auto& res = parser.get();
    Response response;
    response.status = static_cast<int>(res.result_int());
    response.content_type = std::string(res[http::field::content_type]);
    response.body = std::move(res.body());
    if (!res.keep_alive()) Disconnect();
    return response;
  }
};

HttpTransport::HttpTransport(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

HttpTransport::~HttpTransport() {
  if (impl_->connected) impl_->Disconnect();
}

core::Result<std::unique_ptr<HttpTransport>> HttpTransport::Create(std::string_view server_url, std::string token,
                                                                   core::Duration timeout) {
  auto endpoint = ParseServerUrl(server_url);
  if (!endpoint.ok()) return endpoint.error();
  auto impl = std::make_unique<Impl>();
  impl->endpoint = std::move(endpoint).value();
  impl->token = std::move(token);
  impl->timeout = timeout;
  return std::unique_ptr<HttpTransport>(new HttpTransport(std::move(impl)));
}

core::Result<Response> HttpTransport::Send(const Request& request) {
  const bool may_retry = request.method == "GET";
  for (int attempt = 0;; ++attempt) {
    const bool reused = impl_->connected;
    if (!impl_->connected) {
      if (auto status = impl_->Connect(); !status.ok()) return status.error();
    }
    bool stale = false;
    auto response = impl_->Exchange(request, stale);
    if (response.ok() || !(reused && stale && may_retry && attempt == 0)) return response;
  }
}

}  // namespace cli
