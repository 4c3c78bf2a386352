// The web UI's server side against the real binary: the embedded files with their security headers and caching,
// signing in with a password, the session cookie standing in for a bearer token, CSRF, throttling, signing out.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <optional>
#include <string>

#include <boost/json/serialize.hpp>

#include "http/auth.h"
#include "support/api.h"
#include "support/server_process.h"
#include "support/sse_client.h"

namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::StartsWith;
using test_support::Headers;
using test_support::HttpResponse;
using test_support::Must;
using test_support::ParseJson;
using test_support::StringField;

constexpr const char* kPassword = "correct horse battery staple";
constexpr const char* kCsp =
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
    "frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

std::string UsersYaml() {
  auto hash = http::HashPassword(kPassword);
  EXPECT_TRUE(hash.ok());
  return "teams:\n  web: []\n"
         "users:\n"
         "  - name: alice\n"
         "    role: commander\n"
         "    teams: [web]\n"
         "    password_argon2id: '" + (hash.ok() ? *hash : std::string()) + "'\n"
         "  - name: victor\n"
         "    role: viewer\n"
         "    password_argon2id: '" + (hash.ok() ? *hash : std::string()) + "'\n";
}

std::string SignInBody(const std::string& user, const std::string& password) {
  return "{\"user\":\"" + user + "\",\"password\":\"" + password + "\"}";
}

class UiSessionTest : public ::testing::Test {
 protected:
  UiSessionTest() : server_(UsersYaml()) {}

  void SetUp() override {
    auto started = server_.Start();
    ASSERT_TRUE(started.ok()) << started.error().message;
    browser_.emplace(server_.port());  // no token: a browser
  }

  HttpResponse SignIn(const std::string& user, const std::string& password) {
    return Must(browser_->Send("POST", "/api/v1/session", SignInBody(user, password),
                               {{"Content-Type", "application/json"}}));
  }

  // Signs alice in; the cookie header value ("incidentd_session=...") and the CSRF token.
  void SignInAlice() {
    HttpResponse res = SignIn("alice", kPassword);
    ASSERT_EQ(res.status, 200) << res.body;
    const std::string set_cookie = res.Header("Set-Cookie");
    cookie_ = set_cookie.substr(0, set_cookie.find(';'));
    csrf_ = StringField(ParseJson(res.body), "csrf_token");
    ASSERT_THAT(cookie_, StartsWith("incidentd_session="));
    ASSERT_FALSE(csrf_.empty());
  }

  // A request as the signed-in browser: the cookie, plus `extra` headers.
  HttpResponse AsBrowser(const std::string& method, const std::string& target, const std::string& body,
                         Headers extra = {}) {
    extra.push_back({"Cookie", "theme=dark; " + cookie_ + "; other=1"});
    if (!body.empty()) extra.push_back({"Content-Type", "application/json"});
    return Must(browser_->Send(method, target, body, extra));
  }

  uint64_t OpenIncident(const std::string& dedup_key) {
    auto admin = server_.Client();
    auto sent = Must(admin.Post("/v2/enqueue", test_support::TriggerEvent(test_support::kCheckoutKey, dedup_key, "x")));
    EXPECT_EQ(sent.status, 202) << sent.body;
    auto incidents = test_support::AllIncidents(admin);
    EXPECT_FALSE(incidents.empty());
    return incidents.empty() ? 0 : test_support::NumberField(incidents.back(), "id");
  }

  test_support::ServerProcess server_;
  std::optional<test_support::HttpClient> browser_;
  std::string cookie_;
  std::string csrf_;
};

void ExpectUiHeaders(const HttpResponse& res) {
  EXPECT_EQ(res.Header("Content-Security-Policy"), kCsp);
  EXPECT_EQ(res.Header("X-Content-Type-Options"), "nosniff");
  EXPECT_EQ(res.Header("Referrer-Policy"), "no-referrer");
  EXPECT_EQ(res.Header("X-Frame-Options"), "DENY");
  EXPECT_EQ(res.Header("Cache-Control"), "no-cache");
}

