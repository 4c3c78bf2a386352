// Web UI sessions: signed-in users' cookie sessions kept in memory (only the SHA-256 of each cookie value), the
// CSRF token that goes with each, and the throttle on failed sign-ins. Nothing here reads a clock: callers pass `now`.
#pragma once

#include <cstddef>
#include <deque>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "core/time.h"
#include "http/auth.h"

namespace http {

// The name of the session cookie.
inline constexpr std::string_view kSessionCookie = "incidentd_session";

struct SessionOptions {
  core::Duration idle = std::chrono::hours(8);       // ended after this long without a request (ui.session_idle)
  core::Duration lifetime = std::chrono::hours(24);  // ended this long after sign-in, used or not (ui.session_lifetime)
  size_t max_sessions = 10000;                       // more: the oldest is ended
  bool secure_cookie = false;  // add "; Secure" to the cookie: when the listener serves TLS (it never does yet)
};

// A live session as a request sees it.
struct Session {
  const Principal* principal = nullptr;  // the user's, owned by the Authenticator (which outlives the store)
  std::string csrf_token;                // what X-CSRF-Token must carry on unsafe requests
  core::Timestamp created;
  core::Timestamp expires_at;  // when it ends if not used again: the earlier of the idle and absolute ends
};

// Thread-safe. Bounded: at most options.max_sessions live at once.
class SessionStore {
 public:
  explicit SessionStore(SessionOptions options = {});

  // A new session for `principal` (which must outlive the store). Returns the cookie value (43 characters of
  // base64url, 256 random bits from libsodium); the store keeps only its SHA-256. Ends the oldest session when full.
  std::string Create(const Principal& principal, core::Timestamp now, Session* created = nullptr);

  // The session of a cookie value, touched (its idle timer restarts at `now`); nullopt when unknown, ended or past
  // its idle timeout or lifetime (an expired one is dropped).
  std::optional<Session> Find(std::string_view cookie, core::Timestamp now);

  // Ends the session of a cookie value; false when there was none.
  bool End(std::string_view cookie);

  size_t size() const;
  const SessionOptions& options() const { return options_; }

 private:
  struct Entry {
    Session session;
    core::Timestamp last_used;
    uint64_t serial = 0;  // creation order, for eviction
  };
  void EraseLocked(std::unordered_map<std::string, Entry>::iterator it);

  SessionOptions options_;
  mutable std::mutex mu_;
  std::unordered_map<std::string, Entry> sessions_;  // by the raw SHA-256 of the cookie value
  std::map<uint64_t, std::string> by_age_;           // serial -> key of sessions_
  uint64_t next_serial_ = 1;
};

// Failed sign-ins per user name: after kMaxFailures within kWindow, further attempts are refused until the oldest
// of them leaves the window. Thread-safe; remembers at most `max_names` names (the stalest are forgotten first).
class SignInThrottle {
 public:
  static constexpr size_t kMaxFailures = 5;
  static constexpr core::Duration kWindow = std::chrono::minutes(15);

  explicit SignInThrottle(size_t max_names = 10000) : max_names_(max_names) {}

  // How long `user` must wait before trying again; nullopt when an attempt is allowed now.
  std::optional<core::Duration> Blocked(std::string_view user, core::Timestamp now) const;
  void RecordFailure(std::string_view user, core::Timestamp now);
  // Blocked and RecordFailure in one step: an attempt counts as a failure from its start, so attempts running at
  // the same time cannot all slip past the limit. Returns the wait when blocked (nothing recorded then).
  std::optional<core::Duration> Attempt(std::string_view user, core::Timestamp now);
  // A successful sign-in forgets the user's failures.
  void Clear(std::string_view user);

  size_t size() const;

 private:
  std::optional<core::Duration> BlockedLocked(const std::string& user, core::Timestamp now) const;
  void RecordFailureLocked(const std::string& user, core::Timestamp now);

  size_t max_names_;
  mutable std::mutex mu_;
  std::unordered_map<std::string, std::deque<core::Timestamp>> failures_;  // newest last, at most kMaxFailures
};

// The value of cookie `name` in a Cookie header ("a=1; incidentd_session=xyz"), without surrounding quotes;
// nullopt when the header does not have it. Spaces around the separators are allowed.
std::optional<std::string_view> CookieValue(std::string_view header, std::string_view name);

// The Set-Cookie header value that sets (`value` non-empty, Max-Age = the lifetime) or clears (Max-Age=0) the session
// cookie: Path=/; HttpOnly; SameSite=Strict, plus Secure when options.secure_cookie.
std::string SessionCookieHeader(std::string_view value, const SessionOptions& options);

// Whether two secrets are equal, in time that does not depend on where they differ.
bool SecretsEqual(std::string_view a, std::string_view b);

// Whether an Origin header value is the origin of the Host header value ("http://<host>" or "https://<host>").
bool SameOrigin(std::string_view origin, std::string_view host);

}  // namespace http
