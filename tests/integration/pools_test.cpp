// Shared responder pools against the real binary: two SEV1s ask for the one DBA; the queue over HTTP shows the
// holder, the waiting request with its position, priority and reason, expected response and conflict; a commander
// (not a responder) resolves the conflict by a yield on both timelines; resolving hands the slot on; incidentctl
// shows the same.
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include <chrono>
#include <thread>

#include "http/auth.h"
#include "support/api.h"
#include "support/server_process.h"
#include "support/webhook_receiver.h"

namespace {

namespace json = boost::json;
using test_support::Must;
using test_support::ParseJson;

std::string Sha256Hex(const std::string& token) {
  static const char* kHex = "0123456789abcdef";
  std::string out;
  for (uint8_t b : http::HashToken(token)) {
    out += kHex[b >> 4];
    out += kHex[b & 0xF];
  }
  return out;
}

std::string TokenOf(const std::string& user) { return user + "-pools-token-0123456789"; }

std::string Yaml(const test_support::WebhookReceiver& hook) {
  std::string yaml =
      "services:\n"
      "  - {name: checkout, routing_keys: [checkout-key], group_wait: 0, business_functions: [payments],"
      " customers: 50000}\n"
      "  - {name: blog, routing_keys: [blog-key], group_wait: 0, business_functions: [marketing]}\n"
      "  - {name: prometheus}\n"
      "  - {name: db}\n"
      "channels:\n"
      "  hook: {type: webhook, url: \"" + hook.Url("/page") + "\", timeout: 5s}\n"
      "people:\n"
      "  - {name: oncall, contacts: [{channel: hook}]}\n"
      "  - {name: carol, contacts: [{channel: hook}]}\n"
      "escalation_policies:\n"
      "  - {name: default, steps: [{targets: [\"user:oncall\"]}]}\n"
      "routing:\n"
      "  - {name: everything, policy: default}\n"
      "critical_functions: [payments]\n"
      "major_incident: {critical_function_down: true, categories: [security]}\n"
      "pools:\n"
      "  - id: dba\n"
      "    name: Database administrators\n"
      "    members: [carol]\n"
      "    expectations: {payments: 15m, marketing: 4h, default: 1h}\n"
      "users:\n";
  for (const auto& [name, role] :
       std::vector<std::pair<std::string, std::string>>{{"alice", "commander"}, {"bob", "responder"}}) {
    yaml += "  - {name: " + name + ", role: " + role + ", tokens: [{name: main, sha256: " + Sha256Hex(TokenOf(name)) +
            "}]}\n";
  }
  return yaml;
}

std::string Trigger(const char* key, const char* dedup, const char* severity) {
  return std::string(R"({"routing_key":")") + key + R"(","event_action":"trigger","dedup_key":")" + dedup +
         R"(","payload":{"summary":")" + dedup + R"( failing","source":"db-1","severity":")" + severity + R"("}})";
}

bool TimelineHas(test_support::HttpClient& client, uint64_t id, const std::string& part) {
  for (const auto& entry : test_support::TimelineOf(client, id)) {
    if (test_support::StringField(entry, "text").find(part) != std::string::npos) return true;
  }
  return false;
}

