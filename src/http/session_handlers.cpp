// The web UI over HTTP: its embedded files (GET /, GET /ui/{file}) and the cookie sessions (POST, GET and DELETE
// /api/v1/session). See docs/ui.md.
#include <algorithm>
#include <chrono>

#include <spdlog/spdlog.h>
#include <boost/json/array.hpp>
#include <boost/json/monotonic_resource.hpp>
#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>

#include "http/blocking.h"
#include "http/handlers.h"
#include "http/metrics.h"
#include "http/session.h"
#include "http/ui_assets.h"

// g++ 12 reports a false -Wmismatched-new-delete on Asio's coroutine frames (see connection.cpp).
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"

namespace http {
namespace {

namespace json = boost::json;

core::Timestamp Now() { return std::chrono::time_point_cast<core::Duration>(std::chrono::system_clock::now()); }

// A user name as the log shows it: control characters (a forged line break) become '?'.
std::string Printable(std::string_view text) {
  std::string out(text);
  std::replace_if(out.begin(), out.end(), [](char c) { return static_cast<unsigned char>(c) < 0x20 || c == 0x7f; },
                  '?');
  return out;
}

Response AssetResponse(const UiAsset& asset, const Request& request) {
  Response res;
  res.headers = kUiHeaders;
  res.etag = asset.etag;
  res.content_type = asset.content_type;
  if (!request.if_none_match.empty() && EtagMatches(request.if_none_match, asset.etag)) {
    res.status = 304;
    return res;
  }
  res.body.assign(asset.bytes);
  return res;
}

Response NoSuchAsset(std::string_view name) {
  Response res = ProblemResponse(kNotFoundProblem, "no such UI file: " + std::string(name));
  res.headers = kUiHeaders;
  return res;
}

struct SignIn {
  std::string user;
  std::string password;
};

// Plain function: parses the body outside the coroutine (see handlers.h).
core::Result<SignIn> ParseSignIn(const Context& ctx, const Request& request) {
  json::monotonic_resource arena;
  auto parsed = ParseObjectBody(ctx, request, &arena);
  if (!parsed.ok()) return parsed.error();
  const json::object& o = parsed->as_object();
  SignIn in;
  if (auto st = ReadStringField(o, "user", 200, in.user); !st.ok()) return st.error();
  if (auto st = ReadStringField(o, "password", 1024, in.password); !st.ok()) return st.error();
  if (in.user.empty()) return core::Invalid("user is required", "/user");
  if (o.if_contains("password") == nullptr) return core::Invalid("password is required", "/password");
  return in;
}

std::string SessionJson(const Principal& who, const Session& session) {
  json::object o;
  o["user"] = who.user.empty() ? who.name : who.user;
  o["role"] = ToString(who.role);
  json::array teams;
  for (const std::string& team : who.teams) teams.emplace_back(team);
  o["teams"] = std::move(teams);
  o["csrf_token"] = session.csrf_token;
  o["expires_at"] = core::FormatRfc3339(session.expires_at);
  return json::serialize(o);
}

Response NoSession() {
  return ProblemResponse(kUnauthenticatedProblem, "no session: sign in with POST /api/v1/session");
}

// Clears a stale cookie along with a refusal, so the browser stops sending it.
Response NoSessionClearingCookie(const Context& ctx) {
  Response res = NoSession();
  res.set_cookie = SessionCookieHeader("", ctx.sessions.options());
  return res;
}

}  // namespace

std::optional<Response> CheckCsrf(const Request& request, const Session& session) {
  switch (request.method) {
    case Method::kGet:
    case Method::kHead:
    case Method::kOptions:
      return std::nullopt;
    default:
      break;
  }
  if (!SecretsEqual(request.csrf_token, session.csrf_token)) {
    return ProblemResponse(kDeniedProblem,
                           "a request signed in with the session cookie must carry the session's csrf_token in the "
                           "X-CSRF-Token header",
                           "X-CSRF-Token");
  }
  if (!request.origin.empty() && !SameOrigin(request.origin, request.host)) {
    return ProblemResponse(kDeniedProblem, "cross-origin request refused: Origin does not match Host", "Origin");
  }
  return std::nullopt;
}

Response HandleUiIndex(const Request& request) {
  const UiAsset* asset = FindUiAsset("index.html");
  if (asset == nullptr) return NoSuchAsset("index.html");
  return AssetResponse(*asset, request);
}

Response HandleUiFile(const Request& request) {
  const UiAsset* asset = FindUiAsset(request.param);
  if (asset == nullptr) return NoSuchAsset(request.param);
  return AssetResponse(*asset, request);
}

Task<Response> HandleSignIn(Context& ctx, Request& request) {
  // A sign-in from another site's page (login CSRF) is refused when the browser says where it comes from.
  if (!request.origin.empty() && !SameOrigin(request.origin, request.host)) {
    ctx.metrics.CountRejected(RejectReason::kDenied);
    co_return ProblemResponse(kDeniedProblem, "cross-origin sign-in refused: Origin does not match Host", "Origin");
  }
  core::Result<SignIn> in = ParseSignIn(ctx, request);
  if (!in.ok()) co_return ErrorResponse(in.error());
  const std::string& user = in->user;
  const std::string& password = in->password;

  // The attempt counts as a failure until the password proves right (see SignInThrottle::Attempt).
  if (std::optional<core::Duration> wait = ctx.throttle.Attempt(user, Now())) {
    spdlog::warn("ui: sign-in refused for user {}: too many failed attempts", Printable(user));
    ctx.metrics.CountRejected(RejectReason::kOverloaded);
    Response res = ProblemResponse(kOverloadedProblem, "too many failed sign-ins for this user name: try again later");
    res.retry_after = static_cast<int>(std::max<int64_t>(
        1, std::chrono::duration_cast<std::chrono::seconds>(*wait + std::chrono::milliseconds(999)).count()));
    co_return res;
  }

  // Argon2id takes tens of milliseconds and 64 MiB: never on an I/O thread.
  const Authenticator& auth = ctx.auth;
  core::Result<const Principal*> who =
      *co_await OffThread(ctx, [&auth, &user, &password] { return auth.VerifyPassword(user, password); });
  const core::Timestamp now = Now();
  if (!who.ok()) {
    ctx.metrics.CountRejected(RejectReason::kUnauthenticated);
    spdlog::warn("ui: failed sign-in for user {}", Printable(user));
    co_return ProblemResponse(kUnauthenticatedProblem, "wrong user name or password");
  }
  ctx.throttle.Clear(user);
  Session session;
  std::string cookie = ctx.sessions.Create(**who, now, &session);
  spdlog::info("ui: user {} signed in ({} sessions)", Printable(user), ctx.sessions.size());
  Response res = JsonResponse(200, SessionJson(**who, session));
  res.set_cookie = SessionCookieHeader(cookie, ctx.sessions.options());
  co_return res;
}

Response HandleGetSession(Context& ctx, const Request& request) {
  std::optional<std::string_view> cookie = CookieValue(request.cookie, kSessionCookie);
  if (!cookie) return NoSession();
  std::optional<Session> session = ctx.sessions.Find(*cookie, Now());
  if (!session) return NoSessionClearingCookie(ctx);
  return JsonResponse(200, SessionJson(*session->principal, *session));
}

Response HandleSignOut(Context& ctx, const Request& request) {
  std::optional<std::string_view> cookie = CookieValue(request.cookie, kSessionCookie);
  if (!cookie) return NoSession();
  std::optional<Session> session = ctx.sessions.Find(*cookie, Now());
  if (!session) return NoSessionClearingCookie(ctx);
  if (std::optional<Response> refusal = CheckCsrf(request, *session)) {
    ctx.metrics.CountRejected(RejectReason::kDenied);
    return std::move(*refusal);
  }
  ctx.sessions.End(*cookie);
  spdlog::info("ui: user {} signed out", Printable(session->principal->name));
  Response res;
  res.status = 204;
  res.set_cookie = SessionCookieHeader("", ctx.sessions.options());
  return res;
}

}  // namespace http
