// Debian's real Alertmanager (0.25) notifying incidentd through its webhook receiver (payload version 4): a firing
// group opens an incident, and the group's resolved notification resolves it.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <boost/json/serialize.hpp>

#include <filesystem>
#include <fstream>
#include <string>

#include "interop/external_program.h"
#include "interop/free_port.h"
#include "interop/observe.h"
#include "support/api.h"
#include "support/server_process.h"
#include "support/temp_dir.h"

namespace {

using interop::Eventually;
using interop::FindIncident;
using test_support::HttpResponse;
using test_support::Must;
using test_support::StringField;

class AlertmanagerWebhookInteropTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(interop::Installed(interop::kAlertmanagerBin));
    auto started = server_.Start();
    ASSERT_TRUE(started.ok()) << started.error().message;
    client_ = server_.Client();

    // Every group is notified at once and every second after a change, so a resolve reaches incidentd quickly.
    const auto config_path = dir_.path() / "alertmanager.yml";
    std::ofstream(config_path) << "global:\n"
                                  "  resolve_timeout: 5m\n"
                                  "route:\n"
                                  "  receiver: incidentd\n"
                                  "  group_by: [alertname]\n"
                                  "  group_wait: 0s\n"
                                  "  group_interval: 1s\n"
                                  "  repeat_interval: 1h\n"
                                  "receivers:\n"
                                  "  - name: incidentd\n"
                                  "    webhook_configs:\n"
                                  "      - url: " << server_.url() << "/api/v1/integrations/alertmanager/prometheus\n"
                                  "        send_resolved: true\n"
                                  "        http_config:\n"
                                  "          authorization:\n"
                                  "            credentials: " << test_support::kAdminToken << "\n";
    std::filesystem::create_directories(dir_.path() / "storage");
    auto spawned = alertmanager_.Start({interop::kAlertmanagerBin,
                                        "--config.file=" + config_path.string(),
                                        "--storage.path=" + (dir_.path() / "storage").string(),
                                        "--web.listen-address=127.0.0.1:" + std::to_string(port_),
                                        "--cluster.listen-address="});
    ASSERT_TRUE(spawned.ok()) << spawned.error().message;
    auto ready = alertmanager_.WaitForHttp(port_, "/-/ready");
    ASSERT_TRUE(ready.ok()) << ready.error().message;
  }

  // Posts one alert to Alertmanager's own API: firing when `ends_at` is empty, else ending then.
  void PostToAlertmanager(const std::string& alertname, const std::string& starts_at, const std::string& ends_at) {
    boost::json::object alert{
        {"labels", boost::json::object{{"alertname", alertname}, {"severity", "critical"}}},
        {"annotations", boost::json::object{{"summary", alertname + " via Alertmanager"}}},
        {"startsAt", starts_at},
    };
    if (!ends_at.empty()) alert["endsAt"] = ends_at;
    test_support::HttpClient alertmanager(port_);
    const std::string body = boost::json::serialize(boost::json::array{alert});
    HttpResponse response = Must(alertmanager.Post("/api/v2/alerts", body));
    ASSERT_EQ(response.status, 200) << response.body;
  }

  template <typename Accept>
  std::optional<boost::json::object> AwaitIncident(const std::string& alertname, Accept accept) {
    return interop::AwaitIncident(client_, alertname, accept);
  }

  // Alertmanager's own count of webhook notifications, `which` being "total" or "failed_total".
  std::optional<double> WebhookNotifications(const std::string& which) {
    test_support::HttpClient alertmanager(port_);
    auto metrics = alertmanager.Get("/metrics");
    if (!metrics.ok() || metrics->status != 200) return std::nullopt;
    return interop::MetricSum(metrics->body, "alertmanager_notifications_" + which, "integration=\"webhook\"");
  }

  test_support::ServerProcess server_;
  test_support::HttpClient client_{0};
  test_support::TempDir dir_;  // declared before alertmanager_: its logs live here
  uint16_t port_ = interop::FreeLoopbackPort();
  interop::ExternalProgram alertmanager_{"alertmanager", dir_.path()};
};

TEST_F(AlertmanagerWebhookInteropTest, FiringGroupOpensAnIncident) {
  ASSERT_NO_FATAL_FAILURE(PostToAlertmanager("WebhookFiring", interop::NowRfc3339(), ""));

  auto incident = AwaitIncident("WebhookFiring", [](const auto&) { return true; });

  ASSERT_TRUE(incident.has_value());
  EXPECT_EQ(StringField(*incident, "service"), "prometheus");
  EXPECT_EQ(StringField(*incident, "state"), "triggered");
  EXPECT_GE(WebhookNotifications("total").value_or(0), 1);
  EXPECT_EQ(WebhookNotifications("failed_total").value_or(-1), 0) << "Alertmanager counted failed webhook calls";
}

TEST_F(AlertmanagerWebhookInteropTest, ResolvedGroupResolvesItsIncident) {
  const std::string starts_at = interop::NowRfc3339();
  ASSERT_NO_FATAL_FAILURE(PostToAlertmanager("WebhookResolved", starts_at, ""));
  auto opened = AwaitIncident("WebhookResolved", [](const auto&) { return true; });
  ASSERT_TRUE(opened.has_value());

  ASSERT_NO_FATAL_FAILURE(PostToAlertmanager("WebhookResolved", starts_at, interop::NowRfc3339()));
  auto resolved =
      AwaitIncident("WebhookResolved", [](const auto& i) { return StringField(i, "state") == "resolved"; });

  ASSERT_TRUE(resolved.has_value());
  EXPECT_EQ(test_support::NumberField(*resolved, "id"), test_support::NumberField(*opened, "id"));
  EXPECT_EQ(WebhookNotifications("failed_total").value_or(-1), 0) << "Alertmanager counted failed webhook calls";
}

}  // namespace