TEST_F(UiSessionTest, RootServesTheShellWithTheSecurityHeaders) {
  HttpResponse res = Must(browser_->Get("/"));

  EXPECT_EQ(res.status, 200);
  EXPECT_EQ(res.Header("Content-Type"), "text/html; charset=utf-8");
  EXPECT_THAT(res.body, HasSubstr("<html"));
  ExpectUiHeaders(res);
}

TEST_F(UiSessionTest, UiFilesHaveTheirContentTypeAndAnETagThatAnswers304) {
  HttpResponse first = Must(browser_->Get("/ui/index.html"));
  const std::string etag = first.Header("ETag");

  HttpResponse again = Must(browser_->Send("GET", "/ui/index.html", "", {{"If-None-Match", etag}}));
  HttpResponse changed = Must(browser_->Send("GET", "/ui/index.html", "", {{"If-None-Match", "\"other\""}}));

  EXPECT_EQ(first.status, 200);
  EXPECT_EQ(first.Header("Content-Type"), "text/html; charset=utf-8");
  EXPECT_THAT(etag, StartsWith("\""));
  ExpectUiHeaders(first);
  EXPECT_EQ(again.status, 304);
  EXPECT_EQ(again.body, "");
  EXPECT_EQ(again.Header("ETag"), etag);
  ExpectUiHeaders(again);
  EXPECT_EQ(changed.status, 200);
  EXPECT_EQ(changed.body, first.body);
}

TEST_F(UiSessionTest, ScriptsAreServedAsJavaScript) {
  HttpResponse res = Must(browser_->Get("/ui/app.js"));

  EXPECT_EQ(res.status, 200);
  EXPECT_EQ(res.Header("Content-Type"), "text/javascript; charset=utf-8");
  EXPECT_FALSE(res.Header("ETag").empty());
}

TEST_F(UiSessionTest, AnUnknownUiFileIsA404Problem) {
  HttpResponse missing = Must(browser_->Get("/ui/no-such-file.js"));
  HttpResponse traversal = Must(browser_->Get("/ui/../CMakeLists.txt"));

  EXPECT_EQ(missing.status, 404);
  EXPECT_THAT(missing.Header("Content-Type"), StartsWith("application/problem+json"));
  EXPECT_EQ(missing.Header("Content-Security-Policy"), kCsp);
  EXPECT_EQ(traversal.status, 404);
}

TEST_F(UiSessionTest, SigningInSetsAStrictHttpOnlyCookieAndAnswersTheSession) {
  HttpResponse res = SignIn("alice", kPassword);

  ASSERT_EQ(res.status, 200) << res.body;
  const std::string set_cookie = res.Header("Set-Cookie");
  EXPECT_THAT(set_cookie, StartsWith("incidentd_session="));
  EXPECT_THAT(set_cookie, HasSubstr("; Path=/"));
  EXPECT_THAT(set_cookie, HasSubstr("; HttpOnly"));
  EXPECT_THAT(set_cookie, HasSubstr("; SameSite=Strict"));
  EXPECT_THAT(set_cookie, HasSubstr("; Max-Age=86400"));
  EXPECT_THAT(set_cookie, Not(HasSubstr("Secure")));
  auto body = ParseJson(res.body);
  EXPECT_EQ(StringField(body, "user"), "alice");
  EXPECT_EQ(StringField(body, "role"), "commander");
  EXPECT_EQ(boost::json::serialize(body.at("teams")), "[\"web\"]");
  EXPECT_EQ(StringField(body, "csrf_token").size(), 43u);
  EXPECT_FALSE(StringField(body, "expires_at").empty());
}

