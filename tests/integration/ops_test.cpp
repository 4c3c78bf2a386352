// Operating the server: health and readiness probes, Prometheus metrics, and a graceful SIGTERM that loses nothing.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

#include "support/api.h"
#include "support/server_process.h"

namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;
using test_support::kCheckoutKey;
using test_support::Must;

class OpsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto started = server_.Start();
    ASSERT_TRUE(started.ok()) << started.error().message;
  }

  void Trigger(test_support::HttpClient& client, const std::string& dedup_key) {
    auto response = Must(client.Post("/v2/enqueue", test_support::TriggerEvent(kCheckoutKey, dedup_key, dedup_key)));
    ASSERT_EQ(response.status, 202) << response.body;
  }

  test_support::ServerProcess server_;
};

TEST_F(OpsTest, HealthAndReadinessAnswerWithoutAToken) {
  test_support::HttpClient anonymous(server_.port());

  auto health = Must(anonymous.Get("/healthz"));
  auto ready = Must(anonymous.Get("/readyz"));

  EXPECT_EQ(health.status, 200);
  EXPECT_THAT(health.body, StartsWith("ok"));
  EXPECT_EQ(ready.status, 200);
  EXPECT_THAT(ready.body, StartsWith("ready"));
}

TEST_F(OpsTest, MetricsCountEventsAndOpenIncidents) {
  auto client = server_.Client();
  Trigger(client, "metrics-1");
  test_support::HttpClient anonymous(server_.port());

  auto metrics = Must(anonymous.Get("/metrics"));

  EXPECT_EQ(metrics.status, 200);
  EXPECT_THAT(metrics.Header("Content-Type"), StartsWith("text/plain"));
  EXPECT_THAT(metrics.body, HasSubstr("incidentd_open_incidents"));
  EXPECT_THAT(metrics.body, HasSubstr("incidentd_events_received_total"));
  EXPECT_TRUE(test_support::HasLineWith(metrics.body, {"incidentd_open_incidents", " 1"})) << metrics.body;
}

TEST_F(OpsTest, SigtermExitsZeroAndARestartKeepsEveryIncident) {
  auto client = server_.Client();
  for (int i = 0; i < 5; ++i) Trigger(client, "keep-" + std::to_string(i));
  const auto incidents = test_support::AllIncidents(client);
  ASSERT_EQ(incidents.size(), 5u);
  auto acked = server_.Ctl({"incidents", "ack", std::to_string(test_support::NumberField(incidents[0], "id"))});
  ASSERT_EQ(acked.exit_code, 0) << acked.err;
  auto before = server_.Ctl({"incidents", "list", "--all", "--json"});

  const int status = server_.Stop();
  auto restarted = server_.Start();

  EXPECT_EQ(status, 0) << server_.ReadStderr();
  ASSERT_TRUE(restarted.ok()) << restarted.error().message;
  auto after = server_.Ctl({"incidents", "list", "--all", "--json"});
  ASSERT_EQ(before.exit_code, 0) << before.err;
  ASSERT_EQ(after.exit_code, 0) << after.err;
  EXPECT_EQ(after.out, before.out);
  auto restarted_client = server_.Client();
  EXPECT_EQ(test_support::AllIncidents(restarted_client).size(), 5u);
}

}  // namespace
