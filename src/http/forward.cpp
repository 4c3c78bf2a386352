#include "http/forward.h"

#include <spdlog/spdlog.h>

#include <atomic>
#include <chrono>
#include <memory>
#include <vector>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/string.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/json/object.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "http/auth.h"
#include "http/metrics.h"
#include "http/server.h"

// g++ 12 reports a false -Wmismatched-new-delete on Asio's coroutine frames (see connection.cpp).
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"

namespace http {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = asio::ip::tcp;

namespace {

constexpr auto kTuple = asio::as_tuple(asio::use_awaitable);
constexpr uint32_t kMaxAnswerHeaderBytes = 64 * 1024;

struct WriterUrl {
  std::string host;       // without brackets
  std::string port;       // decimal
  std::string prefix;     // path prefix without a trailing '/', "" for none
  std::string authority;  // the Host header: host[:port] as written
};

// "http://host[:port][/prefix]"; nullopt for anything else (https:// included: a follower speaks plain HTTP, as
// incidentd itself does).
std::optional<WriterUrl> ParseWriterUrl(std::string_view url) {
  constexpr std::string_view kScheme = "http://";
  if (!url.starts_with(kScheme)) return std::nullopt;
  std::string_view rest = url.substr(kScheme.size());
  const size_t slash = rest.find('/');
  const std::string_view authority = rest.substr(0, slash);
  std::string_view prefix = slash == std::string_view::npos ? std::string_view() : rest.substr(slash);
  while (prefix.ends_with('/')) prefix.remove_suffix(1);
  WriterUrl out;
  out.authority = std::string(authority);
  out.prefix = std::string(prefix);
  std::string_view host = authority, port = "80";
  if (authority.starts_with('[')) {
    const size_t close = authority.find(']');
    if (close == std::string_view::npos) return std::nullopt;
    host = authority.substr(1, close - 1);
    std::string_view after = authority.substr(close + 1);
    if (!after.empty()) {
      if (after.front() != ':') return std::nullopt;
      port = after.substr(1);
    }
  } else if (const size_t colon = authority.rfind(':'); colon != std::string_view::npos) {
    host = authority.substr(0, colon);
    port = authority.substr(colon + 1);
  }
  if (host.empty() || port.empty() || port.size() > 5) return std::nullopt;
  for (char c : port) {
    if (c < '0' || c > '9') return std::nullopt;
  }
  out.host = std::string(host);
  out.port = std::string(port);
  return out;
}

// Headers that belong to one connection, not to the message (RFC 9110 section 7.6.1), and the length, which the
// follower's own writer sets.
bool HopByHop(std::string_view name) {
  static constexpr std::string_view kNames[] = {
      "connection", "keep-alive", "proxy-connection",   "transfer-encoding",   "te",
      "trailer",    "upgrade",    "proxy-authenticate", "proxy-authorization", "content-length"};
  for (std::string_view n : kNames) {
    if (beast::iequals(name, n)) return true;
  }
  return false;
}

bhttp::request<bhttp::string_body> BuildRequest(Outgoing& out, const WriterUrl& url) {
  bhttp::request<bhttp::string_body> req;
  req.method_string(out.method);
  req.target(url.prefix + out.target);
  req.version(11);
  for (const auto& [name, value] : out.headers) req.set(name, value);
  req.set(bhttp::field::host, url.authority);
  // HTTP/1.1 keep-alive: the connection goes back to this thread's idle list after the answer (see TakeIdle).
  req.body() = std::move(out.body);
  req.prepare_payload();
  return req;
}

Response Relay(bhttp::response<bhttp::string_body>& answer) {
  Response res;
  res.status = static_cast<int>(answer.result_int());
  res.content_type = {};  // the writer's own Content-Type is among the relayed headers
  for (const auto& field : answer) {
    const auto name = field.name_string();
    if (HopByHop(std::string_view(name.data(), name.size()))) continue;
    const auto value = field.value();
    res.relayed_headers += "\r\n";
    res.relayed_headers.append(name.data(), name.size());
    res.relayed_headers += ": ";
    res.relayed_headers.append(value.data(), value.size());
  }
  res.body = std::move(answer.body());
  return res;
}

// Idle keep-alive connections to the writer, per I/O thread: a connection lives on its thread's io_context, as the
// client connections that forward through it do. A forwarded write reuses the freshest idle connection to the same
// writer, so a stream of single writes costs no TCP handshake each.
struct IdleConnection {
  std::string writer;
  std::unique_ptr<beast::tcp_stream> stream;
  std::chrono::steady_clock::time_point since;
};
// Well below the writer's own idle timeout (http.request_timeout, 30 s by default), so the writer rarely closes one
// just as it is reused; when it does, the write is sent again on a fresh connection (ForwardToWriter).
constexpr auto kReuseWithin = std::chrono::seconds(2);
constexpr size_t kMaxIdlePerThread = 64;
thread_local std::vector<IdleConnection> idle_connections;

std::unique_ptr<beast::tcp_stream> TakeIdle(const std::string& writer) {
  const auto now = std::chrono::steady_clock::now();
  std::erase_if(idle_connections, [&](const IdleConnection& c) { return now - c.since > kReuseWithin; });
  for (size_t i = idle_connections.size(); i-- > 0;) {
    if (idle_connections[i].writer != writer) continue;
    std::unique_ptr<beast::tcp_stream> stream = std::move(idle_connections[i].stream);
    idle_connections.erase(idle_connections.begin() + static_cast<std::ptrdiff_t>(i));
    return stream;
  }
  return nullptr;
}

void Park(const std::string& writer, std::unique_ptr<beast::tcp_stream> stream) {
  if (idle_connections.size() >= kMaxIdlePerThread) idle_connections.erase(idle_connections.begin());
  stream->expires_never();
  idle_connections.push_back(IdleConnection{writer, std::move(stream), std::chrono::steady_clock::now()});
}

void Close(beast::tcp_stream& stream) {
  beast::error_code ignored;
  stream.socket().shutdown(tcp::socket::shutdown_both, ignored);
  stream.socket().close(ignored);
}

// True when a reused idle connection turned out closed by the writer before it read the request: nothing at all
// came back. The writer answers every request it reads before closing (also when draining at SIGTERM), so the
// request was not applied and may be sent again on a fresh connection.
bool ClosedBeforeReading(const beast::error_code& ec, const bhttp::response_parser<bhttp::string_body>& parser) {
  if (!ec || parser.got_some()) return false;
  return ec == bhttp::error::end_of_stream || ec == asio::error::eof || ec == asio::error::connection_reset ||
         ec == asio::error::broken_pipe || ec == asio::error::connection_aborted;
}

// "10 s", "300 ms".
std::string Within(core::Duration d) {
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(d).count();
  return ms % 1000 == 0 ? std::to_string(ms / 1000) + " s" : std::to_string(ms) + " ms";
}

Response Unreachable(Context& ctx, const std::string& writer, const std::string& why) {
  ctx.metrics.CountForwarded(false);
  // While the writer is down every forwarded write fails: log at most one a second (the metric counts them all).
  static std::atomic<int64_t> last_logged{0};
  const int64_t now =
      std::chrono::duration_cast<std::chrono::seconds>(std::chrono::steady_clock::now().time_since_epoch()).count();
  int64_t last = last_logged.load(std::memory_order_relaxed);
  if (now != last && last_logged.compare_exchange_strong(last, now, std::memory_order_relaxed)) {
    spdlog::warn("follower: cannot forward a write to the writer at {}: {}", writer, why);
  }
  return WriterProblem("this node is a follower and could not forward the request to the writer at " + writer + ": " +
                           why + "; retry shortly",
                       writer);
}

}  // namespace

bool WritesOnFollower(const Request& request, Endpoint endpoint) {
  if (request.vendor != nullptr) return true;
  if (endpoint == Endpoint::kSignIn || endpoint == Endpoint::kSignOut) return false;
  return request.method != Method::kGet && request.method != Method::kHead && request.method != Method::kOptions;
}

std::optional<Response> RefuseToForward(const Context& ctx, const Request& request, std::string_view via,
                                        const std::string& writer) {
  const std::string where =
      writer.empty() ? std::string("the writer (its address is not known yet)") : "the writer at " + writer;
  if (!ctx.options.forward_writes) {
    return WriterProblem("this node is a follower and does not forward writes; send them to " + where, writer);
  }
  if (request.principal != nullptr && request.authorization.empty() && request.vendor == nullptr) {
    // Without an Authorization header the caller is a browser signed in to this node: its session means nothing
    // to the writer, which would answer 401 and sign the page out.
    return WriterProblem(
        "this node is a follower; a web UI session belongs to the node it was made on, so "
        "changes need a session on " +
            where + " (or an API token)",
        writer);
  }
  if (via.find(kVia) != std::string_view::npos) {
    return WriterProblem(
        "this node is a follower and the request was forwarded to it by another follower (the "
        "writer's recorded address leads to a follower); send it to " +
            where,
        writer);
  }
  return std::nullopt;
}

std::string ForwardedValue(std::string_view earlier, const std::string& client_ip, const std::string& by) {
  std::string out(earlier);
  if (!out.empty()) out += ", ";
  // An IPv6 address is bracketed and quoted; "by" holds a colon, so it is quoted too (RFC 7239 section 6).
  out += client_ip.find(':') != std::string::npos ? "for=\"[" + client_ip + "]\"" : "for=" + client_ip;
  out += ";by=\"" + by + "\"";
  return out;
}

Response WriterProblem(std::string_view detail, const std::string& writer) {
  boost::json::value doc = boost::json::parse(ProblemJson(kUnavailableProblem, detail));
  doc.as_object()["writer"] = writer.empty() ? boost::json::value(nullptr) : boost::json::value(writer);
  Response res;
  res.status = 503;
  res.content_type = "application/problem+json";
  res.body = boost::json::serialize(doc);
  res.retry_after = 1;
  return res;
}

asio::awaitable<Response> ForwardToWriter(Context& ctx, Outgoing out, std::string writer) {
  if (writer.empty()) {
    ctx.metrics.CountForwarded(false);
    co_return WriterProblem("this node is a follower and does not know the writer's address yet; retry shortly", "");
  }
  std::optional<WriterUrl> url = ParseWriterUrl(writer);
  if (!url) co_return Unreachable(ctx, writer, "a follower forwards only to an http:// address");

  auto executor = co_await asio::this_coro::executor;
  bhttp::request<bhttp::string_body> request = BuildRequest(out, *url);
  std::unique_ptr<beast::tcp_stream> stream = TakeIdle(writer);
  bool reused = stream != nullptr;
  beast::flat_buffer buffer;
  std::optional<bhttp::response_parser<bhttp::string_body>> parser;
  beast::error_code read_ec;
  for (;;) {
    if (stream == nullptr) {
      // Resolving a name is not bounded by the timeout below; the writer's address is normally an IP address.
      tcp::resolver resolver(executor);
      auto [resolve_ec, endpoints] = co_await resolver.async_resolve(url->host, url->port, kTuple);
      if (resolve_ec) co_return Unreachable(ctx, writer, "cannot resolve " + url->host + ": " + resolve_ec.message());
      stream = std::make_unique<beast::tcp_stream>(executor);
      // One deadline for connecting, sending and the whole answer.
      stream->expires_after(ctx.options.forward_timeout);
      auto [connect_ec, endpoint] = co_await stream->async_connect(endpoints, kTuple);
      if (connect_ec) co_return Unreachable(ctx, writer, "cannot connect: " + connect_ec.message());
    } else {
      stream->expires_after(ctx.options.forward_timeout);
    }
    auto [write_ec, written] = co_await bhttp::async_write(*stream, request, kTuple);
    if (write_ec && reused) {  // the writer had closed the idle connection: nothing was sent
      stream.reset();
      reused = false;
      continue;
    }
    if (write_ec) co_return Unreachable(ctx, writer, "cannot send the request: " + write_ec.message());
    buffer.clear();
    parser.emplace();
    parser->header_limit(kMaxAnswerHeaderBytes);
    parser->body_limit(ctx.options.max_forwarded_answer_bytes);
    auto [ec, read] = co_await bhttp::async_read(*stream, buffer, *parser, kTuple);
    read_ec = ec;
    if (reused && ClosedBeforeReading(read_ec, *parser)) {
      stream.reset();
      reused = false;
      continue;
    }
    break;
  }
  if (!read_ec && parser->get().keep_alive()) {
    Park(writer, std::move(stream));
  } else {
    Close(*stream);
  }
  if (read_ec == bhttp::error::body_limit || read_ec == bhttp::error::header_limit) {
    ctx.metrics.CountForwarded(false);
    co_return ProblemResponse(kBadGatewayProblem, "the writer's answer is larger than this follower relays");
  }
  if (read_ec == beast::error::timeout) {
    co_return Unreachable(
        ctx, writer,
        "no answer within " + Within(ctx.options.forward_timeout) + " (the request may or may not have been applied)");
  }
  if (read_ec && (read_ec == bhttp::error::end_of_stream || read_ec == bhttp::error::partial_message ||
                  read_ec.category() != beast::error_code(bhttp::error::bad_target).category())) {
    co_return Unreachable(ctx, writer,
                          "the answer was lost: " + read_ec.message() +
                              " (the request may or may not have been "
                              "applied)");
  }
  if (read_ec) {
    ctx.metrics.CountForwarded(false);
    spdlog::warn("follower: the writer at {} answered a forwarded write with a malformed response: {}", writer,
                 read_ec.message());
    co_return ProblemResponse(kBadGatewayProblem, "the writer's answer was malformed");
  }
  ctx.metrics.CountForwarded(true);
  co_return Relay(parser->get());
}

}  // namespace http
