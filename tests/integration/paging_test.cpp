// Paging end to end against the real binary: an event pages the on-call person over a real webhook receiver and a
// real SMTP server, the ack link in the message acknowledges, deliveries retry, reassignment and drills work.
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "channels/channel.h"
#include "support/api.h"
#include "support/server_process.h"
#include "support/smtp_receiver.h"
#include "support/webhook_receiver.h"

namespace {

namespace json = boost::json;
using test_support::HttpResponse;
using test_support::Must;
using test_support::ParseJson;

std::string PagingYaml(const test_support::WebhookReceiver& hook, const test_support::SmtpReceiver& smtp) {
  return "services:\n"
         "  - {name: checkout, routing_keys: [checkout-key], group_wait: 0, ack_timeout: 0, time_zone: Europe/Berlin,\n"
         "     criticality: tier-1}\n"
         "  - {name: ops, routing_keys: [ops-key], group_wait: 0}\n"
         "  - {name: prometheus}\n"
         "  - {name: db}\n"
         "channels:\n"
         "  hook: {type: webhook, url: \"" + hook.Url("/page") + "\", secret: s3cret, timeout: 5s}\n"
         "  mail: {type: email, url: \"" + smtp.Url() + "\", from: incidentd@example.com, timeout: 5s}\n"
         "people:\n"
         "  - {name: alice, contacts: [{channel: hook}, {channel: mail, address: alice@example.com}]}\n"
         "  - {name: bob, contacts: [{channel: hook}]}\n"
         "schedules:\n"
         "  - name: primary\n"
         "    layers:\n"
         "      - rotations:\n"
         "          - {participants: [alice], frequency: weekly, start: \"2026-01-05T00:00\"}\n"
         "escalation_policies:\n"
         "  - name: default\n"
         "    steps:\n"
         "      - {targets: [\"schedule:primary\"]}\n"
         "      - {delay: 10m, targets: [\"user:bob\"]}\n"
         "routing:\n"
         "  - {name: everything, policy: default}\n"
         "drills:\n"
         "  - {name: checkout-drill, service: checkout, sla: 1m, report_service: ops}\n"
         "delivery:\n"
         "  retry_base: 1s\n"
         "  retry_cap: 2s\n";
}

std::string Event(const std::string& key) {
  return R"({"routing_key":"checkout-key","event_action":"trigger","dedup_key":")" + key +
         R"(","payload":{"summary":"checkout 5xx","source":"web-1","severity":"critical"}})";
}

// The path of the first ack link in `text` ("/ack/...").
std::string AckPath(const std::string& text) {
  auto at = text.find("/ack/");
  if (at == std::string::npos) return "";
  auto end = text.find_first_of("\"\\ \r\n<>|", at);
  return text.substr(at, end == std::string::npos ? std::string::npos : end - at);
}

class PagingTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto started = server_.Start();
    ASSERT_TRUE(started.ok()) << started.error().message << server_.ReadStderr();
    client_ = server_.Client();
  }
  json::value Paging(uint64_t id) {
    HttpResponse r = Must(client_.Get("/api/v1/incidents/" + std::to_string(id) + "/paging"));
    EXPECT_EQ(r.status, 200) << r.body;
    return ParseJson(r.body);
  }
  // Waits (bounded) until the incident's deliveries are all done.
  json::value WaitDelivered(uint64_t id, size_t count) {
    json::value v;
    for (int i = 0; i < 200; ++i) {
      v = Paging(id);
      size_t done = 0;
      for (const auto& d : v.at("deliveries").as_array()) done += d.at("state") == "delivered";
      if (done >= count) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    return v;
  }

  test_support::WebhookReceiver hook_;
  test_support::SmtpReceiver smtp_;
  test_support::ServerProcess server_{PagingYaml(hook_, smtp_)};
  test_support::HttpClient client_{0};
};

