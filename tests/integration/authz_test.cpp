// Authorisation against the real server: every route of the router's table (http::Routes(), which is all the router
// matches) refuses a missing token, a wrong token and every role without the route's permission; users' tokens act
// as the user.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <boost/json/serialize.hpp>

#include <chrono>
#include <optional>
#include <set>
#include <string>

#include "http/auth.h"
#include "http/router.h"
#include "support/api.h"
#include "support/server_process.h"
#include "support/sse_client.h"

namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;
using test_support::Must;

// One user per role the configuration can assign; the plain token of each is "<role>-user-token-0123456789".
std::string Token(http::Role role) { return std::string(http::ToString(role)) + "-user-token-0123456789"; }

std::string UsersYaml() {
  std::string yaml = "teams:\n  dba: []\n  web: []\nusers:\n";
  for (http::Role role : http::kAllRoles) {
    if (!http::IsAssignable(role)) continue;
    const std::string name = std::string(http::ToString(role)) + "-user";
    yaml += "  - name: " + name + "\n    role: " + http::ToString(role) + "\n";
    if (role == http::Role::kCommander) yaml += "    teams: [dba, web]\n";
    yaml += "    tokens:\n      - {name: main, sha256: " + http::HashTokenHex(Token(role)) + "}\n";
  }
  return yaml;
}

std::string Describe(const http::Route& route) {
  return std::string(http::ToString(route.method)) + " " + route.example;
}

class AuthorizationTest : public ::testing::Test {
 protected:
  AuthorizationTest() : server_(UsersYaml()) {}

  void SetUp() override {
    auto started = server_.Start();
    ASSERT_TRUE(started.ok()) << started.error().message;
    client_.emplace(server_.port());
  }

  // The route's answer to the `Authorization` header value (empty: none), the request body left empty.
  test_support::HttpResponse Call(const http::Route& route, const std::string& authorization) {
    test_support::Headers headers{{"Authorization", authorization}};
    if (route.json_body) headers.push_back({"Content-Type", "application/json"});
    return Must(client_->Send(http::ToString(route.method), route.example, "", headers));
  }

  // The same for a role allowed the route. The event stream would not end, so only its head is read.
  test_support::HttpResponse CallAllowed(const http::Route& route, http::Role role) {
    if (route.endpoint != http::Endpoint::kEvents) return Call(route, "Bearer " + Token(role));
    auto stream = test_support::SseStream::Open(server_.port(), Token(role), route.example, "",
                                                std::chrono::seconds(10));
    if (!stream.ok()) {
      ADD_FAILURE() << Describe(route) << ": " << stream.error().message;
      return {};
    }
    return (*stream)->head();
  }

  test_support::ServerProcess server_;
  std::optional<test_support::HttpClient> client_;
};

void ExpectProblem(const test_support::HttpResponse& response, int status, const std::string& what) {
  EXPECT_EQ(response.status, status) << what << ": " << response.body;
  EXPECT_THAT(response.Header("Content-Type"), StartsWith("application/problem+json")) << what;
}

TEST_F(AuthorizationTest, EveryRouteRefusesNoTokenAWrongTokenAndEveryRoleWithoutThePermission) {
  size_t walked = 0;

  for (const http::Route& route : http::Routes()) {
    if (route.permission == http::Permission::kNone) continue;  // the open routes: pinned by the next test
    const std::string what = Describe(route);
    ++walked;

    auto missing = Call(route, "");
    auto wrong = Call(route, "Bearer not-a-token-anyone-has-0123456789");
    auto basic_wrong = Call(route, "Basic eDpub3QtYS10b2tlbg==");  // x:not-a-token

    ExpectProblem(missing, 401, what + " without a token");
    EXPECT_EQ(missing.Header("WWW-Authenticate"), "Bearer") << what;
    ExpectProblem(wrong, 401, what + " with a wrong token");
    ExpectProblem(basic_wrong, 401, what + " with a wrong basic password");
    for (http::Role role : http::kAllRoles) {
      if (!http::IsAssignable(role)) continue;  // vendor: no configured user can have it
      const std::string as = what + " as " + http::ToString(role);
      if (http::Allows(role, route.permission)) {
        auto response = CallAllowed(route, role);
        EXPECT_NE(response.status, 0) << as;
        EXPECT_NE(response.status, 401) << as << ": " << response.body;
        EXPECT_NE(response.status, 403) << as << ": " << response.body;
      } else {
        ExpectProblem(Call(route, "Bearer " + Token(role)), 403, as);
      }
    }
  }

  EXPECT_GT(walked, 40u);
}

