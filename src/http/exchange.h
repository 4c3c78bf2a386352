// Internal: the HTTP edge's own request/response shapes and the context handlers run in, kept free of Beast so the
// handler files compile quickly and can be read without it.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "core/result.h"
#include "http/auth.h"
#include "http/problem.h"

namespace boost::asio {
class thread_pool;
}

namespace http {

class Backend;
class Metrics;
class SessionStore;
class SignInThrottle;
class SseHub;
struct ServerOptions;

enum class Method { kGet, kHead, kPost, kPut, kDelete, kPatch, kOptions, kOther };

// A request whose header has been read; `body` is filled for endpoints that take one.
struct Request {
  Method method = Method::kOther;
  std::string_view path;   // without the query
  std::string_view query;  // after '?', empty when none
  std::string_view content_type;
  std::string_view authorization;
  std::string_view last_event_id;
  std::string_view accept;
  // Read only when the request has no Authorization header (the session cookie and its CSRF checks) or, for
  // If-None-Match, when it asks for a UI file: the ingest path pays nothing for them.
  std::string_view cookie;
  std::string_view csrf_token;  // X-CSRF-Token
  std::string_view origin;
  std::string_view host;
  std::string_view if_none_match;
  std::string body;
  uint64_t id = 0;  // the {id} path parameter, when the route has one
  std::string_view param;  // a text path parameter (silence id, service), when the route has one
  const Principal* principal = nullptr;
  std::shared_ptr<const Principal> vendor;  // owns `principal` when a vendor grant authenticated the request
};

struct Response {
  int status = 200;
  std::string_view content_type = "application/json";  // always a static string
  std::string body;
  std::string_view allow;  // non-empty: an Allow header
  int retry_after = 0;     // > 0: a Retry-After header (seconds)
  bool www_authenticate = false;
  bool close = false;  // close the connection after this response
  // Last, so the positional initialisers of the members above stay as they were.
  std::string location;  // non-empty: a Location header (the created resource's path; never user text)
  std::string set_cookie = {};     // non-empty: a Set-Cookie header
  std::string_view etag = {};      // non-empty: an ETag header (static, quoted)
  std::string_view headers = {};   // static header lines, each "\r\nName: value", written as they are
  // Header lines of another server's answer (a follower relaying the writer's), each "\r\nName: value", written
  // as they are; an empty content_type is then left to them.
  std::string relayed_headers = {};
};

// What handlers reach: shared by every connection, all members thread-safe.
struct Context {
  Backend& backend;
  const ServerOptions& options;
  Metrics& metrics;
  const Authenticator& auth;
  boost::asio::thread_pool& blocking;  // for store reads that may take a while
  SseHub& hub;
  const std::atomic<bool>& draining;  // Stop has begun
  std::shared_ptr<void> lifetime;     // keeps the I/O contexts alive for engine callbacks arriving late
  SessionStore& sessions;             // the web UI's signed-in sessions
  SignInThrottle& throttle;           // failed sign-ins per user name
};

// A problem+json response of the given type.
Response ProblemResponse(const ProblemType& type, std::string_view detail, std::string_view field = {});
// The response for an error (see http/problem.h for the table); adds Retry-After to 429/503 and
// WWW-Authenticate to 401, and hides internal details.
Response ErrorResponse(const core::Error& error);
Response JsonResponse(int status, std::string body);

}  // namespace http