TEST_F(PagingTest, AnEventPagesTheOnCallPersonOverWebhookAndEmailAndTheAckLinkAcknowledges) {
  HttpResponse posted = Must(client_.Post("/v2/enqueue", Event("db-1")));
  ASSERT_EQ(posted.status, 202) << posted.body;
  ASSERT_TRUE(hook_.WaitFor(1, std::chrono::seconds(20)));
  ASSERT_TRUE(smtp_.WaitFor(1, std::chrono::seconds(20)));

  auto req = hook_.Requests().at(0);
  EXPECT_EQ(req.target, "/page");
  EXPECT_TRUE(channels::VerifySignature("s3cret", req.Header("X-Incidentd-Timestamp"), req.body,
                                        req.Header("X-Incidentd-Signature")));
  json::value body = ParseJson(req.body);
  EXPECT_NE(json::serialize(body).find("Incident 1 triggered"), std::string::npos) << req.body;
  const std::string key = req.Header("Idempotency-Key");
  EXPECT_NE(key.find("-alice-0"), std::string::npos) << key;
  auto mail = smtp_.Messages().at(0);
  EXPECT_EQ(mail.recipients, std::vector<std::string>{"alice@example.com"});
  EXPECT_EQ(mail.Header("Subject"), "[critical] Incident 1 triggered: checkout 5xx");

  json::value paging = WaitDelivered(1, 2);
  EXPECT_EQ(paging.at("escalation").at("policy"), "default");
  EXPECT_EQ(paging.at("escalation").at("rule"), "everything");
  EXPECT_EQ(paging.at("escalation").at("paged").as_array().size(), 1u);
  EXPECT_EQ(paging.at("deliveries").as_array().size(), 2u);

  // The link in the message: GET shows a button (a mail scanner following it changes nothing), POST acknowledges.
  const std::string link = AckPath(mail.Body());
  ASSERT_FALSE(link.empty()) << mail.Body();
  test_support::HttpClient anonymous = server_.Client("");
  HttpResponse page = Must(anonymous.Get(link));
  EXPECT_EQ(page.status, 200) << page.body;
  EXPECT_NE(page.body.find("<form method=\"post\">"), std::string::npos);
  EXPECT_EQ(ParseJson(Must(client_.Get("/api/v1/incidents/1")).body).at("state"), "triggered");
  HttpResponse acked = Must(anonymous.Post(link, "", "application/x-www-form-urlencoded"));
  EXPECT_EQ(acked.status, 200) << acked.body;
  EXPECT_NE(acked.body.find("Acknowledged by alice"), std::string::npos);
  json::value inc = ParseJson(Must(client_.Get("/api/v1/incidents/1")).body);
  EXPECT_EQ(inc.at("state"), "acknowledged");
  EXPECT_EQ(inc.at("last_actor"), "link:alice");
  paging = Paging(1);
  EXPECT_EQ(paging.at("escalation").at("active"), false);
  EXPECT_EQ(paging.at("escalation").at("stopped"), "acknowledged");

  // A forged or altered token is refused and changes nothing.
  std::string forged = link;
  forged[forged.size() - 1] = forged.back() == 'a' ? 'b' : 'a';
  EXPECT_EQ(Must(anonymous.Post(forged, "", "application/x-www-form-urlencoded")).status, 403);
  EXPECT_EQ(Must(anonymous.Get("/ack/1.alice.99999999999.00")).status, 403);

  // The timeline holds the escalation and each delivery attempt.
  std::string timeline = Must(client_.Get("/api/v1/incidents/1/timeline")).body;
  EXPECT_NE(timeline.find("Escalation policy default (rule everything"), std::string::npos) << timeline;
  EXPECT_NE(timeline.find("Attempt 1 of triggered notification to alice via hook: delivered (200)"),
            std::string::npos)
      << timeline;
  EXPECT_NE(timeline.find("Attempt 1 of triggered notification to alice via mail: delivered"), std::string::npos);
}

