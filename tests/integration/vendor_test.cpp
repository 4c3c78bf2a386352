// Vendor access against the real binary: a scoped, expiring token for one incident that cannot read another
// incident, list incidents, or act after expiry or after the incident resolves; every use journaled.
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include <thread>

#include "http/auth.h"
#include "support/api.h"
#include "support/server_process.h"

namespace {

namespace json = boost::json;
using test_support::HttpResponse;
using test_support::Must;
using test_support::ParseJson;

const std::string kCommanderToken = "commander-vendor-test-token-0123";

std::string Yaml() {
  return "vendors:\n"
         "  - {name: acme-db, contacts: [support@acme.example], scopes: [read, log], max_grant: 4h,\n"
         "     protocol: \"P1 ticket, then join the incident channel\"}\n"
         "users:\n"
         "  - {name: alice, role: commander, tokens: [{name: main, sha256: " +
         http::HashTokenHex(kCommanderToken) + "}]}\n";
}

std::string Event(const std::string& key) {
  return R"({"routing_key":"checkout-key","event_action":"trigger","dedup_key":")" + key +
         R"(","payload":{"summary":")" + key + R"( failing","source":"web-1","severity":"critical"}})";
}

class VendorTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(server_.Start().ok()) << server_.ReadStderr();
    admin_ = server_.Client();
    alice_ = server_.Client(kCommanderToken);
    ASSERT_EQ(Must(admin_.Post("/v2/enqueue", Event("db-replication"))).status, 202);
    ASSERT_EQ(Must(admin_.Post("/v2/enqueue", Event("other-secret-thing"))).status, 202);
  }
  // Grants acme-db access to incident 1; returns the token.
  std::string Grant(const std::string& scopes, const std::string& duration) {
    HttpResponse r = Must(alice_.Post("/api/v1/incidents/1/vendor-grants",
                                      R"({"vendor":"acme-db","scopes":)" + scopes + R"(,"duration":")" + duration +
                                          R"(","reason":"replication lag"})"));
    EXPECT_EQ(r.status, 201) << r.body;
    json::value v = ParseJson(r.body);
    EXPECT_EQ(v.at("protocol"), "P1 ticket, then join the incident channel");
    return std::string(v.at("token").as_string());
  }
  test_support::ServerProcess server_{Yaml()};
  test_support::HttpClient admin_{0};
  test_support::HttpClient alice_{0};
};

TEST_F(VendorTest, AGrantReadsItsIncidentAndPostsToItsLogAndEveryUseIsJournaled) {
  const std::string token = Grant(R"(["read","log"])", "2h");
  auto vendor = server_.Client(token);
  HttpResponse read = Must(vendor.Get("/api/v1/incidents/1"));
  EXPECT_EQ(read.status, 200) << read.body;
  EXPECT_EQ(Must(vendor.Get("/api/v1/incidents/1/timeline")).status, 200);
  HttpResponse log = Must(vendor.Post("/api/v1/incidents/1/log", R"({"kind":"observation","text":"lag is 40 s"})"));
  EXPECT_EQ(log.status, 200) << log.body;
  std::string timeline = Must(admin_.Get("/api/v1/incidents/1/timeline")).body;
  EXPECT_NE(timeline.find("Observation by vendor:acme-db#1: lag is 40 s"), std::string::npos) << timeline;
  EXPECT_NE(timeline.find("Vendor grant 1 used by vendor:acme-db#1: read /api/v1/incidents/1"), std::string::npos);
  EXPECT_NE(timeline.find("Vendor grant 1 used by vendor:acme-db#1: log /api/v1/incidents/1/log"), std::string::npos);
  json::value grants = ParseJson(Must(admin_.Get("/api/v1/incidents/1/vendor-grants")).body);
  EXPECT_EQ(grants.at("grants").at(0).at("uses"), 3) << "incident, timeline, log";
  EXPECT_EQ(grants.at("grants").at(0).as_object().count("token"), 0u) << "the token is shown once, at the grant";
}

TEST_F(VendorTest, AGrantCannotReadAnotherIncidentListIncidentsOrDoAnythingElse) {
  const std::string token = Grant(R"(["read"])", "2h");
  auto vendor = server_.Client(token);
  for (const char* path : {"/api/v1/incidents/2", "/api/v1/incidents/2/timeline", "/api/v1/incidents",
                           "/api/v1/incidents/1/coordination", "/api/v1/incidents/1/bundle", "/api/v1/events",
                           "/api/v2/alerts"}) {
    HttpResponse r = Must(vendor.Get(path));
    EXPECT_EQ(r.status, 403) << path << ": " << r.body;
    EXPECT_EQ(r.body.find("other-secret-thing"), std::string::npos) << path;
  }
  EXPECT_EQ(Must(vendor.Post("/api/v1/incidents/1/log", R"({"kind":"note","text":"x"})")).status, 403)
      << "a read-only grant cannot post";
  EXPECT_EQ(Must(vendor.Post("/api/v1/incidents/1/acknowledge", "{}")).status, 403);
  EXPECT_EQ(Must(vendor.Post("/v2/enqueue", Event("x"))).status, 403);
  EXPECT_EQ(Must(server_.Client(token + "0").Get("/api/v1/incidents/1")).status, 401) << "a wrong token";
}

TEST_F(VendorTest, AGrantStopsWorkingWhenItExpiresAndWhenTheIncidentResolves) {
  const std::string short_lived = Grant(R"(["read"])", "1s");
  const std::string token = Grant(R"(["read","log"])", "2h");
  auto expired = server_.Client(short_lived);
  HttpResponse r;
  for (int i = 0; i < 100; ++i) {  // wall-clock expiry: poll, do not assume timing
    r = Must(expired.Get("/api/v1/incidents/1"));
    if (r.status != 200) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  EXPECT_EQ(r.status, 401) << r.body;
  EXPECT_NE(r.body.find("expired"), std::string::npos) << r.body;

  auto vendor = server_.Client(token);
  ASSERT_EQ(Must(vendor.Get("/api/v1/incidents/1")).status, 200);
  ASSERT_EQ(Must(admin_.Post("/api/v1/incidents/1/resolve", R"({"note":"replica rebuilt"})")).status, 200);
  r = Must(vendor.Get("/api/v1/incidents/1"));
  EXPECT_EQ(r.status, 401) << r.body;
  EXPECT_NE(r.body.find("incident resolved"), std::string::npos) << r.body;
  EXPECT_EQ(Must(vendor.Post("/api/v1/incidents/1/log", R"({"kind":"note","text":"x"})")).status, 401);
  std::string timeline = Must(admin_.Get("/api/v1/incidents/1/timeline")).body;
  EXPECT_NE(timeline.find("Vendor grant 2 revoked: incident resolved"), std::string::npos) << timeline;
  // Only a commander or an admin grants; a viewer cannot.
  EXPECT_EQ(Must(server_.Client(test_support::kViewerToken)
                     .Post("/api/v1/incidents/2/vendor-grants",
                           R"({"vendor":"acme-db","scopes":["read"],"duration":"1h"})"))
                .status,
            403);
}

}  // namespace
