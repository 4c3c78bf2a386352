// The route table: the router matches what Routes() lists and nothing else, so walking Routes() walks the API.
#include <gtest/gtest.h>

#include <set>
#include <string>
#include <utility>

#include "http/router.h"

namespace http {
namespace {

TEST(RouterTest, EveryRouteMatchesItsExampleWithItsEndpointAndPermission) {
  for (const Route& route : Routes()) {
    RouteMatch m = MatchRoute(route.method, route.example);

    ASSERT_EQ(m.kind, RouteMatch::Kind::kFound) << ToString(route.method) << " " << route.example;
    EXPECT_EQ(m.endpoint, route.endpoint) << route.pattern;
    EXPECT_EQ(m.permission, route.permission) << route.pattern;
    EXPECT_EQ(m.json_body, route.json_body) << route.pattern;
  }
}

TEST(RouterTest, EachMethodAndPatternIsListedOnce) {
  std::set<std::pair<Method, std::string_view>> seen;

  for (const Route& route : Routes()) {
    EXPECT_TRUE(seen.insert({route.method, route.pattern}).second) << ToString(route.method) << " " << route.pattern;
  }
}

// Endpoints are numbered from 0 to the last; a hole would be an endpoint the router can never reach.
TEST(RouterTest, EveryEndpointHasARoute) {
  std::set<int> endpoints;
  for (const Route& route : Routes()) endpoints.insert(static_cast<int>(route.endpoint));

  ASSERT_FALSE(endpoints.empty());
  EXPECT_EQ(*endpoints.begin(), 0);
  EXPECT_EQ(static_cast<size_t>(*endpoints.rbegin()) + 1, endpoints.size());
  EXPECT_TRUE(endpoints.contains(static_cast<int>(Endpoint::kWhoami)));
}

// What only a reader may do is read: every change needs more than kRead, and only a few routes are open. The session
// routes are open to the router: their handlers check the password or the session cookie (and CSRF) themselves.
TEST(RouterTest, WritesNeedMoreThanReadAndOnlyProbesAckLinksAndTheWebUiAreOpen) {
  const std::set<std::string_view> open = {"/healthz", "/readyz", "/metrics", "/-/healthy", "/-/ready",
                                           "/ack/{token}", "/", "/ui/{file}", "/api/v1/session"};

  for (const Route& route : Routes()) {
    if (route.permission == Permission::kNone) {
      EXPECT_TRUE(open.contains(route.pattern)) << route.pattern << " is open to anyone";
    }
    const bool session = route.endpoint == Endpoint::kSignIn || route.endpoint == Endpoint::kSignOut;
    if (route.method != Method::kGet && route.endpoint != Endpoint::kAckLink && !session) {
      EXPECT_NE(route.permission, Permission::kRead) << route.pattern;
      EXPECT_NE(route.permission, Permission::kNone) << route.pattern;
    }
  }
  EXPECT_EQ(MatchRoute(Method::kGet, "/api/v1/journal/verify").permission, Permission::kAdmin);
}

TEST(RouterTest, PathParametersReachTheRequest) {
  RouteMatch incident = MatchRoute(Method::kPost, "/api/v1/incidents/42/acknowledge");
  RouteMatch silence = MatchRoute(Method::kDelete, "/api/v2/silence/5f0e-aa.1");
  RouteMatch ack = MatchRoute(Method::kGet, "/ack/abc~def%2F");
  RouteMatch largest = MatchRoute(Method::kGet, "/api/v1/incidents/18446744073709551615");

  EXPECT_EQ(incident.endpoint, Endpoint::kAcknowledge);
  EXPECT_EQ(incident.id, 42u);
  EXPECT_EQ(silence.endpoint, Endpoint::kAmDeleteSilence);
  EXPECT_EQ(silence.param, "5f0e-aa.1");
  EXPECT_EQ(ack.endpoint, Endpoint::kAckLink);
  EXPECT_EQ(ack.param, "abc~def%2F");
  EXPECT_EQ(largest.id, 18446744073709551615u);
}

TEST(RouterTest, ARouteWithANameAndAnIdFillsBoth) {
  RouteMatch removal = MatchRoute(Method::kDelete, "/api/v1/schedules/primary/overrides/7");
  RouteMatch creation = MatchRoute(Method::kPost, "/api/v1/schedules/primary/overrides");

  EXPECT_EQ(removal.endpoint, Endpoint::kDeleteOverride);
  EXPECT_EQ(removal.param, "primary");
  EXPECT_EQ(removal.id, 7u);
  EXPECT_EQ(creation.endpoint, Endpoint::kCreateOverride);
  EXPECT_EQ(MatchRoute(Method::kDelete, "/api/v1/schedules/primary/overrides/x").kind, RouteMatch::Kind::kNotFound);
}

TEST(RouterTest, NearMissesAreNotFound) {
  for (std::string_view path :
       {"", "/api/v1/nothing", "/api/v1/incidents/", "/api/v1/incidents/0", "/api/v1/incidents/01",
        "/api/v1/incidents/-1", "/api/v1/incidents/abc", "/api/v1/incidents/12abc",
        "/api/v1/incidents/18446744073709551616", "/api/v1/incidents/1/", "/api/v1/incidents//timeline",
        "/api/v1/incidents/1/nothing", "/api/v1/drills/", "/api/v1/drills/a/b", "/api/v1/drills/a b/run",
        "/api/v1/maintenanceX", "/api/v1/maintenance/x/y", "/ack/", "/ack/a/b", "/healthz/", "/v2/enqueue/x",
        "//v2/enqueue", "/api/v2/silence/%2e%2e", "/ui", "/ui/", "/ui/a/b", "/ui/..%2fx", "/ui/a b"}) {
    EXPECT_EQ(MatchRoute(Method::kGet, path).kind, RouteMatch::Kind::kNotFound) << path;
    EXPECT_EQ(MatchRoute(Method::kPost, path).kind, RouteMatch::Kind::kNotFound) << path;
  }
}

TEST(RouterTest, TheRootIsTheWebUisShellAndItsFilesAreOneSegmentUnderUi) {
  EXPECT_EQ(MatchRoute(Method::kGet, "/").endpoint, Endpoint::kUiIndex);
  EXPECT_EQ(MatchRoute(Method::kPost, "/").kind, RouteMatch::Kind::kMethodNotAllowed);
  EXPECT_EQ(MatchRoute(Method::kGet, "/ui/app.js").endpoint, Endpoint::kUiFile);
  EXPECT_EQ(MatchRoute(Method::kGet, "/ui/app.js").param, "app.js");
}

TEST(RouterTest, AWrongMethodGets405ListingThePatternsMethods) {
  RouteMatch incident = MatchRoute(Method::kDelete, "/api/v1/incidents/1");
  RouteMatch alerts = MatchRoute(Method::kPut, "/api/v2/alerts");
  RouteMatch window = MatchRoute(Method::kPost, "/api/v1/maintenance/w1");
  RouteMatch head = MatchRoute(Method::kHead, "/healthz");

  EXPECT_EQ(incident.kind, RouteMatch::Kind::kMethodNotAllowed);
  EXPECT_EQ(incident.allow, "GET");
  EXPECT_EQ(alerts.allow, "GET, POST");
  EXPECT_EQ(window.allow, "GET, DELETE");
  EXPECT_EQ(head.kind, RouteMatch::Kind::kMethodNotAllowed);
}

TEST(RouterTest, ExamplesFillTheParameters) {
  for (const Route& route : Routes()) {
    EXPECT_EQ(route.example.find('{'), std::string::npos) << route.pattern;
  }
  EXPECT_EQ(MatchRoute(Method::kPost, "/api/v1/incidents/1/acknowledge").kind, RouteMatch::Kind::kFound);
}

}  // namespace
}  // namespace http
