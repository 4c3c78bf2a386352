#include "http/connection.h"

#include <array>
#include <charconv>
#include <algorithm>
#include <optional>

#include <spdlog/spdlog.h>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/buffer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>

#include "http/backend.h"
#include "http/forward.h"
#include "http/handlers.h"
#include "http/metrics.h"
#include "http/router.h"
#include "http/server.h"
#include "http/session.h"
#include "http/sse.h"

// g++ 12 reports a false -Wmismatched-new-delete on Asio's coroutine frames (class-specific operator new/delete
// pairs it fails to match after inlining); the frames are allocated and freed by Asio's own pair.
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"

namespace http {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = asio::ip::tcp;

namespace {

constexpr auto kTuple = asio::as_tuple(asio::use_awaitable);
// After refusing a request whose body was not read, the rest of it is read and discarded for this long (and at
// most kDrainBytes) before closing, so the client sees our answer instead of a connection reset.
constexpr auto kDrainTime = std::chrono::milliseconds(500);
constexpr size_t kDrainBytes = 4 << 20;
constexpr size_t kIdleBufferBytes = 64 * 1024;
// Beast reads into whatever room the buffer has, and at least 512 bytes: a buffer that starts empty never grows past
// 512 bytes while each request is parsed as it arrives, so a 600-byte request took two reads. Room for a typical
// request's head and small JSON body from the start, and for a body of known length before it is read (up to the
// size an idle connection may keep), makes that one read.
constexpr size_t kFirstReadBytes = 4096;

Method ToMethod(bhttp::verb verb) {
  switch (verb) {
    case bhttp::verb::get:
      return Method::kGet;
    case bhttp::verb::head:
      return Method::kHead;
    case bhttp::verb::post:
      return Method::kPost;
    case bhttp::verb::put:
      return Method::kPut;
    case bhttp::verb::delete_:
      return Method::kDelete;
    case bhttp::verb::patch:
      return Method::kPatch;
    case bhttp::verb::options:
      return Method::kOptions;
    default:
      return Method::kOther;
  }
}

std::string_view View(boost::beast::string_view s) { return {s.data(), s.size()}; }

asio::awaitable<void> CloseGracefully(beast::tcp_stream& stream, bool drain) {
  beast::error_code ec;
  stream.socket().shutdown(tcp::socket::shutdown_send, ec);
  if (drain && !ec) {
    std::array<char, 8192> scratch;
    size_t drained = 0;
    stream.expires_after(kDrainTime);
    while (drained < kDrainBytes) {
      auto [read_ec, n] = co_await stream.async_read_some(asio::buffer(scratch), kTuple);
      if (read_ec) break;
      drained += n;
    }
  }
  stream.socket().close(ec);
}

// The answer to a request that could not be read, or nullopt when the connection should just close.
std::optional<Response> ReadErrorResponse(Context& ctx, const beast::error_code& ec) {
  if (ec == bhttp::error::header_limit) {
    ctx.metrics.CountRejected(RejectReason::kHeaderTooLarge);
    return ProblemResponse(kHeaderTooLarge,
                           "request headers exceed " + std::to_string(ctx.options.max_header_bytes) + " bytes");
  }
  if (ec == bhttp::error::body_limit) {
    ctx.metrics.CountRejected(RejectReason::kTooLarge);
    return ProblemResponse(kPayloadTooLarge,
                           "request body exceeds " + std::to_string(ctx.options.max_body_bytes) + " bytes");
  }
  if (ec == beast::error::timeout) {
    ctx.metrics.CountRejected(RejectReason::kTimeout);
    return std::nullopt;
  }
  if (ec == bhttp::error::end_of_stream || ec == bhttp::error::partial_message) return std::nullopt;
  if (ec.category() == beast::error_code(bhttp::error::bad_target).category()) {  // any other parse error
    ctx.metrics.CountRejected(RejectReason::kInvalid);
    return ProblemResponse(kInvalidRequest, "malformed HTTP request");
  }
  return std::nullopt;  // the socket failed or was closed
}

// The principal of a vendor grant the header's token belongs to, while the grant is in force (the engine checks
// again, at its own clock, when it journals the use). Null otherwise, with `why` for a grant that ended.
std::shared_ptr<const Principal> VendorPrincipal(Context& ctx, std::string_view authorization, std::string& why) {
  std::optional<std::string> token = PresentedToken(authorization);
  if (!token || token->size() > 512) return nullptr;
  const std::string sha = HashTokenHex(*token);
  std::shared_ptr<Principal> p;
  const int64_t now_ms = core::ToUnixMillis(std::chrono::time_point_cast<core::Duration>(std::chrono::system_clock::now()));
  ctx.backend.ReadState([&](const engine::State& s) {
    const uint64_t id = s.coord.GrantByToken(sha);
    const coord::Grant* g = s.coord.FindGrant(id);
    if (g == nullptr) return;
    if (!g->revoked.empty()) {
      why = "vendor grant " + std::to_string(id) + " ended (" + g->revoked + ")";
      return;
    }
    if (now_ms >= g->expires_ms) {
      why = "vendor grant " + std::to_string(id) + " expired";
      return;
    }
    p = std::make_shared<Principal>();
    p->name = g->vendor;
    p->role = Role::kVendor;
    p->actor = "vendor:" + g->vendor + "#" + std::to_string(id);
    p->vendor_grant = id;
    p->vendor_incident = g->incident_id;
    p->vendor_scopes = g->scopes;
  });
  return p;
}

// What a vendor may do with a grant: read its incident and timeline (scope read), post to its log (scope log).
bool VendorMay(const Principal& p, const RouteMatch& route) {
  if (route.id != p.vendor_incident) return false;
  auto has = [&](const char* scope) {
    return std::find(p.vendor_scopes.begin(), p.vendor_scopes.end(), scope) != p.vendor_scopes.end();
  };
  switch (route.endpoint) {
    case Endpoint::kGetIncident:
    case Endpoint::kTimeline:
      return has("read");
    case Endpoint::kLogEntry:
      return has("log");
    default:
      return false;
  }
}

// The caller of a request without an Authorization header that carries the session cookie: the session's user, after
// the CSRF checks for unsafe methods. Sets `refusal` (and returns null) when the cookie or the request is refused;
// returns null without a refusal when there is no session cookie at all.
const Principal* SessionPrincipal(Context& ctx, Request& request, std::optional<Response>& refusal) {
  std::optional<std::string_view> cookie = CookieValue(request.cookie, kSessionCookie);
  if (!cookie) return nullptr;
  const auto now = std::chrono::time_point_cast<core::Duration>(std::chrono::system_clock::now());
  std::optional<Session> session = ctx.sessions.Find(*cookie, now);
  if (!session) {
    ctx.metrics.CountRejected(RejectReason::kUnauthenticated);
    refusal = ProblemResponse(kUnauthenticatedProblem, "the session has ended or is unknown: sign in again");
    return nullptr;
  }
  if (auto csrf = CheckCsrf(request, *session)) {
    ctx.metrics.CountRejected(RejectReason::kDenied);
    refusal = std::move(csrf);
    return nullptr;
  }
  return session->principal;
}

// Route, method, authentication, permission and media type: the checks made before a body is read.
// Returns the refusal, or nullopt when the request may proceed.
std::optional<Response> Admit(Context& ctx, const RouteMatch& route, Request& request, bool has_body) {
  if (route.kind == RouteMatch::Kind::kNotFound) {
    return ProblemResponse(kNotFoundProblem, "no such resource: " + std::string(request.path));
  }
  if (route.kind == RouteMatch::Kind::kMethodNotAllowed) {
    Response res = ProblemResponse(kMethodNotAllowed, "use " + std::string(route.allow));
    res.allow = route.allow;
    return res;
  }
  if (route.permission != Permission::kNone) {
    // The Authorization header, when present, wins over the session cookie.
    const Principal* from_session = nullptr;
    if (request.authorization.empty() && !request.cookie.empty()) {
      std::optional<Response> refusal;
      from_session = SessionPrincipal(ctx, request, refusal);
      if (refusal) return refusal;
    }
    core::Result<const Principal*> principal = from_session != nullptr
                                                   ? core::Result<const Principal*>(from_session)
                                                   : ctx.auth.Authenticate(request.authorization);
    if (!principal.ok()) {
      // Not a configured token: perhaps a vendor's grant to one incident.
      std::string why;
      request.vendor = VendorPrincipal(ctx, request.authorization, why);
      if (request.vendor == nullptr) {
        ctx.metrics.CountRejected(RejectReason::kUnauthenticated);
        return ProblemResponse(kUnauthenticatedProblem, why.empty() ? principal.error().message : why);
      }
      principal = request.vendor.get();
    }
    if ((*principal)->role == Role::kVendor) {
      if (!VendorMay(**principal, route)) {
        ctx.metrics.CountRejected(RejectReason::kDenied);
        return ProblemResponse(kDeniedProblem, "a vendor grant covers incident " +
                                                   std::to_string((*principal)->vendor_incident) +
                                                   " only: read it and its timeline, or post to its log");
      }
    } else if (!Allows((*principal)->role, route.permission)) {
      ctx.metrics.CountRejected(RejectReason::kDenied);
      return ProblemResponse(kDeniedProblem, std::string("role ") + ToString((*principal)->role) + " may not do this");
    }
    request.principal = *principal;
  }
  if (route.json_body && has_body && !request.content_type.empty() && !IsJsonContentType(request.content_type)) {
    ctx.metrics.CountRejected(RejectReason::kUnsupportedMediaType);
    return ProblemResponse(kUnsupportedMediaType, "Content-Type must be application/json");
  }
  return std::nullopt;
}

void AppendNumber(std::string& out, uint64_t n) {
  char digits[24];
  auto [end, ec] = std::to_chars(digits, digits + sizeof digits, n);
  out.append(digits, end);
}

// Writes the response. The header is formatted by hand into `head`, a buffer the connection reuses: Beast's
// serializer costs a few allocations and buffer-sequence walks per response, which shows at this request rate.
asio::awaitable<bool> WriteResponse(Context& ctx, beast::tcp_stream& stream, Response& res, unsigned version,
                                    bool keep_alive, std::string& head) {
  head.clear();
  head += version == 10 ? "HTTP/1.0 " : "HTTP/1.1 ";
  AppendNumber(head, static_cast<uint64_t>(res.status));
  head += ' ';
  head += View(bhttp::obsolete_reason(static_cast<bhttp::status>(res.status)));
  if (!res.content_type.empty()) {
    head += "\r\nContent-Type: ";
    head += res.content_type;
  }
  if (res.status != 204 && res.status != 304) {  // these have no body, and RFC 9110 forbids the length on a 204
    head += "\r\nContent-Length: ";
    AppendNumber(head, res.body.size());
  } else {
    res.body.clear();
  }
  if (!res.allow.empty()) {
    head += "\r\nAllow: ";
    head += res.allow;
  }
  if (!res.location.empty()) {
    head += "\r\nLocation: ";
    head += res.location;
  }
  if (res.retry_after > 0) {
    head += "\r\nRetry-After: ";
    AppendNumber(head, static_cast<uint64_t>(res.retry_after));
  }
  if (res.www_authenticate) head += "\r\nWWW-Authenticate: Bearer";
  if (!res.etag.empty()) {
    head += "\r\nETag: ";
    head += res.etag;
  }
  if (!res.set_cookie.empty()) {
    head += "\r\nSet-Cookie: ";
    head += res.set_cookie;
  }
  head += res.headers;
  head += res.relayed_headers;
  if (!keep_alive) {
    head += "\r\nConnection: close";
  } else if (version == 10) {
    head += "\r\nConnection: keep-alive";
  }
  head += "\r\n\r\n";
  ctx.metrics.CountResponse(res.status);
  stream.expires_after(ctx.options.request_timeout);
  std::array<asio::const_buffer, 2> buffers{asio::buffer(head), asio::buffer(res.body)};
  auto [ec, n] = co_await asio::async_write(stream, buffers, kTuple);
  co_return !ec;
}

// The request as a follower sends it on to the writer: method, target, body, the headers that matter, and
// Forwarded and Via saying it went through this node.
Outgoing MakeOutgoing(const bhttp::request<bhttp::string_body>& message, std::string body, const tcp::socket& socket) {
  Outgoing out;
  out.method = std::string(View(message.method_string()));
  out.target = std::string(View(message.target()));
  out.body = std::move(body);
  for (std::string_view name : kPassedHeaders) {
    auto it = message.find(beast::string_view(name.data(), name.size()));
    if (it != message.end()) out.headers.emplace_back(std::string(name), std::string(View(it->value())));
  }
  beast::error_code ec;
  const tcp::endpoint client = socket.remote_endpoint(ec);
  const tcp::endpoint local = socket.local_endpoint(ec);
  const std::string local_ip = local.address().to_string();
  const std::string by =
      (local.address().is_v6() ? "[" + local_ip + "]" : local_ip) + ":" + std::to_string(local.port());
  out.headers.emplace_back("Forwarded",
                           ForwardedValue(View(message[bhttp::field::forwarded]), client.address().to_string(), by));
  std::string via(View(message[bhttp::field::via]));
  out.headers.emplace_back("Via", via.empty() ? std::string(kVia) : via + ", " + std::string(kVia));
  return out;
}

}  // namespace

void ShutdownConnections(Worker& worker) {
  for (Connection* c : worker.connections) {
    c->closing = true;
    if (c->idle) c->stream.cancel();
  }
}

asio::awaitable<void> RunConnection(Context& ctx, Runtime& runtime, Worker& worker, tcp::socket socket) {
  Connection conn(std::move(socket));
  worker.connections.insert(&conn);
  struct Leave {
    Runtime& runtime;
    Worker& worker;
    Connection& conn;
    ~Leave() {
      worker.connections.erase(&conn);
      runtime.active.fetch_sub(1, std::memory_order_relaxed);
    }
  } leave{runtime, worker, conn};

  beast::flat_buffer buffer;
  buffer.reserve(kFirstReadBytes);
  std::string head;  // response header text, reused across requests
  try {
    for (;;) {
      bhttp::request_parser<bhttp::string_body> parser;
      parser.header_limit(static_cast<uint32_t>(std::min<size_t>(ctx.options.max_header_bytes, UINT32_MAX)));
      parser.body_limit(ctx.options.max_body_bytes);

      // A large body grew the buffer; do not keep a megabyte per idle keep-alive connection.
      if (buffer.size() == 0 && buffer.capacity() > kIdleBufferBytes) {
        buffer.shrink_to_fit();
        buffer.reserve(kFirstReadBytes);
      }
      conn.idle = true;
      if (conn.closing) break;
      conn.stream.expires_after(ctx.options.request_timeout);
      auto [read_ec, read_n] = co_await bhttp::async_read_header(conn.stream, buffer, parser, kTuple);
      conn.idle = false;
      if (read_ec) {
        if (std::optional<Response> res = ReadErrorResponse(ctx, read_ec)) {
          co_await WriteResponse(ctx, conn.stream, *res, 11, false, head);
          co_await CloseGracefully(conn.stream, true);
        }
        break;
      }

      auto& message = parser.get();
      Request request;
      request.method = ToMethod(message.method());
      std::string_view target = View(message.target());
      size_t question = target.find('?');
      request.path = target.substr(0, question);
      if (question != std::string_view::npos) request.query = target.substr(question + 1);
      request.content_type = View(message[bhttp::field::content_type]);
      request.authorization = View(message[bhttp::field::authorization]);
      request.last_event_id = View(message["Last-Event-ID"]);
      request.accept = View(message[bhttp::field::accept]);

      const bool has_body = !parser.is_done();
      RouteMatch route = MatchRoute(request.method, request.path);
      if (request.authorization.empty()) {
        // Perhaps a browser with the session cookie: what the CSRF checks need.
        request.cookie = View(message[bhttp::field::cookie]);
        request.csrf_token = View(message["X-CSRF-Token"]);
        request.origin = View(message[bhttp::field::origin]);
        request.host = View(message[bhttp::field::host]);
      }
      if (route.endpoint == Endpoint::kUiFile || route.endpoint == Endpoint::kUiIndex) {
        request.if_none_match = View(message[bhttp::field::if_none_match]);
      }
      request.id = route.id;
      request.param = route.param;
      Response res;
      bool body_unread = false;
      // A follower (ctx.options.writer set) authenticates and authorises every request itself, then hands the
      // ones that write to the writer.
      bool forward = false;
      std::string writer;
      std::optional<Response> refusal = Admit(ctx, route, request, has_body);
      if (!refusal && ctx.options.writer && WritesOnFollower(request, route.endpoint)) {
        forward = true;
        writer = ctx.options.writer();
        refusal = RefuseToForward(ctx, request, View(message[bhttp::field::via]), writer);
      }
      if (refusal) {
        res = std::move(*refusal);
        body_unread = has_body;
      } else if (route.endpoint == Endpoint::kEvents) {
        conn.stream.expires_never();
        co_await ServeEvents(ctx, conn.stream, request);
        break;
      } else {
        if (has_body) {
          if (beast::iequals(message[bhttp::field::expect], "100-continue")) {
            static constexpr std::string_view kContinue = "HTTP/1.1 100 Continue\r\n\r\n";
            auto [ec, n] =
                co_await asio::async_write(conn.stream, asio::buffer(kContinue.data(), kContinue.size()), kTuple);
            if (ec) break;
          }
          if (auto length = parser.content_length(); length && *length > buffer.size()) {
            buffer.reserve(static_cast<size_t>(std::min<uint64_t>(*length, kIdleBufferBytes)));
          }
          auto [body_ec, body_n] = co_await bhttp::async_read(conn.stream, buffer, parser, kTuple);
          if (body_ec) {
            if (std::optional<Response> error = ReadErrorResponse(ctx, body_ec)) {
              co_await WriteResponse(ctx, conn.stream, *error, message.version(), false, head);
              co_await CloseGracefully(conn.stream, true);
            }
            break;
          }
          request.body = std::move(message.body());
        }
        conn.stream.expires_never();
        if (forward) {
          res = co_await ForwardToWriter(ctx, MakeOutgoing(message, std::move(request.body), conn.stream.socket()),
                                         std::move(writer));
        } else {
          res = co_await Dispatch(ctx, route.endpoint, request);
        }
      }

      if (res.content_type == "application/problem+json") res.content_type = ProblemMediaType(request.accept);
      const bool keep_alive = message.keep_alive() && !res.close && !body_unread && !conn.closing &&
                              !ctx.draining.load(std::memory_order_relaxed);
      if (!co_await WriteResponse(ctx, conn.stream, res, message.version(), keep_alive, head)) break;
      if (!keep_alive) {
        co_await CloseGracefully(conn.stream, body_unread);
        break;
      }
    }
  } catch (const std::exception& e) {
    // Handlers report expected failures as values; an exception here is a bug or resource exhaustion.
    spdlog::error("http: connection ended by exception: {}", e.what());
  }
  beast::error_code ignored;
  conn.stream.socket().close(ignored);
}

asio::awaitable<void> RefuseConnection(Context& ctx, Runtime& runtime, tcp::socket socket) {
  struct Leave {
    Runtime& runtime;
    ~Leave() { runtime.refusing.fetch_sub(1, std::memory_order_relaxed); }
  } leave{runtime};
  beast::tcp_stream stream(std::move(socket));
  ctx.metrics.CountRejected(RejectReason::kConnectionLimit);
  Response res = ProblemResponse(kUnavailableProblem, "too many connections");
  try {
    std::string head;
    if (co_await WriteResponse(ctx, stream, res, 11, false, head)) co_await CloseGracefully(stream, true);
  } catch (const std::exception& e) {
    spdlog::error("http: refusing a connection: {}", e.what());
  }
  beast::error_code ignored;
  stream.socket().close(ignored);
}

}  // namespace http