TEST_F(UiSessionTest, TheSessionIsReadBackWithTheCookieAndActsAsTheUser) {
  SignInAlice();

  HttpResponse session = AsBrowser("GET", "/api/v1/session", "");
  HttpResponse whoami = AsBrowser("GET", "/api/v1/whoami", "");
  HttpResponse without = Must(browser_->Get("/api/v1/session"));

  ASSERT_EQ(session.status, 200) << session.body;
  EXPECT_EQ(StringField(ParseJson(session.body), "user"), "alice");
  EXPECT_EQ(StringField(ParseJson(session.body), "csrf_token"), csrf_);
  ASSERT_EQ(whoami.status, 200) << whoami.body;
  EXPECT_EQ(StringField(ParseJson(whoami.body), "actor"), "user:alice");
  EXPECT_EQ(without.status, 401);
}

TEST_F(UiSessionTest, AnUnsafeRequestWithTheCookieButNoCsrfTokenIsRefusedAndChangesNothing) {
  const uint64_t id = OpenIncident("ui-csrf-1");
  SignInAlice();
  const std::string ack = "/api/v1/incidents/" + std::to_string(id) + "/acknowledge";

  HttpResponse refused = AsBrowser("POST", ack, "{}");
  HttpResponse wrong = AsBrowser("POST", ack, "{}", {{"X-CSRF-Token", "not-the-token"}});

  EXPECT_EQ(refused.status, 403) << refused.body;
  EXPECT_EQ(StringField(ParseJson(refused.body), "field"), "X-CSRF-Token");
  EXPECT_EQ(wrong.status, 403);
  HttpResponse incident = Must(server_.Client().Get("/api/v1/incidents/" + std::to_string(id)));
  EXPECT_EQ(StringField(ParseJson(incident.body), "state"), "triggered");
}

TEST_F(UiSessionTest, AnUnsafeRequestWithTheCsrfTokenActsAsTheUser) {
  const uint64_t id = OpenIncident("ui-csrf-2");
  SignInAlice();
  const std::string base = "/api/v1/incidents/" + std::to_string(id);

  HttpResponse acked = AsBrowser("POST", base + "/acknowledge", "{}",
                                 {{"X-CSRF-Token", csrf_}, {"Origin", server_.url()}});

  ASSERT_EQ(acked.status, 200) << acked.body;
  EXPECT_EQ(StringField(ParseJson(acked.body), "last_actor"), "user:alice");
  auto admin = server_.Client();
  bool by_alice = false;
  for (const auto& entry : test_support::TimelineOf(admin, id)) {
    if (StringField(entry, "actor") == "user:alice") by_alice = true;
  }
  EXPECT_TRUE(by_alice);
}

TEST_F(UiSessionTest, AnUnsafeRequestFromAnotherOriginIsRefused) {
  const uint64_t id = OpenIncident("ui-origin");
  SignInAlice();

  HttpResponse res = AsBrowser("POST", "/api/v1/incidents/" + std::to_string(id) + "/acknowledge", "{}",
                               {{"X-CSRF-Token", csrf_}, {"Origin", "http://evil.example"}});

  EXPECT_EQ(res.status, 403) << res.body;
  EXPECT_EQ(StringField(ParseJson(res.body), "field"), "Origin");
}

TEST_F(UiSessionTest, TheSessionUsersRoleStillApplies) {
  const uint64_t id = OpenIncident("ui-viewer");
  HttpResponse signed_in = SignIn("victor", kPassword);
  ASSERT_EQ(signed_in.status, 200) << signed_in.body;
  const std::string set_cookie = signed_in.Header("Set-Cookie");
  cookie_ = set_cookie.substr(0, set_cookie.find(';'));
  const std::string csrf = StringField(ParseJson(signed_in.body), "csrf_token");

  HttpResponse res = AsBrowser("POST", "/api/v1/incidents/" + std::to_string(id) + "/acknowledge", "{}",
                               {{"X-CSRF-Token", csrf}});

  EXPECT_EQ(res.status, 403) << res.body;
}

