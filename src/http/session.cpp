#include "http/session.h"

#include <algorithm>
#include <cctype>

#include <sodium.h>

#include "core/result.h"

namespace http {

namespace {

// 256 random bits as unpadded base64url (43 characters).
std::string RandomToken() {
  unsigned char bytes[32];
  randombytes_buf(bytes, sizeof bytes);
  char text[sodium_base64_ENCODED_LEN(sizeof bytes, sodium_base64_VARIANT_URLSAFE_NO_PADDING)];
  sodium_bin2base64(text, sizeof text, bytes, sizeof bytes, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
  sodium_memzero(bytes, sizeof bytes);
  return std::string(text);
}

std::string Key(std::string_view cookie) {
  const TokenHash hash = HashToken(cookie);
  return std::string(reinterpret_cast<const char*>(hash.data()), hash.size());
}

std::string_view TrimSpaces(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

}  // namespace

SessionStore::SessionStore(SessionOptions options) : options_(options) {
  // randombytes_buf needs an initialised libsodium; sodium_init is idempotent and thread-safe.
  INCIDENTD_CHECK(sodium_init() >= 0);
  INCIDENTD_CHECK(options_.max_sessions > 0);
}

std::string SessionStore::Create(const Principal& principal, core::Timestamp now, Session* created) {
  std::string cookie = RandomToken();
  Entry entry;
  entry.session.principal = &principal;
  entry.session.csrf_token = RandomToken();
  entry.session.created = now;
  entry.session.expires_at = std::min(now + options_.idle, now + options_.lifetime);
  entry.last_used = now;
  if (created != nullptr) *created = entry.session;

  std::lock_guard lock(mu_);
  // Sessions past their lifetime sit at the old end: drop them first, then the oldest live one if still full.
  while (!by_age_.empty()) {
    auto oldest = sessions_.find(by_age_.begin()->second);
    INCIDENTD_CHECK(oldest != sessions_.end());
    const bool expired = now >= oldest->second.session.created + options_.lifetime;
    if (!expired && sessions_.size() < options_.max_sessions) break;
    EraseLocked(oldest);
  }
  entry.serial = next_serial_++;
  std::string key = Key(cookie);
  by_age_.emplace(entry.serial, key);
  sessions_.emplace(std::move(key), std::move(entry));
  return cookie;
}

std::optional<Session> SessionStore::Find(std::string_view cookie, core::Timestamp now) {
  if (cookie.empty() || cookie.size() > 256) return std::nullopt;
  const std::string key = Key(cookie);
  std::lock_guard lock(mu_);
  auto it = sessions_.find(key);
  if (it == sessions_.end()) return std::nullopt;
  Entry& e = it->second;
  if (now >= e.last_used + options_.idle || now >= e.session.created + options_.lifetime) {
    EraseLocked(it);
    return std::nullopt;
  }
  e.last_used = std::max(e.last_used, now);
  e.session.expires_at = std::min(e.last_used + options_.idle, e.session.created + options_.lifetime);
  return e.session;
}

bool SessionStore::End(std::string_view cookie) {
  if (cookie.empty() || cookie.size() > 256) return false;
  const std::string key = Key(cookie);
  std::lock_guard lock(mu_);
  auto it = sessions_.find(key);
  if (it == sessions_.end()) return false;
  EraseLocked(it);
  return true;
}

size_t SessionStore::size() const {
  std::lock_guard lock(mu_);
  return sessions_.size();
}

void SessionStore::EraseLocked(std::unordered_map<std::string, Entry>::iterator it) {
  by_age_.erase(it->second.serial);
  sessions_.erase(it);
}

std::optional<core::Duration> SignInThrottle::Blocked(std::string_view user, core::Timestamp now) const {
  std::lock_guard lock(mu_);
  return BlockedLocked(std::string(user), now);
}

void SignInThrottle::RecordFailure(std::string_view user, core::Timestamp now) {
  std::lock_guard lock(mu_);
  RecordFailureLocked(std::string(user), now);
}

std::optional<core::Duration> SignInThrottle::Attempt(std::string_view user, core::Timestamp now) {
  const std::string name(user);
  std::lock_guard lock(mu_);
  if (auto wait = BlockedLocked(name, now)) return wait;
  RecordFailureLocked(name, now);
  return std::nullopt;
}

std::optional<core::Duration> SignInThrottle::BlockedLocked(const std::string& user, core::Timestamp now) const {
  auto it = failures_.find(user);
  if (it == failures_.end() || it->second.size() < kMaxFailures) return std::nullopt;
  // Full: blocked until the oldest of the last kMaxFailures leaves the window.
  const core::Timestamp free_at = it->second.front() + kWindow;
  if (now >= free_at) return std::nullopt;
  return free_at - now;
}

void SignInThrottle::RecordFailureLocked(const std::string& user, core::Timestamp now) {
  auto it = failures_.find(user);
  if (it == failures_.end()) {
    if (failures_.size() >= max_names_) {
      // Forget the names whose failures have all left the window; if none has, the one failing least recently.
      std::erase_if(failures_, [&](const auto& kv) { return now >= kv.second.back() + kWindow; });
      if (failures_.size() >= max_names_) {
        auto stalest = std::min_element(failures_.begin(), failures_.end(), [](const auto& a, const auto& b) {
          return a.second.back() < b.second.back();
        });
        failures_.erase(stalest);
      }
    }
    it = failures_.emplace(user, std::deque<core::Timestamp>()).first;
  }
  auto& times = it->second;
  while (!times.empty() && now >= times.front() + kWindow) times.pop_front();
  times.push_back(now);
  while (times.size() > kMaxFailures) times.pop_front();
}

void SignInThrottle::Clear(std::string_view user) {
  std::lock_guard lock(mu_);
  failures_.erase(std::string(user));
}

size_t SignInThrottle::size() const {
  std::lock_guard lock(mu_);
  return failures_.size();
}

std::optional<std::string_view> CookieValue(std::string_view header, std::string_view name) {
  // RFC 6265 section 5.4: "name=value" pairs separated by "; ". Browsers send one Cookie header; be lenient about
  // the spaces and skip pairs without '='.
  while (!header.empty()) {
    const size_t semi = header.find(';');
    std::string_view pair = header.substr(0, semi);
    header = semi == std::string_view::npos ? std::string_view() : header.substr(semi + 1);
    const size_t eq = pair.find('=');
    if (eq == std::string_view::npos) continue;
    if (TrimSpaces(pair.substr(0, eq)) != name) continue;
    std::string_view value = TrimSpaces(pair.substr(eq + 1));
    if (value.size() >= 2 && value.front() == '"' && value.back() == '"') value = value.substr(1, value.size() - 2);
    return value;
  }
  return std::nullopt;
}

std::string SessionCookieHeader(std::string_view value, const SessionOptions& options) {
  std::string out(kSessionCookie);
  out += '=';
  out += value;
  out += "; Path=/; HttpOnly; SameSite=Strict; Max-Age=";
  const auto max_age = std::chrono::duration_cast<std::chrono::seconds>(options.lifetime).count();
  out += value.empty() ? "0" : std::to_string(max_age);
  if (options.secure_cookie) out += "; Secure";
  return out;
}

bool SecretsEqual(std::string_view a, std::string_view b) {
  // The length of our tokens is no secret; only the content is compared in constant time.
  if (a.size() != b.size() || a.empty()) return false;
  return sodium_memcmp(a.data(), b.data(), a.size()) == 0;
}

bool SameOrigin(std::string_view origin, std::string_view host) {
  if (host.empty()) return false;
  for (std::string_view scheme : {std::string_view("http://"), std::string_view("https://")}) {
    if (origin.size() != scheme.size() + host.size() || !origin.starts_with(scheme)) continue;
    // Host names are case-insensitive; browsers send the Origin in lower case.
    const std::string_view rest = origin.substr(scheme.size());
    if (std::equal(rest.begin(), rest.end(), host.begin(), [](char x, char y) {
          return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
        })) {
      return true;
    }
  }
  return false;
}

}  // namespace http