TEST_F(PagingTest, AFailingReceiverIsRetriedWithTheSameKeyUntilItAccepts) {
  hook_.SetStatus(503);
  ASSERT_EQ(Must(client_.Post("/v2/enqueue", Event("db-2"))).status, 202);
  ASSERT_TRUE(hook_.WaitFor(2, std::chrono::seconds(20)));
  hook_.SetStatus(200);
  json::value paging = WaitDelivered(1, 2);
  size_t hook_requests = hook_.Count();
  ASSERT_GE(hook_requests, 3u);
  auto requests = hook_.Requests();
  for (const auto& r : requests) EXPECT_EQ(r.Header("Idempotency-Key"), requests[0].Header("Idempotency-Key"));
  for (const auto& d : paging.at("deliveries").as_array()) {
    if (d.at("channel") == "hook") {
      EXPECT_EQ(d.at("state"), "delivered");
      EXPECT_EQ(d.at("attempts").as_int64(), static_cast<int64_t>(hook_requests));
    }
  }
  HttpResponse list = Must(client_.Get("/api/v1/deliveries?state=delivered"));
  ASSERT_EQ(list.status, 200);
  EXPECT_EQ(ParseJson(list.body).at("deliveries").as_array().size(), 2u);
  EXPECT_EQ(Must(client_.Get("/api/v1/deliveries?state=lost")).status, 400);
}

TEST_F(PagingTest, ReassigningPagesTheNewPersonAndRefusesUnknownNames) {
  ASSERT_EQ(Must(client_.Post("/v2/enqueue", Event("db-3"))).status, 202);
  ASSERT_TRUE(hook_.WaitFor(1, std::chrono::seconds(20)));
  HttpResponse bad = Must(client_.Post("/api/v1/incidents/1/reassign", R"({"user":"zed"})"));
  EXPECT_EQ(bad.status, 400);
  EXPECT_NE(bad.body.find("/user"), std::string::npos);
  HttpResponse ok = Must(client_.Post("/api/v1/incidents/1/reassign", R"({"user":"bob"})"));
  ASSERT_EQ(ok.status, 200) << ok.body;
  ASSERT_TRUE(hook_.WaitFor(2, std::chrono::seconds(20)));
  EXPECT_NE(hook_.Requests().at(1).Header("Idempotency-Key").find("-bob-0"), std::string::npos);
  EXPECT_EQ(Must(client_.Post("/api/v1/incidents/99/reassign", R"({"user":"bob"})")).status, 404);
  EXPECT_EQ(Must(server_.Client(test_support::kViewerToken).Post("/api/v1/incidents/1/reassign", R"({"user":"bob"})"))
                .status,
            403);
}

TEST_F(PagingTest, EscalatingByHandPagesTheNextStepNowAndIsRefusedAtTheLastStep) {
  ASSERT_EQ(Must(client_.Post("/v2/enqueue", Event("db-4"))).status, 202);
  ASSERT_TRUE(hook_.WaitFor(1, std::chrono::seconds(20)));  // alice, step 1

  HttpResponse ok = Must(client_.Post("/api/v1/incidents/1/escalate", R"({"reason":"alice is on a plane"})"));

  ASSERT_EQ(ok.status, 200) << ok.body;
  json::value v = ParseJson(ok.body);
  EXPECT_EQ(v.at("escalation").at("step"), 2);
  EXPECT_EQ(json::serialize(v.at("escalation").at("paged")), R"(["alice","bob"])");
  ASSERT_TRUE(hook_.WaitFor(2, std::chrono::seconds(20)));  // bob, now rather than in 10 minutes
  EXPECT_NE(hook_.Requests().back().Header("Idempotency-Key").find("-bob-0"), std::string::npos);
  HttpResponse timeline = Must(client_.Get("/api/v1/incidents/1/timeline"));
  EXPECT_NE(timeline.body.find("Escalated to the next step now by "), std::string::npos) << timeline.body;
  EXPECT_NE(timeline.body.find("alice is on a plane"), std::string::npos);
  HttpResponse last = Must(client_.Post("/api/v1/incidents/1/escalate", ""));
  EXPECT_EQ(last.status, 409) << last.body;
  EXPECT_EQ(Must(client_.Post("/api/v1/incidents/99/escalate", "{}")).status, 404);
  EXPECT_EQ(Must(client_.Post("/api/v1/incidents/1/escalate", R"({"reason":7})")).status, 400);
  EXPECT_EQ(Must(server_.Client(test_support::kViewerToken).Post("/api/v1/incidents/1/escalate", "{}")).status, 403);
}

