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
  EXPECT_EQ(cfg->http.users.size(), 3u);
  EXPECT_NE(cfg->services.ByRoutingKey("checkout-key"), nullptr);
}

TEST(ConfigTest, DefaultsListenOnLoopbackAndGroupByDedupKey) {
  auto cfg = ParseConfig(kMinimal, "t.yaml", FakeEnv);

  ASSERT_TRUE(cfg.ok()) << cfg.error().message;
  EXPECT_EQ(cfg->http.address, "127.0.0.1");
  EXPECT_EQ(cfg->services.services()[0].group_by, std::vector<std::string>{"dedup_key"});
}

TEST(ConfigTest, WebUiSessionTimesDefaultTo8hIdleAnd24hLifetime) {
  auto defaults = ParseConfig(kMinimal, "t.yaml", FakeEnv);
  auto set = ParseConfig(std::string(kMinimal) + "ui:\n  session_idle: 30m\n  session_lifetime: 12h\n", "t.yaml",
                         FakeEnv);

  ASSERT_TRUE(defaults.ok()) << defaults.error().message;
  ASSERT_TRUE(set.ok()) << set.error().message;
  EXPECT_EQ(defaults->http.session_idle, std::chrono::hours(8));
  EXPECT_EQ(defaults->http.session_lifetime, std::chrono::hours(24));
  EXPECT_EQ(set->http.session_idle, std::chrono::minutes(30));
  EXPECT_EQ(set->http.session_lifetime, std::chrono::hours(12));
}

TEST(ConfigTest, SnapshotTailPercentDefaultsTo100AndIsBounded) {
  auto defaults = ParseConfig(kMinimal, "t.yaml", FakeEnv);
  auto set = ParseConfig(std::string(kMinimal) + "engine:\n  snapshot_tail_percent: 0\n", "t.yaml", FakeEnv);
  auto bad = ParseConfig(std::string(kMinimal) + "engine:\n  snapshot_tail_percent: -5\n", "t.yaml", FakeEnv);

  ASSERT_TRUE(defaults.ok()) << defaults.error().message;
  ASSERT_TRUE(set.ok()) << set.error().message;
  EXPECT_EQ(defaults->engine.snapshot_tail_percent, 100u);
  EXPECT_EQ(set->engine.snapshot_tail_percent, 0u);
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.error().message.find("t.yaml:9: engine.snapshot_tail_percent: must be a whole number"), std::string::npos)
      << bad.error().message;
}

TEST(ConfigTest, SnapshotMinIntervalDefaultsToTenSecondsAndTakesADurationOrZero) {
  auto defaults = ParseConfig(kMinimal, "t.yaml", FakeEnv);
  auto set = ParseConfig(std::string(kMinimal) + "engine:\n  snapshot_min_interval: 1m\n", "t.yaml", FakeEnv);
  auto none = ParseConfig(std::string(kMinimal) + "engine:\n  snapshot_min_interval: 0\n", "t.yaml", FakeEnv);
  auto bad = ParseConfig(std::string(kMinimal) + "engine:\n  snapshot_min_interval: soon\n", "t.yaml", FakeEnv);

  ASSERT_TRUE(defaults.ok()) << defaults.error().message;
  ASSERT_TRUE(set.ok()) << set.error().message;
  ASSERT_TRUE(none.ok()) << none.error().message;
  EXPECT_EQ(defaults->engine.snapshot_min_interval, std::chrono::seconds(10));
  EXPECT_EQ(set->engine.snapshot_min_interval, std::chrono::minutes(1));
  EXPECT_EQ(none->engine.snapshot_min_interval, core::Duration(0));
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.error().message.find("t.yaml:9: engine.snapshot_min_interval: not a duration"), std::string::npos)
      << bad.error().message;
}

TEST(ConfigTest, FollowersForwardWritesUnlessClusterForwardWritesIsFalse) {
  auto defaults = ParseConfig(kMinimal, "t.yaml", FakeEnv);
  auto off = ParseConfig(std::string(kMinimal) + "cluster:\n  forward_writes: false\n", "t.yaml", FakeEnv);
  auto bad = ParseConfig(std::string(kMinimal) + "cluster:\n  forward_writes: maybe\n", "t.yaml", FakeEnv);

  ASSERT_TRUE(defaults.ok()) << defaults.error().message;
  ASSERT_TRUE(off.ok()) << off.error().message;
  EXPECT_TRUE(defaults->http.forward_writes);
  EXPECT_FALSE(off->http.forward_writes);
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.error().message.find("cluster.forward_writes: must be true or false"), std::string::npos)
      << bad.error().message;
}

TEST(ConfigTest, ClusterNodeUrlMustBePlainHttp) {
  auto set = ParseConfig(std::string(kMinimal) + "cluster:\n  node_url: http://10.0.0.2:9797\n", "t.yaml", FakeEnv);
  auto tls = ParseConfig(std::string(kMinimal) + "cluster:\n  node_url: https://a.example\n", "t.yaml", FakeEnv);

  ASSERT_TRUE(set.ok()) << set.error().message;
  EXPECT_EQ(set->node_url, "http://10.0.0.2:9797");
  ASSERT_FALSE(tls.ok());
  EXPECT_NE(tls.error().message.find("cluster.node_url: must be an http:// URL"), std::string::npos)
      << tls.error().message;
}