TEST(PoolsTest, TwoSev1sOneDbaTheQueueAConflictAYieldOnBothTimelinesAndTheSlotPassingOn) {
  test_support::WebhookReceiver hook;
  test_support::ServerProcess server(Yaml(hook));
  ASSERT_TRUE(server.Start().ok()) << server.ReadStderr();
  auto admin = server.Client();
  auto alice = server.Client(TokenOf("alice"));
  auto bob = server.Client(TokenOf("bob"));
  ASSERT_EQ(Must(admin.Post("/v2/enqueue", Trigger("checkout-key", "payments-db", "critical"))).status, 202);
  ASSERT_EQ(Must(admin.Post("/v2/enqueue", Trigger("blog-key", "blog-db", "warning"))).status, 202);
  ASSERT_EQ(Must(bob.Post("/api/v1/incidents/2/reclassify", R"({"category":"security","reason":"defaced"})")).status,
            200);

  // The blog (SEV1, P3) asks first and gets the DBA; payments (SEV1, P1) asks later and waits: a conflict.
  auto first = Must(bob.Post("/api/v1/incidents/2/pools", R"({"pool":"dba","note":"restore CMS tables"})"));
  ASSERT_EQ(first.status, 200) << first.body;
  EXPECT_EQ(ParseJson(first.body).at("pools").at(0).at("state"), "holding");
  // Requests decided in the same millisecond are ordered by priority (pools::RequestPool): on a fast machine the
  // second request could land in the first one's millisecond and rightly take the slot. This scenario is about a
  // request that comes later, so let the clock move on.
  std::this_thread::sleep_for(std::chrono::milliseconds(5));
  auto second = Must(alice.Post("/api/v1/incidents/1/pools", R"({"pool":"dba","note":"replica lag"})"));
  ASSERT_EQ(second.status, 200) << second.body;
  const json::value standing = ParseJson(second.body).at("pools").at(0);
  EXPECT_EQ(standing.at("state"), "waiting");
  EXPECT_EQ(standing.at("position"), 1);
  EXPECT_EQ(standing.at("severity"), "SEV1");

  json::value queue = ParseJson(Must(bob.Get("/api/v1/pools/dba/queue")).body);
  EXPECT_EQ(queue.at("capacity"), 1);
  EXPECT_EQ(queue.at("free"), 0);
  EXPECT_EQ(queue.at("holders").at(0).at("incident_id"), 2);
  EXPECT_EQ(queue.at("holders").at(0).at("priority"), "P3");
  const json::value& waiting = queue.at("queue").at(0);
  EXPECT_EQ(waiting.at("incident_id"), 1);
  EXPECT_EQ(waiting.at("position"), 1);
  EXPECT_EQ(waiting.at("priority"), "P1");
  EXPECT_EQ(waiting.at("business_unit"), "payments");
  EXPECT_NE(test_support::StringField(waiting, "priority_reason").find("high urgency"), std::string::npos);
  EXPECT_LE(waiting.at("expected_response_seconds").as_int64(), 900);
  EXPECT_GT(waiting.at("expected_response_seconds").as_int64(), 800);
  EXPECT_EQ(waiting.at("breached"), false);
  EXPECT_EQ(json::serialize(waiting.at("conflicts_with")), "[2]");
  EXPECT_EQ(queue.at("conflicts").at(0).at("waiting"), 1) << json::serialize(queue);
  EXPECT_TRUE(TimelineHas(admin, 1, "Priority conflict on pool dba"));
  EXPECT_TRUE(TimelineHas(admin, 2, "Priority conflict on pool dba"));

  // A responder may not decide who yields; the commander does, with a reason, on both timelines.
  EXPECT_EQ(Must(bob.Post("/api/v1/pools/dba/yield", R"({"from":2,"to":1,"reason":"x"})")).status, 403);
  EXPECT_EQ(Must(alice.Post("/api/v1/pools/dba/yield", R"({"from":2,"to":1})")).status, 400);
  auto yielded = Must(alice.Post("/api/v1/pools/dba/yield", R"({"from":2,"to":1,"reason":"payments outage first"})"));
  ASSERT_EQ(yielded.status, 200) << yielded.body;
  queue = ParseJson(yielded.body);
  EXPECT_EQ(queue.at("holders").at(0).at("incident_id"), 1);
  EXPECT_EQ(queue.at("queue").at(0).at("incident_id"), 2);
  EXPECT_EQ(queue.at("yields").at(0).at("by"), "user:alice");
  const std::string line = "Incident 2 yielded pool dba to incident 1 (payments outage first), decided by user:alice";
  EXPECT_TRUE(TimelineHas(admin, 1, line));
  EXPECT_TRUE(TimelineHas(admin, 2, line));

  // Refusals.
  EXPECT_EQ(Must(bob.Post("/api/v1/incidents/1/pools", R"({"pool":"nope"})")).status, 400);
  EXPECT_EQ(Must(bob.Get("/api/v1/pools/nope/queue")).status, 404);
  EXPECT_EQ(Must(alice.Post("/api/v1/pools/dba/yield", R"({"from":2,"to":1,"reason":"again"})")).status, 409);

  // incidentctl shows the same.
  auto list = server.Ctl({"pools", "list"});
  ASSERT_EQ(list.exit_code, 0) << list.err;
  EXPECT_TRUE(test_support::HasLineWith(list.out, {"dba", "Database administrators", "1"})) << list.out;
  auto shown = server.Ctl({"pools", "queue", "dba"});
  ASSERT_EQ(shown.exit_code, 0) << shown.err;
  EXPECT_TRUE(test_support::HasLineWith(shown.out, {"1", "2", "P3", "marketing"})) << shown.out;
  EXPECT_TRUE(test_support::HasLineWith(shown.out, {"yield: incident 2 to incident 1"})) << shown.out;
  auto again = server.Ctl({"incidents", "request-pool", "2", "dba"});
  ASSERT_EQ(again.exit_code, 0) << again.err;
  EXPECT_TRUE(test_support::HasLineWith(again.out, {"incident 2 waits for pool dba at position 1 (P3)", "marketing"}))
      << again.out;

  // The holder resolves: the slot passes on.
  ASSERT_EQ(Must(alice.Post("/api/v1/incidents/1/resolve", R"({"note":"fixed"})")).status, 200);
  queue = ParseJson(Must(bob.Get("/api/v1/pools/dba/queue")).body);
  EXPECT_EQ(queue.at("holders").at(0).at("incident_id"), 2) << json::serialize(queue);
  EXPECT_TRUE(queue.at("queue").as_array().empty());
  auto released = server.Ctl({"incidents", "release-pool", "2", "dba"});
  ASSERT_EQ(released.exit_code, 0) << released.err;
  EXPECT_EQ(ParseJson(Must(bob.Get("/api/v1/pools")).body).at("pools").at(0).at("holding"), 0);
}

}  // namespace
