// Coordination against the real binary: one commander (a second is refused; a hand-off by the outgoing commander
// is recorded with both names), roles by permission, the channel posted to the chat webhook and named in the
// page, typed log entries and status updates, all in the exported, verifiable bundle.
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "http/auth.h"
#include "support/api.h"
#include "support/server_process.h"
#include "support/webhook_receiver.h"

namespace {

namespace json = boost::json;
using test_support::Must;
using test_support::ParseJson;

std::string TokenOf(const std::string& user) { return user + "-coord-token-0123456789"; }

std::string Yaml(const test_support::WebhookReceiver& hook) {
  std::string yaml =
      "services:\n"
      "  - {name: checkout, routing_keys: [checkout-key], group_wait: 0}\n"
      "  - {name: prometheus}\n"
      "  - {name: db}\n"
      "channels:\n"
      "  hook: {type: webhook, url: \"" + hook.Url("/page") + "\", timeout: 5s}\n"
      "  chat: {type: webhook, url: \"" + hook.Url("/chat") + "\", timeout: 5s}\n"
      "people:\n"
      "  - {name: alice, contacts: [{channel: hook}]}\n"
      "  - {name: bob, contacts: [{channel: hook}]}\n"
      "  - {name: erin, contacts: [{channel: hook}]}\n"
      "  - {name: ops-room, contacts: [{channel: chat}]}\n"
      "escalation_policies:\n"
      "  - {name: default, steps: [{targets: [\"user:alice\"]}]}\n"
      "routing:\n"
      "  - {name: everything, policy: default}\n"
      "coordination:\n"
      "  channel:\n"
      "    chat_name: \"#inc-{{id}}-{{service}}\"\n"
      "    chat_url: \"https://chat.example.com/inc-{{id}}\"\n"
      "    bridge: \"https://meet.example.com/inc-{{id}}\"\n"
      "    announce_to: ops-room\n"
      "  status_updates: {SEV1: 30m, SEV2: 1h, SEV3: 2h, SEV4: 4h, SEV5: 8h}\n"
      "users:\n";
  for (const auto& [name, role] : std::vector<std::pair<std::string, std::string>>{
           {"alice", "commander"}, {"bob", "commander"}, {"carol", "responder"}, {"erin", "communicator"}}) {
    yaml += "  - {name: " + name + ", role: " + role + ", tokens: [{name: main, sha256: " + http::HashTokenHex(TokenOf(name)) +
            "}]}\n";
  }
  return yaml;
}

TEST(CoordinationTest, OneCommanderAHandOffOnTheRecordAndTheChannelInEveryMessage) {
  test_support::WebhookReceiver hook;
  test_support::ServerProcess server(Yaml(hook));
  ASSERT_TRUE(server.Start().ok()) << server.ReadStderr();
  auto admin = server.Client();
  auto alice = server.Client(TokenOf("alice"));
  auto bob = server.Client(TokenOf("bob"));
  auto carol = server.Client(TokenOf("carol"));
  auto erin = server.Client(TokenOf("erin"));
  ASSERT_EQ(Must(admin.Post("/v2/enqueue", R"({"routing_key":"checkout-key","event_action":"trigger","dedup_key":"p",)"
                                           R"("payload":{"summary":"payments failing","source":"web-1","severity":"critical"}})"))
                .status,
            202);

  // The channel: on the incident, announced to the chat webhook, and named in alice's page.
  json::value view = ParseJson(Must(admin.Get("/api/v1/incidents/1/coordination")).body);
  EXPECT_EQ(view.at("channel").at("chat_name"), "#inc-1-checkout");
  EXPECT_FALSE(view.at("status_updates").at("next_due").is_null()) << json::serialize(view);
  ASSERT_TRUE(hook.WaitFor(2, std::chrono::seconds(20)));
  bool chat = false, page = false;
  for (const auto& r : hook.Requests()) {
    if (r.target == "/chat") chat = r.body.find("#inc-1-checkout") != std::string::npos;
    if (r.target == "/page") page = r.body.find("#inc-1-checkout") != std::string::npos;
  }
  EXPECT_TRUE(chat) << "announced in the chat";
  EXPECT_TRUE(page) << "the page names the channel";

  // One commander: carol (responder) may not command; alice takes it; bob is refused without a hand-off and
  // cannot hand it to himself; alice hands off to bob.
  EXPECT_EQ(Must(carol.Post("/api/v1/incidents/1/roles", R"({"role":"commander","user":"carol"})")).status, 403);
  EXPECT_EQ(Must(alice.Post("/api/v1/incidents/1/roles", R"({"role":"commander","user":"alice"})")).status, 200);
  auto second = Must(bob.Post("/api/v1/incidents/1/roles", R"({"role":"commander","user":"bob"})"));
  EXPECT_EQ(second.status, 409) << second.body;
  EXPECT_NE(second.body.find("already has a commander (alice)"), std::string::npos);
  EXPECT_EQ(Must(bob.Post("/api/v1/incidents/1/roles", R"({"role":"commander","user":"bob","handoff":true})")).status,
            403);
  EXPECT_EQ(Must(alice.Post("/api/v1/incidents/1/roles",
                            R"({"role":"commander","user":"bob","handoff":true,"reason":"end of shift"})"))
                .status,
            200);
  EXPECT_EQ(Must(carol.Post("/api/v1/incidents/1/roles", R"({"role":"scribe","user":"carol"})")).status, 200);
  EXPECT_EQ(Must(carol.Post("/api/v1/incidents/1/roles", R"({"role":"boss","user":"carol"})")).status, 400);

  // The log and the updates: a communicator posts updates but may not write the log; a responder logs.
  EXPECT_EQ(Must(carol.Post("/api/v1/incidents/1/log", R"({"kind":"decision","text":"roll back 42"})")).status, 200);
  EXPECT_EQ(Must(erin.Post("/api/v1/incidents/1/log", R"({"kind":"note","text":"x"})")).status, 403);
  EXPECT_EQ(Must(carol.Post("/api/v1/incidents/1/status-updates", R"({"text":"x"})")).status, 403);
  auto update = Must(erin.Post("/api/v1/incidents/1/status-updates", R"({"no_change":true})"));
  ASSERT_EQ(update.status, 200) << update.body;
  EXPECT_EQ(ParseJson(update.body).at("roles").at("commander"), "bob");

  std::string timeline = Must(admin.Get("/api/v1/incidents/1/timeline")).body;
  EXPECT_NE(timeline.find("Incident commander handed off from alice to bob by user:alice: end of shift"),
            std::string::npos)
      << timeline;
  EXPECT_NE(timeline.find("Decision by user:carol: roll back 42"), std::string::npos);
  EXPECT_NE(timeline.find("Status update by user:erin (no change)"), std::string::npos);

  auto ctl = server.Ctl({"incidents", "coordination", "1"});
  EXPECT_EQ(ctl.exit_code, 0) << ctl.err;
  EXPECT_NE(ctl.out.find("bob"), std::string::npos) << ctl.out;
  EXPECT_NE(ctl.out.find("#inc-1-checkout"), std::string::npos) << ctl.out;

  // The whole record exports as a bundle that verifies offline.
  const std::string bundle = (server.data_dir().parent_path() / "incident-1.json").string();
  auto exported = server.Ctl({"incidents", "export", "1", "-o", bundle});
  ASSERT_EQ(exported.exit_code, 0) << exported.err;
  auto verified = server.Ctl({"journal", "verify", "--bundle", bundle});
  EXPECT_EQ(verified.exit_code, 0) << verified.out << verified.err;
}

}  // namespace