TEST(ConfigTest, AZeroSessionTimeIsRefusedNamingTheKey) {
  auto cfg = ParseConfig(std::string(kMinimal) + "ui:\n  session_idle: 0\n", "t.yaml", FakeEnv);

  ASSERT_FALSE(cfg.ok());
  EXPECT_NE(cfg.error().message.find("ui.session_idle: must be longer than 0s"), std::string::npos)
      << cfg.error().message;
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


const char* kPaging = R"(
auth:
  tokens:
    - {name: admin, role: admin, token_env: INCIDENTD_TOKEN}
services:
  - {name: checkout, routing_keys: [checkout-key], time_zone: America/New_York, criticality: tier-1,
     business_hours: ["Mon-Fri 08:00-18:00"]}
channels:
  hook: {type: webhook, url: "http://127.0.0.1:9/x", secret_env: HOOK_SECRET}
  mail: {type: email, url: "smtp://127.0.0.1:25", from: ops@example.com}
people:
  - {name: alice, contacts: [{channel: hook}, {channel: mail, address: alice@example.com, delay: 2m}]}
teams:
  dba: [alice]
escalation_policies:
  - name: default
    repeat: 2
    steps:
      - {targets: ["user:alice"]}
      - {delay: 5m, targets: ["team:dba"]}
routing:
  - {name: all, hours: business, policy: default}
drills:
  - {name: weekly, service: checkout, time_zone: UTC, start: "2026-12-01T10:00", rrule: "FREQ=WEEKLY", sla: 5m}
delivery: {workers: 2, retry_base: 5s, retry_cap: 1m, give_up_after: 1h}
)";

const char* PagingEnv(const char* name) {
  if (std::string(name) == "HOOK_SECRET") return "hook-secret-from-env";
  return FakeEnv(name);
}

std::string WithLine(const std::string& text, const std::string& from, const std::string& to) {
  std::string out = text;
  auto at = out.find(from);
  EXPECT_NE(at, std::string::npos) << from;
  if (at != std::string::npos) out.replace(at, from.size(), to);
  return out;
}

TEST(ConfigTest, PagingKeysLoadWithSecretsFromTheEnvironment) {
  auto cfg = ParseConfig(kPaging, "t.yaml", PagingEnv);
  ASSERT_TRUE(cfg.ok()) << cfg.error().message;
  ASSERT_EQ(cfg->channels.size(), 2u);
  EXPECT_EQ(cfg->channels[0].name, "hook");
  EXPECT_EQ(cfg->channels[0].secret, "hook-secret-from-env");
  EXPECT_EQ(cfg->channels[1].type, channels::ChannelType::kEmail);
  EXPECT_EQ(cfg->paging.people().size(), 1u);
  EXPECT_EQ(cfg->paging.people()[0].contacts[1].delay, std::chrono::minutes(2));
  EXPECT_EQ(cfg->paging.policies()[0].repeat, 2u);
  EXPECT_EQ(cfg->paging.routes()[0].hours, escalation::Hours::kBusiness);
  EXPECT_EQ(cfg->paging.FindService("checkout")->criticality, "tier-1");
  EXPECT_EQ(cfg->paging.retry_base(), std::chrono::seconds(5));
  EXPECT_EQ(cfg->delivery.workers, 2u);
  // 13:00Z on a Tuesday is 08:00 in New York: business hours start.
  EXPECT_TRUE(cfg->paging.BusinessHours("checkout", core::ParseRfc3339("2026-12-01T13:00:00Z").value()));
  EXPECT_FALSE(cfg->paging.BusinessHours("checkout", core::ParseRfc3339("2026-12-01T12:59:00Z").value()));
}

TEST(ConfigTest, PagingMistakesAreRefusedNamingTheKey) {
  struct Case {
    const char* from;
    const char* to;
    const char* expect;
  } cases[] = {
      {"{channel: hook}", "{channel: pager}", "/people/alice/contacts/0/channel: no channel named 'pager'"},
      {"\"team:dba\"", "\"team:ops\"", "/escalation_policies/default/steps/1/targets/0: unknown target team:ops"},
      {"\"team:dba\"", "\"crew:dba\"", "escalation_policies[0].steps[1].targets[0]: a target is user:"},
      {"policy: default}", "policy: other}", "/routing/0/policy: no escalation policy named 'other'"},
      {"hours: business", "hours: lunch", "routing[0].hours: must be any, business or off"},
      {"from: ops@example.com", "username: x", "channels.mail"},
      {"type: webhook", "type: pager", "channels.hook.type: must be webhook, email or chat"},
      {"secret_env: HOOK_SECRET", "secret_env: NOT_SET", "channels.hook.secret_env: environment variable NOT_SET"},
      {"\"Mon-Fri 08:00-18:00\"", "\"weekdays\"", "/services/checkout/business_hours/0"},
      {"rrule: \"FREQ=WEEKLY\"", "rrule: \"FREQ=OFTEN\"", "/drills/0/rrule"},
      {"service: checkout, time_zone: UTC", "service: nope, time_zone: UTC", "/drills/0/service"},
      {"retry_cap: 1m", "retry_cap: 1s", "delivery: need 1s <= retry_base <= retry_cap <= give_up_after"},
  };
  for (const auto& c : cases) {
    auto cfg = ParseConfig(WithLine(kPaging, c.from, c.to), "t.yaml", PagingEnv);
    ASSERT_FALSE(cfg.ok()) << c.to;
    EXPECT_NE(cfg.error().message.find(c.expect), std::string::npos) << cfg.error().message;
    EXPECT_EQ(cfg.error().message.rfind("t.yaml:", 0), 0u) << cfg.error().message;
  }
}

}  // namespace
}  // namespace app
