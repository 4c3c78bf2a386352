#include "http/session.h"

#include <gtest/gtest.h>

#include <set>
#include <string>

namespace http {
namespace {

using std::chrono::hours;
using std::chrono::minutes;
using std::chrono::seconds;

const core::Timestamp kStart = core::FromUnixMillis(1'700'000'000'000);

Principal Alice() {
  Principal p;
  p.name = "alice";
  p.user = "alice";
  p.role = Role::kCommander;
  p.actor = "user:alice";
  p.teams = {"web"};
  return p;
}

SessionOptions Options(size_t max_sessions = 100) {
  SessionOptions o;
  o.idle = hours(8);
  o.lifetime = hours(24);
  o.max_sessions = max_sessions;
  return o;
}

TEST(SessionStoreTest, ACreatedSessionIsFoundByItsCookieWithTheUsersPrincipal) {
  SessionStore store(Options());
  const Principal alice = Alice();
  Session created;

  const std::string cookie = store.Create(alice, kStart, &created);
  auto found = store.Find(cookie, kStart + minutes(1));

  ASSERT_TRUE(found.has_value());
  EXPECT_EQ(found->principal, &alice);
  EXPECT_EQ(found->csrf_token, created.csrf_token);
  EXPECT_EQ(cookie.size(), 43u);  // 256 bits in unpadded base64url
  EXPECT_EQ(created.csrf_token.size(), 43u);
  EXPECT_NE(cookie, created.csrf_token);
}

TEST(SessionStoreTest, CookiesAreRandomAndAnUnknownCookieFindsNothing) {
  SessionStore store(Options());
  const Principal alice = Alice();
  std::set<std::string> cookies;

  for (int i = 0; i < 50; ++i) cookies.insert(store.Create(alice, kStart));

  EXPECT_EQ(cookies.size(), 50u);
  EXPECT_FALSE(store.Find("not-a-session", kStart).has_value());
  EXPECT_FALSE(store.Find("", kStart).has_value());
}

TEST(SessionStoreTest, EndsAfterTheIdleTimeoutWithoutUse) {
  SessionStore store(Options());
  const Principal alice = Alice();
  const std::string cookie = store.Create(alice, kStart);

  auto just_before = store.Find(cookie, kStart + hours(8) - seconds(1));
  auto idle = store.Find(cookie, kStart + hours(16));

  EXPECT_TRUE(just_before.has_value());
  EXPECT_FALSE(idle.has_value());
  EXPECT_EQ(store.size(), 0u);
}

TEST(SessionStoreTest, UseRestartsTheIdleTimer) {
  SessionStore store(Options());
  const Principal alice = Alice();
  const std::string cookie = store.Create(alice, kStart);

  ASSERT_TRUE(store.Find(cookie, kStart + hours(7)).has_value());
  auto later = store.Find(cookie, kStart + hours(14));

  ASSERT_TRUE(later.has_value());
  EXPECT_EQ(later->expires_at, kStart + hours(22));  // idle end: 14h + 8h, before the lifetime's 24h
}

TEST(SessionStoreTest, EndsAtItsAbsoluteLifetimeEvenWhenInUse) {
  SessionStore store(Options());
  const Principal alice = Alice();
  const std::string cookie = store.Create(alice, kStart);
  for (int h = 4; h < 24; h += 4) ASSERT_TRUE(store.Find(cookie, kStart + hours(h)).has_value()) << h;

  auto near_end = store.Find(cookie, kStart + hours(23));
  auto at_end = store.Find(cookie, kStart + hours(24));

  ASSERT_TRUE(near_end.has_value());
  EXPECT_EQ(near_end->expires_at, kStart + hours(24));
  EXPECT_FALSE(at_end.has_value());
}

TEST(SessionStoreTest, EndedSessionIsGone) {
  SessionStore store(Options());
  const Principal alice = Alice();
  const std::string cookie = store.Create(alice, kStart);
  const std::string other = store.Create(alice, kStart);

  EXPECT_TRUE(store.End(cookie));

  EXPECT_FALSE(store.Find(cookie, kStart).has_value());
  EXPECT_FALSE(store.End(cookie));
  EXPECT_TRUE(store.Find(other, kStart).has_value());
}

TEST(SessionStoreTest, WhenFullTheOldestSessionIsEnded) {
  SessionStore store(Options(3));
  const Principal alice = Alice();
  const std::string first = store.Create(alice, kStart);
  const std::string second = store.Create(alice, kStart + seconds(1));
  const std::string third = store.Create(alice, kStart + seconds(2));
  ASSERT_TRUE(store.Find(first, kStart + seconds(3)).has_value());  // use does not make it younger

  const std::string fourth = store.Create(alice, kStart + seconds(4));

  EXPECT_EQ(store.size(), 3u);
  EXPECT_FALSE(store.Find(first, kStart + seconds(5)).has_value());
  EXPECT_TRUE(store.Find(second, kStart + seconds(5)).has_value());
  EXPECT_TRUE(store.Find(third, kStart + seconds(5)).has_value());
  EXPECT_TRUE(store.Find(fourth, kStart + seconds(5)).has_value());
}

TEST(SessionStoreTest, CreatingDropsSessionsPastTheirLifetime) {
  SessionStore store(Options());
  const Principal alice = Alice();
  store.Create(alice, kStart);
  store.Create(alice, kStart + hours(1));

  store.Create(alice, kStart + hours(24) + minutes(30));

  EXPECT_EQ(store.size(), 2u);
}

TEST(SignInThrottleTest, BlocksAUserNameAfterFiveFailuresWithinFifteenMinutes) {
  SignInThrottle throttle;
  for (int i = 0; i < 4; ++i) throttle.RecordFailure("alice", kStart + minutes(i));
  EXPECT_FALSE(throttle.Blocked("alice", kStart + minutes(4)).has_value());

  throttle.RecordFailure("alice", kStart + minutes(4));
  auto wait = throttle.Blocked("alice", kStart + minutes(5));

  ASSERT_TRUE(wait.has_value());
  EXPECT_EQ(*wait, minutes(10));  // until the first failure is 15 minutes old
  EXPECT_FALSE(throttle.Blocked("bob", kStart + minutes(5)).has_value());
  EXPECT_FALSE(throttle.Blocked("alice", kStart + minutes(15)).has_value());
}

TEST(SignInThrottleTest, FailuresOlderThanTheWindowDoNotCount) {
  SignInThrottle throttle;
  for (int i = 0; i < 4; ++i) throttle.RecordFailure("alice", kStart + minutes(i));

  throttle.RecordFailure("alice", kStart + minutes(20));

  EXPECT_FALSE(throttle.Blocked("alice", kStart + minutes(20)).has_value());
}

TEST(SignInThrottleTest, AttemptsCountFromTheirStartSoConcurrentOnesCannotExceedTheLimit) {
  SignInThrottle throttle;
  int allowed = 0;

  for (int i = 0; i < 20; ++i) {
    if (!throttle.Attempt("alice", kStart + seconds(1)).has_value()) ++allowed;
  }

  EXPECT_EQ(allowed, 5);
  EXPECT_TRUE(throttle.Blocked("alice", kStart + seconds(2)).has_value());
}

TEST(SignInThrottleTest, ASuccessfulSignInClearsTheFailures) {
  SignInThrottle throttle;
  for (int i = 0; i < 5; ++i) throttle.RecordFailure("alice", kStart);

  throttle.Clear("alice");

  EXPECT_FALSE(throttle.Blocked("alice", kStart).has_value());
}

TEST(SignInThrottleTest, RemembersABoundedNumberOfNames) {
  SignInThrottle throttle(10);
  for (int i = 0; i < 5; ++i) throttle.RecordFailure("target", kStart + seconds(i));

  for (int i = 0; i < 100; ++i) throttle.RecordFailure("name-" + std::to_string(i), kStart + seconds(10 + i));

  EXPECT_LE(throttle.size(), 10u);
}

TEST(CookieValueTest, FindsTheSessionCookieAmongOthersWithOrWithoutSpaces) {
  EXPECT_EQ(CookieValue("incidentd_session=abc", kSessionCookie), "abc");
  EXPECT_EQ(CookieValue("theme=dark; incidentd_session=abc; lang=en", kSessionCookie), "abc");
  EXPECT_EQ(CookieValue("theme=dark;incidentd_session=abc", kSessionCookie), "abc");
  EXPECT_EQ(CookieValue("  theme=dark ;  incidentd_session = abc  ", kSessionCookie), "abc");
  EXPECT_EQ(CookieValue("incidentd_session=\"abc\"", kSessionCookie), "abc");
  EXPECT_EQ(CookieValue("flag; incidentd_session=a=b", kSessionCookie), "a=b");
}

TEST(CookieValueTest, MissingOrSimilarlyNamedCookiesAreNotIt) {
  EXPECT_FALSE(CookieValue("", kSessionCookie).has_value());
  EXPECT_FALSE(CookieValue("theme=dark", kSessionCookie).has_value());
  EXPECT_FALSE(CookieValue("x_incidentd_session=abc; incidentd_session_old=def", kSessionCookie).has_value());
  EXPECT_FALSE(CookieValue("incidentd_session", kSessionCookie).has_value());
}

TEST(SessionCookieHeaderTest, SetsHttpOnlyStrictCookieWithTheLifetimeAndClearsWithMaxAgeZero) {
  SessionOptions options = Options();
  EXPECT_EQ(SessionCookieHeader("abc", options),
            "incidentd_session=abc; Path=/; HttpOnly; SameSite=Strict; Max-Age=86400");
  EXPECT_EQ(SessionCookieHeader("", options), "incidentd_session=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0");
  options.secure_cookie = true;
  EXPECT_EQ(SessionCookieHeader("abc", options),
            "incidentd_session=abc; Path=/; HttpOnly; SameSite=Strict; Max-Age=86400; Secure");
}

TEST(CsrfTest, SecretsCompareWholeAndNonEmpty) {
  EXPECT_TRUE(SecretsEqual("abcdef", "abcdef"));
  EXPECT_FALSE(SecretsEqual("abcdef", "abcdeg"));
  EXPECT_FALSE(SecretsEqual("abcdef", "abcde"));
  EXPECT_FALSE(SecretsEqual("", ""));
}

TEST(CsrfTest, OriginMustBeTheHostOverHttpOrHttps) {
  EXPECT_TRUE(SameOrigin("http://127.0.0.1:9797", "127.0.0.1:9797"));
  EXPECT_TRUE(SameOrigin("https://incidents.example.com", "incidents.example.com"));
  EXPECT_TRUE(SameOrigin("http://incidents.example.com", "Incidents.Example.com"));
  EXPECT_FALSE(SameOrigin("http://evil.example", "127.0.0.1:9797"));
  EXPECT_FALSE(SameOrigin("http://127.0.0.1:9798", "127.0.0.1:9797"));
  EXPECT_FALSE(SameOrigin("null", "127.0.0.1:9797"));
  EXPECT_FALSE(SameOrigin("ftp://127.0.0.1:9797", "127.0.0.1:9797"));
  EXPECT_FALSE(SameOrigin("http://127.0.0.1:9797", ""));
}

}  // namespace
}  // namespace http
