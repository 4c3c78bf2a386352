#include "app/config.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <string>

namespace app {
namespace {

const char* FakeEnv(const char* name) {
  return std::string(name) == "INCIDENTD_TOKEN" ? "a-test-token-of-sufficient-length" : nullptr;
}

const char* kMinimal = R"(
auth:
  tokens:
    - {name: admin, role: admin, token_env: INCIDENTD_TOKEN}
services:
  - name: checkout
    routing_keys: [checkout-key]
)";

TEST(ConfigTest, TheExampleConfigurationLoads) {
  const char* src = std::getenv("INCIDENTD_SOURCE_DIR");
  ASSERT_NE(src, nullptr);

  auto cfg = LoadConfig(std::string(src) + "/examples/incidentd.yaml", FakeEnv);

  ASSERT_TRUE(cfg.ok()) << cfg.error().message;
  EXPECT_EQ(cfg->http.address, "127.0.0.1");
  EXPECT_EQ(cfg->http.port, 9797);
  EXPECT_EQ(cfg->http.tokens.size(), 2u);
  EXPECT_NE(cfg->services.ByRoutingKey("checkout-key"), nullptr);
}

TEST(ConfigTest, DefaultsListenOnLoopbackAndGroupByDedupKey) {
  auto cfg = ParseConfig(kMinimal, "t.yaml", FakeEnv);

  ASSERT_TRUE(cfg.ok()) << cfg.error().message;
  EXPECT_EQ(cfg->http.address, "127.0.0.1");
  EXPECT_EQ(cfg->services.services()[0].group_by, std::vector<std::string>{"dedup_key"});
}

TEST(ConfigTest, TokensAreKeptOnlyAsHashes) {
  auto cfg = ParseConfig(kMinimal, "t.yaml", FakeEnv);

  ASSERT_TRUE(cfg.ok());
  const auto& hash = cfg->http.tokens[0].sha256;
  std::string raw(hash.begin(), hash.end());
  EXPECT_EQ(raw.find("a-test-token"), std::string::npos);
}

TEST(ConfigTest, ErrorsNameFileLineAndKey) {
  std::string text = std::string(kMinimal) + "    group_by: [hostname]\n";

  auto cfg = ParseConfig(text, "t.yaml", FakeEnv);

  ASSERT_FALSE(cfg.ok());
  EXPECT_NE(cfg.error().message.find("t.yaml:8: services[0].group_by: unknown field 'hostname'"), std::string::npos)
      << cfg.error().message;
}

TEST(ConfigTest, UnknownKeysAreErrors) {
  auto cfg = ParseConfig(std::string(kMinimal) + "lisen: 0.0.0.0:80\n", "t.yaml", FakeEnv);

  ASSERT_FALSE(cfg.ok());
  EXPECT_NE(cfg.error().message.find("lisen: unknown key"), std::string::npos) << cfg.error().message;
}

TEST(ConfigTest, MissingTokenEnvironmentVariableIsAnError) {
  auto cfg = ParseConfig(kMinimal, "t.yaml", [](const char*) -> const char* { return nullptr; });

  ASSERT_FALSE(cfg.ok());
  EXPECT_NE(cfg.error().message.find("INCIDENTD_TOKEN is unset"), std::string::npos) << cfg.error().message;
}

TEST(ConfigTest, RejectsBadRolesDurationsAndHashes) {
  const char* bad_role = "auth: {tokens: [{name: a, role: root, token_env: INCIDENTD_TOKEN}]}\nservices: []\n";
  const char* bad_hash = "auth: {tokens: [{name: a, role: admin, token_sha256: abc}]}\nservices: []\n";
  std::string bad_duration = std::string(kMinimal) + "    ack_timeout: soon\n";

  EXPECT_NE(ParseConfig(bad_role, "t", FakeEnv).error().message.find("role: must be one of"), std::string::npos);
  EXPECT_NE(ParseConfig(bad_hash, "t", FakeEnv).error().message.find("64 hex digits"), std::string::npos);
  EXPECT_NE(ParseConfig(bad_duration, "t", FakeEnv).error().message.find("ack_timeout"), std::string::npos);
}

TEST(ConfigTest, MalformedYamlReportsTheLine) {
  auto cfg = ParseConfig("services:\n  - name: [unclosed\n", "t.yaml", FakeEnv);

  ASSERT_FALSE(cfg.ok());
  EXPECT_NE(cfg.error().message.find("t.yaml:"), std::string::npos);
}

TEST(ConfigTest, ParsesListenForms) {
  std::string addr;
  uint16_t port = 1;

  ASSERT_TRUE(ParseListen("127.0.0.1:0", addr, port).ok());
  EXPECT_EQ(port, 0);
  ASSERT_TRUE(ParseListen("[::1]:9797", addr, port).ok());
  EXPECT_EQ(addr, "::1");
  EXPECT_FALSE(ParseListen("localhost", addr, port).ok());
  EXPECT_FALSE(ParseListen("127.0.0.1:70000", addr, port).ok());
}

TEST(ConfigTest, TopologyAndNotificationTimingLoad) {
  std::string text = std::string(kMinimal) + R"(    group_wait: 10s
    group_interval: 2m
    group_window: 1h
    new_symptom_severity: critical
topology:
  window: 2m
  segments: [rack-a]
  hosts:
    - {name: db-1, segment: rack-a, aliases: [db-1.example.com]}
  services:
    - {name: checkout, hosts: [db-1]}
  failures:
    - {rule: host-down, kind: host, matchers: ['alertname="HostDown"'], node_label: instance}
)";
  auto cfg = ParseConfig(text, "t.yaml", FakeEnv);

  ASSERT_TRUE(cfg.ok()) << cfg.error().message;
  const auto* svc = cfg->services.ByName("checkout");
  EXPECT_EQ(svc->group_wait, std::chrono::seconds(10));
  EXPECT_EQ(svc->group_window, std::chrono::hours(1));
  EXPECT_EQ(svc->new_symptom_severity, ingest::Severity::kCritical);
  EXPECT_EQ(cfg->topology.window, std::chrono::minutes(2));
  ASSERT_EQ(cfg->topology.hosts.size(), 1u);
  EXPECT_EQ(cfg->topology.hosts[0].segment, "rack-a");
  ASSERT_EQ(cfg->topology.failures.size(), 1u);
  EXPECT_EQ(cfg->topology.failures[0].matchers[0].ToString(), "alertname=\"HostDown\"");
}

TEST(ConfigTest, ATopologyWithAnUnknownReferenceOrACycleIsRefusedNamingTheKey) {
  std::string unknown = std::string(kMinimal) + R"(topology:
  hosts:
    - {name: db-1, segment: nowhere}
)";
  auto bad = ParseConfig(unknown, "t.yaml", FakeEnv);
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.error().message.find("topology.hosts[0].segment: unknown segment 'nowhere'"), std::string::npos)
      << bad.error().message;

  std::string cycle = std::string(kMinimal) + R"(topology:
  services:
    - {name: a, depends_on: [b]}
    - {name: b, depends_on: [a]}
)";
  auto looped = ParseConfig(cycle, "t.yaml", FakeEnv);
  ASSERT_FALSE(looped.ok());
  EXPECT_NE(looped.error().message.find("dependency cycle"), std::string::npos) << looped.error().message;
}

}  // namespace
}  // namespace app