TEST_F(PagingTest, ADrillRunsThroughTheWholeChainAndPassesWhenAcknowledgedFromTheMessage) {
  HttpResponse run = Must(client_.Post("/api/v1/drills/checkout-drill/run", ""));
  ASSERT_EQ(run.status, 202) << run.body;
  EXPECT_EQ(Must(client_.Post("/api/v1/drills/checkout-drill/run", "")).status, 409);
  EXPECT_EQ(Must(client_.Post("/api/v1/drills/nope/run", "")).status, 404);
  // The injector posts the synthetic event to /v2/enqueue; the page reaches the on-call person's webhook.
  ASSERT_TRUE(hook_.WaitFor(1, std::chrono::seconds(20)));
  const std::string body = hook_.Requests().at(0).body;
  EXPECT_NE(body.find("[DRILL] checkout-drill"), std::string::npos) << body;
  EXPECT_NE(body.find("\"drill\":\"true\""), std::string::npos) << body;
  WaitDelivered(1, 1);
  const std::string link = AckPath(body);
  ASSERT_FALSE(link.empty()) << body;
  ASSERT_EQ(Must(server_.Client("").Post(link, "", "application/x-www-form-urlencoded")).status, 200);
  json::value drill = ParseJson(Must(client_.Get("/api/v1/drills/checkout-drill")).body);
  ASSERT_EQ(drill.at("runs").as_array().size(), 1u);
  const json::value& r = drill.at("runs").as_array()[0];
  EXPECT_EQ(r.at("result"), "passed") << json::serialize(drill);
  EXPECT_EQ(r.at("manual"), true);
  EXPECT_EQ(drill.at("passed"), 1);
  EXPECT_EQ(ParseJson(Must(client_.Get("/api/v1/incidents/1")).body).at("state"), "resolved");
  EXPECT_EQ(Paging(1).at("drill"), true);
  json::value list = ParseJson(Must(client_.Get("/api/v1/drills")).body);
  EXPECT_EQ(list.at("drills").as_array()[0].at("last_run").at("result"), "passed");

  auto ctl = server_.Ctl({"drills", "list"});
  EXPECT_EQ(ctl.exit_code, 0) << ctl.err;
  EXPECT_NE(ctl.out.find("checkout-drill  checkout"), std::string::npos) << ctl.out;
  EXPECT_NE(ctl.out.find("passed"), std::string::npos) << ctl.out;
  ctl = server_.Ctl({"drills", "show", "checkout-drill"});
  EXPECT_EQ(ctl.exit_code, 0) << ctl.err;
  // The run names the first delivery: the webhook's or the mail's, whichever the outbox confirmed first.
  EXPECT_TRUE(ctl.out.find("delivered to alice via hook") != std::string::npos ||
              ctl.out.find("delivered to alice via mail") != std::string::npos)
      << ctl.out;
  ctl = server_.Ctl({"incidents", "paging", "1"});
  EXPECT_EQ(ctl.exit_code, 0) << ctl.err;
  EXPECT_NE(ctl.out.find("drill:         true"), std::string::npos) << ctl.out;
  EXPECT_NE(ctl.out.find("stopped: acknowledged"), std::string::npos) << ctl.out;
  ctl = server_.Ctl({"drills", "run", "nope"});
  EXPECT_EQ(ctl.exit_code, 1);
  EXPECT_NE(ctl.err.find("no drill named 'nope'"), std::string::npos) << ctl.err;
}

TEST(PagingConfigTest, AnUnknownTargetIsRefusedAtStartNamingIt) {
  test_support::ServerProcess server(
      "people:\n"
      "  - {name: alice, contacts: [{channel: hook}]}\n"
      "channels:\n"
      "  hook: {type: webhook, url: \"http://127.0.0.1:9/x\"}\n"
      "escalation_policies:\n"
      "  - name: default\n"
      "    steps:\n"
      "      - {targets: [\"schedule:nope\"]}\n");
  EXPECT_FALSE(server.Start().ok());
  EXPECT_NE(server.ReadStderr().find("/escalation_policies/default/steps/0/targets/0: unknown target schedule:nope"),
            std::string::npos)
      << server.ReadStderr();
}

}  // namespace