TEST_F(AuthorizationTest, OnlyProbesAcknowledgementLinksAndTheWebUiAreOpen) {
  std::set<std::string> open;
  for (const http::Route& route : http::Routes()) {
    if (route.permission == http::Permission::kNone) open.insert(Describe(route));
  }
  auto health = Must(client_->Get("/healthz"));

  // The web UI's files hold no data; its session routes check the session cookie themselves.
  EXPECT_EQ(open, (std::set<std::string>{"GET /healthz", "GET /readyz", "GET /metrics", "GET /-/healthy",
                                         "GET /-/ready", "GET /ack/example", "POST /ack/example", "GET /",
                                         "GET /ui/example", "POST /api/v1/session", "GET /api/v1/session",
                                         "DELETE /api/v1/session"}));
  EXPECT_EQ(health.status, 200);
}

TEST_F(AuthorizationTest, AUsersTokenActsAsTheUser) {
  test_support::HttpClient ingest(server_.port(), Token(http::Role::kIngest));
  test_support::HttpClient responder(server_.port(), Token(http::Role::kResponder));
  auto sent = Must(ingest.Post("/v2/enqueue", test_support::TriggerEvent(test_support::kCheckoutKey, "authz-1", "x")));
  ASSERT_EQ(sent.status, 202) << sent.body;
  auto incidents = test_support::AllIncidents(responder);
  ASSERT_EQ(incidents.size(), 1u);
  const uint64_t id = test_support::NumberField(incidents[0], "id");

  auto acked = Must(responder.Post("/api/v1/incidents/" + std::to_string(id) + "/acknowledge", ""));

  ASSERT_EQ(acked.status, 200) << acked.body;
  EXPECT_EQ(test_support::StringField(test_support::ParseJson(acked.body), "last_actor"), "user:responder-user");
  bool ingested_by_user = false;
  for (const auto& entry : test_support::TimelineOf(responder, id)) {
    if (test_support::StringField(entry, "actor") == "user:ingest-user") ingested_by_user = true;
  }
  EXPECT_TRUE(ingested_by_user);
}

TEST_F(AuthorizationTest, WhoamiOverHttpAndIncidentctl) {
  test_support::HttpClient commander(server_.port(), Token(http::Role::kCommander));

  auto whoami = Must(commander.Get("/api/v1/whoami"));
  auto ctl = server_.Ctl({"--token", Token(http::Role::kCommunicator), "whoami"});
  auto service = server_.Ctl({"whoami", "--json"});

  ASSERT_EQ(whoami.status, 200) << whoami.body;
  auto body = test_support::ParseJson(whoami.body);
  EXPECT_EQ(test_support::StringField(body, "name"), "commander-user");
  EXPECT_EQ(test_support::StringField(body, "role"), "commander");
  EXPECT_EQ(test_support::StringField(body, "actor"), "user:commander-user");
  EXPECT_EQ(boost::json::serialize(body.at("teams")), R"(["dba","web"])");
  ASSERT_EQ(ctl.exit_code, 0) << ctl.err;
  EXPECT_TRUE(test_support::HasLineWith(ctl.out, {"role:", "communicator"})) << ctl.out;
  EXPECT_TRUE(test_support::HasLineWith(ctl.out, {"actor:", "user:communicator-user"})) << ctl.out;
  ASSERT_EQ(service.exit_code, 0) << service.err;
  EXPECT_THAT(service.out, HasSubstr(R"("actor":"token:admin")"));
}

}  // namespace
