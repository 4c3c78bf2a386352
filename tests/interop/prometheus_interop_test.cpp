// Debian's real Prometheus (2.42) sending its alerts to incidentd as to an Alertmanager (API v2): a firing rule
// opens an incident, with a bearer token or basic auth, and a rule that stops firing (after a reload) resolves it.
#include <signal.h>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>
#include <string>

#include "interop/external_program.h"
#include "interop/free_port.h"
#include "interop/observe.h"
#include "support/api.h"
#include "support/server_process.h"
#include "support/temp_dir.h"

namespace {

using ::testing::AllOf;
using ::testing::HasSubstr;
using ::testing::StartsWith;
using interop::Eventually;
using interop::FindIncident;
using test_support::kAdminToken;
using test_support::StringField;

// How Prometheus proves who it is to incidentd: the two forms an alertmanager_config accepts.
const std::string kBearerAuth = std::string("    authorization:\n      type: Bearer\n      credentials: ") +
                                kAdminToken + "\n";
const std::string kBasicAuth =
    std::string("    basic_auth:\n      username: prometheus\n      password: ") + kAdminToken + "\n";

class PrometheusInteropTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(interop::Installed(interop::kPrometheusBin));
    auto started = server_.Start();
    ASSERT_TRUE(started.ok()) << started.error().message;
    client_ = server_.Client();
  }

  // Writes rules.yml: `rules_yaml` as the entries of one rule group evaluated every second.
  void WriteRules(const std::string& rules_yaml) {
    std::ofstream(dir_.path() / "rules.yml") << "groups:\n"
                                                "  - name: interop\n"
                                                "    interval: 1s\n"
                                                "    rules:\n"
                                             << rules_yaml;
  }

  // Writes prometheus.yml (incidentd as its only Alertmanager, authenticating with `auth_yaml`) and the rules,
  // starts Prometheus and waits until it is ready.
  void StartPrometheus(const std::string& auth_yaml, const std::string& rules_yaml) {
    WriteRules(rules_yaml);
    const auto rules_path = dir_.path() / "rules.yml";
    const auto config_path = dir_.path() / "prometheus.yml";
    std::ofstream(config_path) << "global:\n"
                                  "  evaluation_interval: 1s\n"
                                  "rule_files:\n"
                                  "  - " << rules_path.string() << "\n"
                                  "alerting:\n"
                                  "  alertmanagers:\n"
                                  "  - api_version: v2\n"
                                  "    static_configs:\n"
                                  "    - targets: ['127.0.0.1:" << server_.port() << "']\n"
                               << auth_yaml;
    std::filesystem::create_directories(dir_.path() / "tsdb");
    auto started = prometheus_.Start({interop::kPrometheusBin,
                                      "--config.file=" + config_path.string(),
                                      "--storage.tsdb.path=" + (dir_.path() / "tsdb").string(),
                                      "--web.listen-address=127.0.0.1:" + std::to_string(port_),
                                      "--rules.alert.resend-delay=1s"});
    ASSERT_TRUE(started.ok()) << started.error().message;
    auto ready = prometheus_.WaitForHttp(port_, "/-/ready");
    ASSERT_TRUE(ready.ok()) << ready.error().message;
  }

  template <typename Accept>
  std::optional<boost::json::object> AwaitIncident(const std::string& alertname, Accept accept) {
    return interop::AwaitIncident(client_, alertname, accept);
  }

  // Prometheus's own count of failed sends to incidentd (from its /metrics page).
  std::optional<double> SendErrors() {
    test_support::HttpClient prometheus(port_);
    auto metrics = prometheus.Get("/metrics");
    if (!metrics.ok() || metrics->status != 200) return std::nullopt;
    return interop::MetricSum(metrics->body, "prometheus_notifications_errors_total");
  }

  test_support::ServerProcess server_;
  test_support::HttpClient client_{0};
  test_support::TempDir dir_;  // declared before prometheus_: its logs live here
  uint16_t port_ = interop::FreeLoopbackPort();
  interop::ExternalProgram prometheus_{"prometheus", dir_.path()};
};

constexpr const char* kAlwaysFiringRule =
    "      - alert: AlwaysFiring\n"
    "        expr: vector(1)\n"
    "        labels:\n"
    "          severity: critical\n"
    "        annotations:\n"
    "          summary: always firing\n";

TEST_F(PrometheusInteropTest, FiringRuleOpensAnIncidentWithBearerToken) {
  ASSERT_NO_FATAL_FAILURE(StartPrometheus(kBearerAuth, kAlwaysFiringRule));

  auto incident = AwaitIncident("AlwaysFiring", [](const auto&) { return true; });

  ASSERT_TRUE(incident.has_value());
  EXPECT_EQ(StringField(*incident, "service"), "prometheus");
  EXPECT_THAT(StringField(*incident, "group_key"), AllOf(StartsWith("alertname="), HasSubstr("AlwaysFiring")));
  EXPECT_EQ(StringField(*incident, "state"), "triggered");
  EXPECT_EQ(SendErrors().value_or(-1), 0) << "Prometheus counted failed sends to incidentd";
}

TEST_F(PrometheusInteropTest, FiringRuleOpensAnIncidentWithBasicAuth) {
  ASSERT_NO_FATAL_FAILURE(StartPrometheus(kBasicAuth, kAlwaysFiringRule));

  auto incident = AwaitIncident("AlwaysFiring", [](const auto&) { return true; });

  ASSERT_TRUE(incident.has_value());
  EXPECT_EQ(StringField(*incident, "service"), "prometheus");
  EXPECT_EQ(StringField(*incident, "state"), "triggered");
  EXPECT_EQ(SendErrors().value_or(-1), 0) << "Prometheus counted failed sends to incidentd";
}

// The same rule before and after a reload: Prometheus keeps an alert's state across a reload when the rule keeps
// its name and labels, so the firing alert resolves at the next evaluation and is sent with endsAt set.
std::string StoppableRule(const std::string& expr) {
  return "      - alert: StopsFiring\n"
         "        expr: " + expr + "\n"
         "        labels:\n"
         "          severity: warning\n";
}

TEST_F(PrometheusInteropTest, RuleThatStopsFiringResolvesItsIncident) {
  ASSERT_NO_FATAL_FAILURE(StartPrometheus(kBearerAuth, StoppableRule("vector(1)")));
  auto opened = AwaitIncident("StopsFiring", [](const auto&) { return true; });
  ASSERT_TRUE(opened.has_value());

  WriteRules(StoppableRule("vector(1) and on() (vector(time()) < 0)"));
  prometheus_.Signal(SIGHUP);
  auto resolved = AwaitIncident("StopsFiring", [](const auto& i) { return StringField(i, "state") == "resolved"; });

  ASSERT_TRUE(resolved.has_value());
  EXPECT_EQ(test_support::NumberField(*resolved, "id"), test_support::NumberField(*opened, "id"));
  EXPECT_THAT(StringField(*resolved, "group_key"), AllOf(StartsWith("alertname="), HasSubstr("StopsFiring")));
  EXPECT_EQ(SendErrors().value_or(-1), 0) << "Prometheus counted failed sends to incidentd";
}

}  // namespace