TEST_F(UiSessionTest, ABearerTokenNeedsNoCsrfTokenAndWinsOverTheCookie) {
  const uint64_t id = OpenIncident("ui-bearer");
  SignInAlice();

  HttpResponse res = Must(browser_->Send("POST", "/api/v1/incidents/" + std::to_string(id) + "/acknowledge", "{}",
                                         {{"Authorization", std::string("Bearer ") + test_support::kAdminToken},
                                          {"Cookie", cookie_},
                                          {"Content-Type", "application/json"}}));

  ASSERT_EQ(res.status, 200) << res.body;
  EXPECT_EQ(StringField(ParseJson(res.body), "last_actor"), "token:admin");
}

TEST_F(UiSessionTest, AWrongPasswordOrUnknownUserIs401WithTheSameAnswer) {
  HttpResponse wrong = SignIn("alice", "not her password");
  HttpResponse unknown = SignIn("mallory", kPassword);
  HttpResponse bad_body = Must(browser_->Send("POST", "/api/v1/session", "{\"password\":\"x\"}",
                                              {{"Content-Type", "application/json"}}));

  EXPECT_EQ(wrong.status, 401);
  EXPECT_EQ(wrong.Header("Set-Cookie"), "");
  EXPECT_EQ(unknown.status, 401);
  EXPECT_EQ(StringField(ParseJson(wrong.body), "detail"), "wrong user name or password");
  EXPECT_EQ(StringField(ParseJson(unknown.body), "detail"), "wrong user name or password");
  EXPECT_EQ(bad_body.status, 400);
  EXPECT_EQ(StringField(ParseJson(bad_body.body), "field"), "/user");
  EXPECT_THAT(server_.ReadStderr(), HasSubstr("failed sign-in for user alice"));
  EXPECT_THAT(server_.ReadStderr(), Not(HasSubstr("not her password")));
}

TEST_F(UiSessionTest, FiveFailuresForAUserNameThrottleItWithRetryAfter) {
  for (int i = 0; i < 5; ++i) ASSERT_EQ(SignIn("alice", "guess-" + std::to_string(i)).status, 401) << i;

  HttpResponse throttled = SignIn("alice", kPassword);
  HttpResponse other_user = SignIn("victor", kPassword);

  EXPECT_EQ(throttled.status, 429) << throttled.body;
  EXPECT_EQ(throttled.Header("Set-Cookie"), "");
  const int retry_after = std::stoi(throttled.Header("Retry-After"));
  EXPECT_GT(retry_after, 800);
  EXPECT_LE(retry_after, 900);
  EXPECT_EQ(other_user.status, 200);
}

TEST_F(UiSessionTest, AfterSigningOutTheCookieNoLongerWorks) {
  SignInAlice();
  HttpResponse without_csrf = AsBrowser("DELETE", "/api/v1/session", "");
  ASSERT_EQ(without_csrf.status, 403);

  HttpResponse out = AsBrowser("DELETE", "/api/v1/session", "", {{"X-CSRF-Token", csrf_}});

  EXPECT_EQ(out.status, 204) << out.body;
  EXPECT_THAT(out.Header("Set-Cookie"), StartsWith("incidentd_session=;"));
  EXPECT_THAT(out.Header("Set-Cookie"), HasSubstr("Max-Age=0"));
  EXPECT_EQ(AsBrowser("GET", "/api/v1/session", "").status, 401);
  EXPECT_EQ(AsBrowser("GET", "/api/v1/incidents", "").status, 401);
}

TEST_F(UiSessionTest, TheEventStreamWorksWithTheCookie) {
  SignInAlice();
  auto stream = test_support::SseStream::Open(server_.port(), "", "/api/v1/events", "", std::chrono::seconds(10),
                                              {{"Cookie", cookie_}});
  ASSERT_TRUE(stream.ok()) << stream.error().message;
  ASSERT_EQ((*stream)->head().status, 200);

  OpenIncident("ui-sse");

  bool opened = false;
  for (int i = 0; i < 20 && !opened; ++i) {
    auto event = (*stream)->Next(std::chrono::seconds(10));
    if (!event.ok()) break;
    if (event->event == "incident.opened") opened = true;
  }
  EXPECT_TRUE(opened);
}

}  // namespace
