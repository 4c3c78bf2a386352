// Internal: what a follower (ServerOptions::writer set; docs/deploy.md) does with a request that writes: it sends
// it to the writer and relays the writer's answer, or answers 503 naming the writer when it cannot or must not.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <boost/asio/awaitable.hpp>

#include "http/exchange.h"
#include "http/router.h"

namespace http {

// Whether a follower hands the (admitted) request to the writer: every method but GET, HEAD and OPTIONS, except
// the node's own sign-in and sign-out (sessions belong to the node that made them); and every request made with a
// vendor grant, since each use of a grant is journaled before it is served.
bool WritesOnFollower(const Request& request, Endpoint endpoint);

// The request headers a follower passes on (when present): credentials, the CSRF checks' inputs, the body's type,
// idempotency and content negotiation. It adds Host, Forwarded and Via itself.
inline constexpr std::string_view kPassedHeaders[] = {"Authorization", "Content-Type",    "Cookie", "X-CSRF-Token",
                                                      "Origin",        "Idempotency-Key", "Accept"};

// A request on its way to the writer.
struct Outgoing {
  std::string method;                                        // as received ("POST", "DELETE", ...)
  std::string target;                                        // path and query as received
  std::vector<std::pair<std::string, std::string>> headers;  // kPassedHeaders present, plus Forwarded and Via
  std::string body;
};

// The `Via` a follower adds. A write arriving with it was forwarded already: the writer's address led back to a
// follower, and forwarding it again could loop.
inline constexpr std::string_view kVia = "1.1 incidentd-follower";

// Why a follower answers a write itself instead of forwarding it (503 naming the writer), or nullopt when it may
// forward: forwarding is off, the caller signed in to this node's web UI (the writer does not know the session), or
// the request was forwarded once already (`via` holds kVia).
std::optional<Response> RefuseToForward(const Context& ctx, const Request& request, std::string_view via,
                                        const std::string& writer);

// The Forwarded header (RFC 7239) for a request from `client_ip` reaching this node at `by` ("address:port"),
// appended to what an earlier proxy said (`earlier`, may be empty).
std::string ForwardedValue(std::string_view earlier, const std::string& client_ip, const std::string& by);

// Sends `out` to the writer at `writer` (its base URL, "http://host[:port][/prefix]") on the calling coroutine's
// executor and returns the writer's answer: its status, its headers (except hop-by-hop ones and Content-Length) and
// its body. Connections to the writer are kept alive and reused by the same I/O thread for up to 2 s. A request is
// sent a second time only when a reused idle connection turns out closed before anything came back (the writer
// had not read it); otherwise it never retries (the writer may have applied a request whose answer was lost).
// Answers 503 naming the
// writer, with Retry-After: 1, when the writer is unknown (""), not an http:// URL, cannot be reached, or has not
// answered within ctx.options.forward_timeout; 502 when its answer is malformed or its body is larger than
// ctx.options.max_forwarded_answer_bytes.
boost::asio::awaitable<Response> ForwardToWriter(Context& ctx, Outgoing out, std::string writer);

// 503 problem+json (`unavailable`) with `detail` and a `writer` member (null when `writer` is ""), Retry-After: 1.
Response WriterProblem(std::string_view detail, const std::string& writer);

}  // namespace http
